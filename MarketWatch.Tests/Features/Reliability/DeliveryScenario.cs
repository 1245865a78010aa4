using System.Net.Http.Json;
using System.Text.RegularExpressions;
using MarketWatch.Tests.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace MarketWatch.Tests.Features.Reliability;

/// <summary>
/// What the process-level delivery tests share, seen only from outside the app: recipients and their alerts made in
/// SQL (the API would take thousands of round trips), the apps' admin page for what their engines hold, the database
/// for who claimed and what the outbox says.
/// </summary>
public sealed partial class DeliveryScenario(string database)
{
    public const string Ticker = "ATW";
    /// <summary>ATW's reference price: ticks stay well inside the exchange's ±10 % threshold.</summary>
    public const decimal Reference = 755m;
    /// <summary>Above every alert's level (760.001 and up): crossing it fires them all in one tick (+2 %).</summary>
    public const decimal Crossing = 770m;
    public const string OperatorEmail = "operator@example.com";
    private const string OperatorPassword = AppTest.Password;

    public string Database => database;

    /// <summary>Settings of every instance: the operator account is the admin (it reads the engine's state on /admin/alerts).</summary>
    public static Dictionary<string, string?> Settings => new() { ["Admin:Email"] = OperatorEmail };

    public string ConnectionString => TestDatabase.ConnectionStringFor(database);

