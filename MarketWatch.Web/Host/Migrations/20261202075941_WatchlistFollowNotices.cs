using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MarketWatch.Web.Host.Migrations
{
    /// <summary>
    /// Notices of any source: <c>source_event_id</c> of deliveries and notifications names the event of the row's
    /// <c>event_source</c> (paper trading 1: order events; watchlist follows 2: watchlist items), so it can no longer be a
    /// foreign key to one table. Triggers keep the cascade each source had: deleting its events deletes their rows.
    /// </summary>
    public partial class WatchlistFollowNotices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_deliveries_paper_order_events_source_event_id",
                table: "deliveries");

            migrationBuilder.DropForeignKey(
                name: "fk_notifications_paper_order_events_source_event_id",
                table: "notifications");

            migrationBuilder.Sql("""
                CREATE FUNCTION delete_source_notices() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE source smallint := TG_ARGV[0]::smallint;
                BEGIN
                    DELETE FROM deliveries d USING gone g WHERE d.event_source = source AND d.source_event_id = g.id;
                    DELETE FROM notifications n USING gone g WHERE n.event_source = source AND n.source_event_id = g.id;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER paper_order_events_delete_notices AFTER DELETE ON paper_order_events
                    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION delete_source_notices('1');
                CREATE TRIGGER watchlist_items_delete_notices AFTER DELETE ON watchlist_items
                    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION delete_source_notices('2');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER watchlist_items_delete_notices ON watchlist_items;
                DROP TRIGGER paper_order_events_delete_notices ON paper_order_events;
                DROP FUNCTION delete_source_notices();
                DELETE FROM deliveries WHERE event_source = 2;
                DELETE FROM notifications WHERE event_source = 2;
                """);

            migrationBuilder.AddForeignKey(
                name: "fk_deliveries_paper_order_events_source_event_id",
                table: "deliveries",
                column: "source_event_id",
                principalTable: "paper_order_events",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "fk_notifications_paper_order_events_source_event_id",
                table: "notifications",
                column: "source_event_id",
                principalTable: "paper_order_events",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
