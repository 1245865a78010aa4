using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MarketWatch.Web.Host.Migrations
{
    /// <inheritdoc />
    public partial class PositionAlerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "portfolio_id",
                table: "alerts",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "portfolio_version",
                table: "alerts",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_alerts_portfolio_id",
                table: "alerts",
                column: "portfolio_id",
                filter: "portfolio_id IS NOT NULL");

            migrationBuilder.AddForeignKey(
                name: "fk_alerts_portfolios_portfolio_id",
                table: "alerts",
                column: "portfolio_id",
                principalTable: "portfolios",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_alerts_portfolios_portfolio_id",
                table: "alerts");

            migrationBuilder.DropIndex(
                name: "ix_alerts_portfolio_id",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "portfolio_id",
                table: "alerts");

            migrationBuilder.DropColumn(
                name: "portfolio_version",
                table: "alerts");
        }
    }
}