    /// <summary>
    /// <paramref name="count"/> users, each with a webhook at its own path of <paramref name="receiver"/> (its own secret)
    /// and one alert "ATW at or above 760.00x", webhook only, armed; and ATW's latest quote at the reference price.
    /// </summary>
    public async Task SeedAsync(WebhookReceiver receiver, int count)
    {
        var ids = new string[count];
        var urls = new string[count];
        var secrets = new string[count];
        for (var n = 0; n < count; n++)
        {
            ids[n] = $"recipient-{n:D5}";
            secrets[n] = $"whsec-{n}-{Guid.NewGuid():N}";
            urls[n] = receiver.Register(n, secrets[n]);
        }
        await Ticks.WriteAsync(database, (Ticker, Reference));

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("""
                    INSERT INTO users (id, display_name, time_zone, language, theme, created_at, user_name, normalized_user_name, email,
                                       normalized_email, email_confirmed, security_stamp, concurrency_stamp, phone_number_confirmed,
                                       two_factor_enabled, lockout_enabled, access_failed_count)
                    SELECT id, 'Recipient ' || n, 'Africa/Casablanca', 'en', 'system', now(), id || '@example.com', upper(id || '@example.com'),
                           id || '@example.com', upper(id || '@example.com'), true, md5(id), md5(id || '.'), false, false, true, 0
                    FROM unnest(@ids) WITH ORDINALITY AS x(id, n)
                    """),
                new NpgsqlBatchCommand("""
                    INSERT INTO notification_preferences (user_id, email_enabled, push_enabled, sms_enabled, webhook_enabled, email_daily_cap,
                                                          push_daily_cap, sms_daily_cap, webhook_daily_cap, quiet_mode, phone_code_attempts,
                                                          webhook_url, webhook_secret)
                    SELECT id, false, false, false, true, 50, 100, 10, 500, 0, 0, url, secret FROM unnest(@ids, @urls, @secrets) AS x(id, url, secret)
                    """),
                new NpgsqlBatchCommand("""
                    WITH made AS (
                        INSERT INTO alerts (user_id, instrument_id, condition, level, trigger_mode, cooldown_minutes, channels, session_only,
                                            status, created_at, updated_at)
                        SELECT x.id, i.id, 0, 760 + x.n / 1000.0, 0, 0, ARRAY[4], false, 0, now(), now()
                        FROM unnest(@ids) WITH ORDINALITY AS x(id, n), instruments i WHERE i.ticker = @ticker
                        RETURNING id, instrument_id
                    )
                    INSERT INTO alert_targets (alert_id, instrument_id, state, armed_price, armed_at, fired_count)
                    SELECT id, instrument_id, 0, @reference, now(), 0 FROM made
                    """),
            },
        };
        foreach (var command in batch.BatchCommands)
        {
            command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = ids });
            command.Parameters.Add(new NpgsqlParameter("urls", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = urls });
            command.Parameters.Add(new NpgsqlParameter("secrets", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = secrets });
            command.Parameters.Add(new NpgsqlParameter("ticker", NpgsqlDbType.Text) { Value = Ticker });
            command.Parameters.Add(new NpgsqlParameter("reference", NpgsqlDbType.Numeric) { Value = Reference });
        }
        await batch.ExecuteNonQueryAsync();
        // Who claimed: every statement that writes firings records the application_name (= instance) of its connection.
        // Test scaffolding in this database only; the app knows nothing of it.
        foreach (var sql in new[]
        {
            "CREATE TABLE test_claims (application_name text NOT NULL, firings int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())",
            """
            CREATE FUNCTION test_record_claim() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO test_claims (application_name, firings)
                SELECT current_setting('application_name'), count(*) FROM made HAVING count(*) > 0;
                RETURN NULL;
            END $$
            """,
            """
            CREATE TRIGGER test_record_claim AFTER INSERT ON alert_firings REFERENCING NEW TABLE AS made
                FOR EACH STATEMENT EXECUTE FUNCTION test_record_claim()
            """,
        })
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    /// <summary>The instances that wrote firings, first claim first, with how many each.</summary>
    public async Task<List<(string Instance, int Firings)>> ClaimsAsync()
    {
        var claims = new List<(string, int)>();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT application_name, firings FROM test_claims ORDER BY at", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            claims.Add((reader.GetString(0), reader.GetInt32(1)));
        }
        return claims;
    }

    /// <summary>The webhook outbox rows, by status name (as the enum numbers them: 0 pending, 1 sending, 2 sent, 3 failed, 4 skipped).</summary>
    public async Task<Dictionary<string, int>> WebhookDeliveriesAsync()
    {
        var counts = new Dictionary<string, int>();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT status, count(*)::int FROM deliveries WHERE channel = 4 GROUP BY status", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var status = reader.GetInt32(0) switch { 0 => "pending", 1 => "sending", 2 => "sent", 3 => "failed", 4 => "skipped", var other => other.ToString() };
            counts[status] = reader.GetInt32(1);
        }
        return counts;
    }

    /// <summary>The ids of the webhook outbox rows: what receivers see as <c>X-MarketWatch-Delivery</c>.</summary>
    public async Task<HashSet<string>> WebhookDeliveryIdsAsync()
    {
        var ids = new HashSet<string>();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM deliveries WHERE channel = 4", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return ids;
    }

    /// <summary>
    /// Registers the operator (the configured admin) through the API of <paramref name="app"/> and opens the
    /// confirmation link: <c>Admin:Email</c> becomes admin only once its address is confirmed.
    /// </summary>
    public static async Task RegisterOperatorAsync(AppProcess app, string database)
    {
        using var http = app.Client();
        var response = await http.PostAsJsonAsync("/api/auth/register", new { email = OperatorEmail, password = OperatorPassword, displayName = "Operator" });
        Assert.That((int)response.StatusCode, Is.EqualTo(202), await response.Content.ReadAsStringAsync());
        await using var connection = new NpgsqlConnection(TestDatabase.ConnectionStringFor(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT text_body FROM email_messages WHERE \"to\" = @to ORDER BY id DESC LIMIT 1", connection);
        command.Parameters.AddWithValue("to", OperatorEmail);
        var body = (string)(await command.ExecuteScalarAsync())!;
        var link = new Uri(ConfirmLink().Match(body).Value);
        var confirmed = await http.GetStringAsync(link.PathAndQuery);
        Assert.That(confirmed, Does.Contain("your email address is confirmed"));
    }

    [GeneratedRegex(@"https?://\S+/account/confirm-email\S+")]
    private static partial Regex ConfirmLink();

    /// <summary>A client of <paramref name="app"/> signed in as the operator with the login form.</summary>
    public static async Task<HttpClient> SignInOperatorAsync(AppProcess app)
    {
        var http = app.Client();
        var page = await (await http.GetAsync("/account/login")).Content.ReadAsStringAsync();
        var token = AntiforgeryToken().Match(page);
        Assert.That(token.Success, Is.True, $"no antiforgery token on {app.Name}'s login page");
        var response = await http.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = OperatorEmail,
            ["Input.Password"] = OperatorPassword,
            ["__RequestVerificationToken"] = System.Net.WebUtility.HtmlDecode(token.Groups[1].Value),
        }));
        Assert.That((int)response.StatusCode, Is.EqualTo(302), $"signing in on {app.Name} should redirect");
        return http;
    }

    /// <summary>
    /// Waits until the instance's engine listens (to ticks and alert changes) and holds at least <paramref name="armed"/>
    /// alerts in memory, as its admin page says: a tick written after this is evaluated against them.
    /// </summary>
    public static Task WaitArmedAsync(AppProcess app, HttpClient operatorClient, int armed) =>
        Eventually.ValueAsync(async () =>
            {
                var html = await operatorClient.GetStringAsync("/admin/alerts");
                var match = ArmedInMemory().Match(html);
                return (Listening: !html.Contains("not listening", StringComparison.Ordinal), Armed: match.Success ? int.Parse(match.Groups[1].Value) : -1);
            },
            state => state.Listening && state.Armed >= armed,
            $"{app.Name}'s engine to listen with {armed} alerts armed", TimeSpan.FromSeconds(60));

    /// <summary>Looks until <paramref name="done"/> holds or the deadline passes; the caller asserts on what it measured.</summary>
    public static Task UntilAsync(Func<bool> done, DateTimeOffset deadline) => Eventually.WithinAsync(done, deadline - DateTimeOffset.UtcNow);

    public static string Since(DateTimeOffset origin, DateTimeOffset at) =>
        at == DateTimeOffset.MaxValue ? "never" : $"{(at - origin).TotalSeconds:+0.00;-0.00} s";

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex(@"Armed in memory: (\d+)")]
    private static partial Regex ArmedInMemory();
}
