using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace MarketWatch.Web.Host.Migrations
{
    /// <inheritdoc />
    public partial class Alerts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alerts",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    user_id = table.Column<string>(type: "text", nullable: false),
                    instrument_id = table.Column<int>(type: "integer", nullable: true),
                    watchlist_id = table.Column<int>(type: "integer", nullable: true),
                    condition = table.Column<int>(type: "integer", nullable: false),
                    level = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: true),
                    level2 = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: true),
                    window_minutes = table.Column<int>(type: "integer", nullable: true),
                    trigger_mode = table.Column<int>(type: "integer", nullable: false),
                    cooldown_minutes = table.Column<int>(type: "integer", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    channels = table.Column<int[]>(type: "integer[]", nullable: false),
                    note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    session_only = table.Column<bool>(type: "boolean", nullable: false),
                    status = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_fired_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alerts", x => x.id);
                    table.CheckConstraint("ck_alerts_one_subject", "(instrument_id IS NULL) <> (watchlist_id IS NULL)");
                    table.ForeignKey(
                        name: "fk_alerts_instruments_instrument_id",
                        column: x => x.instrument_id,
                        principalTable: "instruments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_alerts_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_alerts_watchlists_watchlist_id",
                        column: x => x.watchlist_id,
                        principalTable: "watchlists",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "notification_preferences",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "text", nullable: false),
                    email_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    push_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    sms_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    webhook_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    email_daily_cap = table.Column<int>(type: "integer", nullable: false),
                    push_daily_cap = table.Column<int>(type: "integer", nullable: false),
                    sms_daily_cap = table.Column<int>(type: "integer", nullable: false),
                    webhook_daily_cap = table.Column<int>(type: "integer", nullable: false),
                    quiet_start = table.Column<TimeOnly>(type: "time without time zone", nullable: true),
                    quiet_end = table.Column<TimeOnly>(type: "time without time zone", nullable: true),
                    quiet_mode = table.Column<int>(type: "integer", nullable: false),
                    phone_number = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    phone_verified_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    phone_code_hash = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    phone_code_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    phone_code_attempts = table.Column<int>(type: "integer", nullable: false),
                    webhook_url = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    webhook_secret = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notification_preferences", x => x.user_id);
                    table.ForeignKey(
                        name: "fk_notification_preferences_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "alert_firings",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    alert_id = table.Column<long>(type: "bigint", nullable: false),
                    user_id = table.Column<string>(type: "text", nullable: false),
                    instrument_id = table.Column<int>(type: "integer", nullable: false),
                    condition = table.Column<int>(type: "integer", nullable: false),
                    level = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: true),
                    level2 = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: true),
                    window_minutes = table.Column<int>(type: "integer", nullable: true),
                    price = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: false),
                    value = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: true),
                    note = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    fired_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    source = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_firings", x => x.id);
                    table.ForeignKey(
                        name: "fk_alert_firings_alerts_alert_id",
                        column: x => x.alert_id,
                        principalTable: "alerts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_alert_firings_instruments_instrument_id",
                        column: x => x.instrument_id,
                        principalTable: "instruments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "alert_targets",
                columns: table => new
                {
                    alert_id = table.Column<long>(type: "bigint", nullable: false),
                    instrument_id = table.Column<int>(type: "integer", nullable: false),
                    state = table.Column<int>(type: "integer", nullable: false),
                    armed_price = table.Column<decimal>(type: "numeric(20,6)", precision: 20, scale: 6, nullable: true),
                    armed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    armed_quote_time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    rearm_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    fired_count = table.Column<int>(type: "integer", nullable: false),
                    last_fired_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alert_targets", x => new { x.alert_id, x.instrument_id });
                    table.ForeignKey(
                        name: "fk_alert_targets_alerts_alert_id",
                        column: x => x.alert_id,
                        principalTable: "alerts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_alert_targets_instruments_instrument_id",
                        column: x => x.instrument_id,
                        principalTable: "instruments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "deliveries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    user_id = table.Column<string>(type: "text", nullable: false),
                    channel = table.Column<int>(type: "integer", nullable: false),
                    firing_id = table.Column<long>(type: "bigint", nullable: true),
                    alert_id = table.Column<long>(type: "bigint", nullable: true),
                    status = table.Column<int>(type: "integer", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    detail_key = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    detail_args = table.Column<string[]>(type: "text[]", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    lease_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "fk_deliveries_alert_alert_id",
                        column: x => x.alert_id,
                        principalTable: "alerts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_deliveries_alert_firing_firing_id",
                        column: x => x.firing_id,
                        principalTable: "alert_firings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_deliveries_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "notifications",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    user_id = table.Column<string>(type: "text", nullable: false),
                    firing_id = table.Column<long>(type: "bigint", nullable: true),
                    test_alert_id = table.Column<long>(type: "bigint", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    read_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications", x => x.id);
                    table.ForeignKey(
                        name: "fk_notifications_alert_firing_firing_id",
                        column: x => x.firing_id,
                        principalTable: "alert_firings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_notifications_alert_test_alert_id",
                        column: x => x.test_alert_id,
                        principalTable: "alerts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_notifications_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_alert_firings_alert_id_fired_at",
                table: "alert_firings",
                columns: new[] { "alert_id", "fired_at" });

            migrationBuilder.CreateIndex(
                name: "ix_alert_firings_instrument_id",
                table: "alert_firings",
                column: "instrument_id");

            migrationBuilder.CreateIndex(
                name: "ix_alert_firings_user_id_fired_at",
                table: "alert_firings",
                columns: new[] { "user_id", "fired_at" });

            migrationBuilder.CreateIndex(
                name: "ix_alert_targets_instrument_id",
                table: "alert_targets",
                column: "instrument_id");

            migrationBuilder.CreateIndex(
                name: "ix_alert_targets_rearm_at",
                table: "alert_targets",
                column: "rearm_at",
                filter: "state = 1");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_instrument_id",
                table: "alerts",
                column: "instrument_id");

            migrationBuilder.CreateIndex(
                name: "ix_alerts_user_id_status",
                table: "alerts",
                columns: new[] { "user_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_alerts_watchlist_id",
                table: "alerts",
                column: "watchlist_id",
                filter: "watchlist_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_alert_id",
                table: "deliveries",
                column: "alert_id",
                filter: "alert_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_firing_id",
                table: "deliveries",
                column: "firing_id");

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_next_attempt_at",
                table: "deliveries",
                column: "next_attempt_at",
                filter: "status IN (0, 1)");

            migrationBuilder.CreateIndex(
                name: "ix_deliveries_user_id_channel_completed_at",
                table: "deliveries",
                columns: new[] { "user_id", "channel", "completed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_firing_id",
                table: "notifications",
                column: "firing_id");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_test_alert_id",
                table: "notifications",
                column: "test_alert_id");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_unread",
                table: "notifications",
                column: "user_id",
                filter: "read_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_user_id_id",
                table: "notifications",
                columns: new[] { "user_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alert_targets");

            migrationBuilder.DropTable(
                name: "deliveries");

            migrationBuilder.DropTable(
                name: "notification_preferences");

            migrationBuilder.DropTable(
                name: "notifications");

            migrationBuilder.DropTable(
                name: "alert_firings");

            migrationBuilder.DropTable(
                name: "alerts");
        }
    }
}
