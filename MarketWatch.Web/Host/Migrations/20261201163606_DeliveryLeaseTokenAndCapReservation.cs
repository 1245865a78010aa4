using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MarketWatch.Web.Host.Migrations
{
    /// <inheritdoc />
    public partial class DeliveryLeaseTokenAndCapReservation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "cap_reserved",
                table: "deliveries",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<Guid>(
                name: "lease_token",
                table: "deliveries",
                type: "uuid",
                nullable: true);

            // The dispatcher's claim reads next_attempt_at only: a pending row always has one, a sending row's is its
            // lease's end (rows a Hangfire job of the previous version holds are taken over when that lease ends).
            migrationBuilder.Sql("""
                UPDATE deliveries SET next_attempt_at = created_at WHERE status = 0 AND next_attempt_at IS NULL;
                UPDATE deliveries SET next_attempt_at = coalesce(lease_until, created_at) WHERE status = 1;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "cap_reserved",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "lease_token",
                table: "deliveries");
        }
    }
}
