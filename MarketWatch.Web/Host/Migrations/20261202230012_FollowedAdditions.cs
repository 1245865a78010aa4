using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MarketWatch.Web.Host.Migrations
{
    /// <summary>
    /// Follow notices name a <c>watchlist_additions</c> row instead of the watchlist item, so that they outlive the item
    /// (the owner taking the stock out again). The notices already sent keep their events (the additions of their items,
    /// under the same ids); the trigger that deletes notices with their events moves from the items to the additions.
    /// </summary>
    public partial class FollowedAdditions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "watchlist_additions",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    watchlist_id = table.Column<int>(type: "integer", nullable: false),
                    instrument_id = table.Column<int>(type: "integer", nullable: false),
                    added_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_watchlist_additions", x => x.id);
                    table.ForeignKey(
                        name: "fk_watchlist_additions_instrument_instrument_id",
                        column: x => x.instrument_id,
                        principalTable: "instruments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_watchlist_additions_watchlist_watchlist_id",
                        column: x => x.watchlist_id,
                        principalTable: "watchlists",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_watchlist_additions_instrument_id",
                table: "watchlist_additions",
                column: "instrument_id");

            migrationBuilder.CreateIndex(
                name: "ix_watchlist_additions_watchlist_id",
                table: "watchlist_additions",
                column: "watchlist_id");

            migrationBuilder.Sql("""
                INSERT INTO watchlist_additions (id, watchlist_id, instrument_id, added_at)
                SELECT i.id, i.watchlist_id, i.instrument_id, i.added_at FROM watchlist_items i
                WHERE i.id IN (SELECT source_event_id FROM notifications WHERE event_source = 2
                               UNION SELECT source_event_id FROM deliveries WHERE event_source = 2);
                DROP TRIGGER watchlist_items_delete_notices ON watchlist_items;
                CREATE TRIGGER watchlist_additions_delete_notices AFTER DELETE ON watchlist_additions
                    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION delete_source_notices('2');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Back to notices of items: those whose item is gone go too, as they did then.
            migrationBuilder.Sql("""
                DROP TRIGGER watchlist_additions_delete_notices ON watchlist_additions;
                DELETE FROM deliveries WHERE event_source = 2 AND source_event_id NOT IN (SELECT id FROM watchlist_items);
                DELETE FROM notifications WHERE event_source = 2 AND source_event_id NOT IN (SELECT id FROM watchlist_items);
                CREATE TRIGGER watchlist_items_delete_notices AFTER DELETE ON watchlist_items
                    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION delete_source_notices('2');
                """);

            migrationBuilder.DropTable(
                name: "watchlist_additions");
        }
    }
}
