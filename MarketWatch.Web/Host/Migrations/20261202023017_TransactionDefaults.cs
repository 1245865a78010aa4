using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MarketWatch.Web.Host.Migrations
{
    /// <inheritdoc />
    public partial class TransactionDefaults : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "fees_defaulted",
                table: "portfolio_transactions",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "taxes_defaulted",
                table: "portfolio_transactions",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "fees_defaulted",
                table: "portfolio_transactions");

            migrationBuilder.DropColumn(
                name: "taxes_defaulted",
                table: "portfolio_transactions");
        }
    }
}
