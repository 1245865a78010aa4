using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MarketWatch.Web.Host.Migrations
{
    /// <inheritdoc />
    public partial class SecretsAtRest : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "private_key",
                table: "vapid_keys",
                type: "character varying(500)",
                maxLength: 500,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(200)",
                oldMaxLength: 200);

            migrationBuilder.AlterColumn<string>(
                name: "webhook_secret",
                table: "notification_preferences",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(100)",
                oldMaxLength: 100,
                oldNullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "has_one_time_link",
                table: "email_messages",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // Account emails queued before this migration: their links are marked, and those already sent (or given up)
            // lose their body now, as new ones do once sent. The webhook, VAPID and authenticator secrets are encrypted by
            // the data step that follows every migrate (IPlaintextSecrets), which needs the Data Protection keys.
            migrationBuilder.Sql("""
                UPDATE email_messages SET has_one_time_link = true
                WHERE text_body LIKE '%/account/confirm-email?%'
                   OR text_body LIKE '%/account/reset-password?%'
                   OR text_body LIKE '%/account/confirm-email-change?%';
                UPDATE email_messages SET html_body = '[The body of this email held a one-time link; it was removed after sending.]',
                                          text_body = '[The body of this email held a one-time link; it was removed after sending.]'
                WHERE has_one_time_link AND status IN ('Sent', 'Failed');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "has_one_time_link",
                table: "email_messages");

            migrationBuilder.AlterColumn<string>(
                name: "private_key",
                table: "vapid_keys",
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                oldClrType: typeof(string),
                oldType: "character varying(500)",
                oldMaxLength: 500);

            migrationBuilder.AlterColumn<string>(
                name: "webhook_secret",
                table: "notification_preferences",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(500)",
                oldMaxLength: 500,
                oldNullable: true);
        }
    }
}
