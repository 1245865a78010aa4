using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace MarketWatch.Web.Host.Migrations
{
    /// <inheritdoc />
    public partial class PaperTrading : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<short>(
                name: "event_source",
                table: "notifications",
                type: "smallint",
                nullable: false,
                defaultValue: (short)0);

            migrationBuilder.AddColumn<long>(
                name: "source_event_id",
                table: "notifications",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<short>(
                name: "event_source",
                table: "deliveries",
                type: "smallint",
                nullable: false,
                defaultValue: (short)0);

            migrationBuilder.AddColumn<long>(
                name: "source_event_id",
                table: "deliveries",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "paper_competitions",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(80)", maxLength: 80, nullable: false),
                    starts_on = table.Column<DateOnly>(type: "date", nullable: false),
                    ends_on = table.Column<DateOnly>(type: "date", nullable: false),
                    starting_cash = table.Column<decimal>(type: "numeric(20,4)", precision: 20, scale: 4, nullable: false),
                    rules = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    created_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_paper_competitions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tick_size_bands",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    min_price = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    tick = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    updated_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tick_size_bands", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "paper_accounts",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    user_id = table.Column<string>(type: "text", nullable: false),
                    starting_cash = table.Column<decimal>(type: "numeric(20,4)", precision: 20, scale: 4, nullable: false),
                    cash = table.Column<decimal>(type: "numeric(20,4)", precision: 20, scale: 4, nullable: false),
                    reserved_cash = table.Column<decimal>(type: "numeric(20,4)", precision: 20, scale: 4, nullable: false),
                    run = table.Column<int>(type: "integer", nullable: false),
                    run_started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    on_leaderboard = table.Column<bool>(type: "boolean", nullable: false),
                    display_name = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    competition_id = table.Column<int>(type: "integer", nullable: true),
                    channels = table.Column<int[]>(type: "integer[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_paper_accounts", x => x.id);
                    table.CheckConstraint("ck_paper_accounts_cash", "cash >= 0 AND reserved_cash >= 0");
                    table.ForeignKey(
                        name: "fk_paper_accounts_paper_competition_competition_id",
                        column: x => x.competition_id,
                        principalTable: "paper_competitions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_paper_accounts_portfolios_id",
                        column: x => x.id,
                        principalTable: "portfolios",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_paper_accounts_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "paper_orders",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    account_id = table.Column<int>(type: "integer", nullable: false),
                    user_id = table.Column<string>(type: "text", nullable: false),
                    run = table.Column<int>(type: "integer", nullable: false),
                    instrument_id = table.Column<int>(type: "integer", nullable: false),
                    side = table.Column<int>(type: "integer", nullable: false),
                    type = table.Column<int>(type: "integer", nullable: false),
                    quantity = table.Column<long>(type: "bigint", nullable: false),
                    filled_quantity = table.Column<long>(type: "bigint", nullable: false),
                    limit_price = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: true),
                    stop_price = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: true),
                    validity = table.Column<int>(type: "integer", nullable: false),
                    expires_on = table.Column<DateOnly>(type: "date", nullable: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<int>(type: "integer", nullable: false),
                    cancel_reason = table.Column<int>(type: "integer", nullable: true),
                    reject_reason = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    triggered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    reserved_cash = table.Column<decimal>(type: "numeric(20,4)", precision: 20, scale: 4, nullable: false),
                    reservation_price = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: true),
                    active_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    volume_date = table.Column<DateOnly>(type: "date", nullable: true),
                    volume_base = table.Column<long>(type: "bigint", nullable: false),
                    filled_at_base = table.Column<long>(type: "bigint", nullable: false),
                    filled_amount = table.Column<decimal>(type: "numeric(20,4)", precision: 20, scale: 4, nullable: false),
                    fees_paid = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_paper_orders", x => x.id);
                    table.CheckConstraint("ck_paper_orders_filled", "filled_quantity >= 0 AND filled_quantity <= quantity AND reserved_cash >= 0");
                    table.ForeignKey(
                        name: "fk_paper_orders_instruments_instrument_id",
                        column: x => x.instrument_id,
                        principalTable: "instruments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_paper_orders_paper_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "paper_accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "paper_positions",
                columns: table => new
                {
                    account_id = table.Column<int>(type: "integer", nullable: false),
                    instrument_id = table.Column<int>(type: "integer", nullable: false),
                    quantity = table.Column<long>(type: "bigint", nullable: false),
                    reserved = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_paper_positions", x => new { x.account_id, x.instrument_id });
                    table.CheckConstraint("ck_paper_positions_quantity", "quantity >= 0 AND reserved >= 0 AND reserved <= quantity");
                    table.ForeignKey(
                        name: "fk_paper_positions_instruments_instrument_id",
                        column: x => x.instrument_id,
                        principalTable: "instruments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_paper_positions_paper_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "paper_accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "paper_runs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    account_id = table.Column<int>(type: "integer", nullable: false),
                    run = table.Column<int>(type: "integer", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    starting_cash = table.Column<decimal>(type: "numeric(20,4)", precision: 20, scale: 4, nullable: false),
                    ending_equity = table.Column<decimal>(type: "numeric(20,4)", precision: 20, scale: 4, nullable: false),
                    @return = table.Column<decimal>(name: "return", type: "numeric(18,8)", precision: 18, scale: 8, nullable: true),
                    fills = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_paper_runs", x => x.id);
                    table.ForeignKey(
                        name: "fk_paper_runs_paper_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "paper_accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "paper_order_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    order_id = table.Column<long>(type: "bigint", nullable: false),
                    kind = table.Column<int>(type: "integer", nullable: false),
                    state = table.Column<int>(type: "integer", nullable: false),
                    time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    quantity = table.Column<long>(type: "bigint", nullable: true),
                    price = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: true),
                    fees = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: true),
                    transaction_id = table.Column<long>(type: "bigint", nullable: true),
                    reason = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_paper_order_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_paper_order_events_paper_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "paper_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_paper_order_events_portfolio_transactions_transaction_id",
                        column: x => x.transaction_id,
                        principalTable: "portfolio_transactions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.InsertData(
                table: "tick_size_bands",
                columns: new[] { "id", "min_price", "tick", "updated_at", "updated_by" },
                values: new object[,]
                {
                    { 1, 0m, 0.01m, null, null },
                    { 2, 100m, 0.10m, null, null },
                    { 3, 1000m, 1m, null, null }
                });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_source_event_id",
                table: "notifications",
                column: "source_event_id",
                filter: "source_event_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_source_event_id",
                table: "deliveries",
                column: "source_event_id",
                filter: "source_event_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_paper_accounts_competition_id",
                table: "paper_accounts",
                column: "competition_id",
                filter: "competition_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_paper_accounts_user_id",
                table: "paper_accounts",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_paper_order_events_order_id_id",
                table: "paper_order_events",
                columns: new[] { "order_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_paper_order_events_transaction_id",
                table: "paper_order_events",
                column: "transaction_id",
                filter: "transaction_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_paper_orders_account_id_id",
                table: "paper_orders",
                columns: new[] { "account_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_paper_orders_live",
                table: "paper_orders",
                column: "instrument_id",
                filter: "state IN (0, 1, 2)");

            migrationBuilder.CreateIndex(
                name: "ix_paper_positions_instrument_id",
                table: "paper_positions",
                column: "instrument_id");

            migrationBuilder.CreateIndex(
                name: "ix_paper_runs_account_id_run",
                table: "paper_runs",
                columns: new[] { "account_id", "run" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tick_size_bands_min_price",
                table: "tick_size_bands",
                column: "min_price",
                unique: true);

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

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_deliveries_paper_order_events_source_event_id",
                table: "deliveries");

            migrationBuilder.DropForeignKey(
                name: "fk_notifications_paper_order_events_source_event_id",
                table: "notifications");

            migrationBuilder.DropTable(
                name: "paper_order_events");

            migrationBuilder.DropTable(
                name: "paper_positions");

            migrationBuilder.DropTable(
                name: "paper_runs");

            migrationBuilder.DropTable(
                name: "tick_size_bands");

            migrationBuilder.DropTable(
                name: "paper_orders");

            migrationBuilder.DropTable(
                name: "paper_accounts");

            migrationBuilder.DropTable(
                name: "paper_competitions");

            migrationBuilder.DropIndex(
                name: "ix_notifications_source_event_id",
                table: "notifications");

            migrationBuilder.DropIndex(
                name: "ix_deliveries_source_event_id",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "event_source",
                table: "notifications");

            migrationBuilder.DropColumn(
                name: "source_event_id",
                table: "notifications");

            migrationBuilder.DropColumn(
                name: "event_source",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "source_event_id",
                table: "deliveries");
        }
    }
}
