using System.Globalization;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Trading;

/// <summary>Paper trading's core services: accounts, order entry and queries, the tick grid.</summary>
public static class PaperCoreSetup
{
    public static IServiceCollection AddPaperCore(this IServiceCollection services)
    {
        services.AddSingleton<TickSizes>();
        services.AddScoped<PaperAccounts>();
        services.AddScoped<OrderEntry>();
        services.AddScoped<OrderQueries>();
        return services;
    }
}

/// <summary>A paper account to open.</summary>
/// <param name="Name">1–60 characters.</param>
/// <param name="StartingCash">In MAD, from 1,000 to 100,000,000 by default (Trading:MinStartingCash/MaxStartingCash); omitted: 100,000.</param>
/// <param name="CompetitionId">Join this competition (not yet ended) with the new account: its starting cash applies.</param>
public sealed record PaperAccountRequest(string? Name, decimal? StartingCash, int? CompetitionId);

/// <summary>A paper account with its figures now (holdings valued at the latest quotes). Amounts in MAD; returns are fractions (0.12 = 12 %).</summary>
/// <param name="Id">The account's id (also its portfolio's: /api/portfolios/{id}/holdings and /performance work on it).</param>
/// <param name="Name">Its name.</param>
/// <param name="StartingCash">The cash each run starts with.</param>
/// <param name="Cash">Free cash: what new buys can use.</param>
/// <param name="ReservedCash">Cash held by open buy orders (amount at the limit, or the day's upper threshold, plus estimated fees).</param>
/// <param name="HoldingsValue">Shares held, at the latest prices.</param>
/// <param name="Equity">Cash (free and reserved) plus holdings.</param>
/// <param name="ProfitLoss">Equity minus the starting cash.</param>
/// <param name="Return">Time-weighted return since the run started.</param>
/// <param name="MasiReturn">The MASI's return over the same sessions, when known.</param>
/// <param name="OpenOrders">Live orders (pending, open, partially filled).</param>
/// <param name="Run">The run: 1 at opening, + 1 at each reset.</param>
/// <param name="RunStartedAt">When the run started.</param>
/// <param name="CompetitionId">The competition it was opened for, if any.</param>
/// <param name="OnLeaderboard">Shown on the leaderboard (opt-in).</param>
/// <param name="CreatedAt">When it was opened.</param>
public sealed record PaperAccountResponse(int Id, string Name, decimal StartingCash, decimal Cash, decimal ReservedCash, decimal HoldingsValue, decimal Equity,
    decimal ProfitLoss, decimal Return, decimal? MasiReturn, int OpenOrders, int Run, DateTimeOffset RunStartedAt, int? CompetitionId, bool OnLeaderboard,
    DateTimeOffset CreatedAt)
{
    public static PaperAccountResponse From(PaperAccountView v) => new(v.Account.Id, v.Name, v.Account.StartingCash, v.Account.Cash, v.Account.ReservedCash,
        v.Snapshot.HoldingsValue, v.Equity, v.ProfitLoss, v.Return, v.MasiReturn, v.OpenOrders, v.Account.Run, v.Account.RunStartedAt, v.Account.CompetitionId,
        v.Account.OnLeaderboard, v.Account.CreatedAt);
}

/// <summary>The result of a finished run, kept at a reset.</summary>
/// <param name="Run">Its number.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndedAt">When it was reset.</param>
/// <param name="StartingCash">Its starting cash.</param>
/// <param name="EndingEquity">Cash plus holdings at their last prices when it ended.</param>
/// <param name="Return">Its time-weighted return (a fraction), when it could be computed.</param>
/// <param name="Fills">How many fills it had.</param>
public sealed record PaperRunResponse(int Run, DateTimeOffset StartedAt, DateTimeOffset EndedAt, decimal StartingCash, decimal EndingEquity, decimal? Return, int Fills)
{
    public static PaperRunResponse From(PaperRun r) => new(r.Run, r.StartedAt, r.EndedAt, r.StartingCash, r.EndingEquity, r.Return, r.Fills);
}

/// <summary>An order to place (or to check without placing it).</summary>
/// <param name="Ticker">The stock's ticker (ATW); it must be listed and active.</param>
/// <param name="Side">Buy or Sell. A sell needs the shares (no short selling); a buy the cash (no margin).</param>
/// <param name="Type">Market, Limit, Stop (a market order once the stop is reached) or StopLimit (a limit order once the stop is reached).</param>
/// <param name="Quantity">Shares: a whole number, at least 1.</param>
/// <param name="LimitPrice">Limit and StopLimit: on the tick grid and within the day's thresholds (±10% of the reference price). Ignored for the other types.</param>
/// <param name="StopPrice">Stop and StopLimit: on the tick grid. A buy stop-limit's limit is at or above its stop, a sell's at or below.</param>
/// <param name="Validity">Day (the default: cancelled at the close), GoodTillDate (until expiresOn's close) or GoodTillCancelled (90 days at most).</param>
/// <param name="ExpiresOn">GoodTillDate only: the last day (YYYY-MM-DD), after today and at most 90 days ahead.</param>
public sealed record PaperOrderRequest(string? Ticker, OrderSide? Side, OrderType? Type, decimal? Quantity, decimal? LimitPrice, decimal? StopPrice,
    OrderValidity? Validity, DateOnly? ExpiresOn);

/// <summary>A change to a live order: what is omitted stays.</summary>
/// <param name="Quantity">The new total quantity: a whole number, more than what has already filled.</param>
/// <param name="LimitPrice">The new limit (Limit and StopLimit), checked as at entry.</param>
/// <param name="StopPrice">The new stop (Stop and StopLimit, until it is reached), checked as at entry.</param>
public sealed record PaperOrderChangeRequest(decimal? Quantity, decimal? LimitPrice, decimal? StopPrice);

/// <summary>An order. Prices and amounts in MAD.</summary>
/// <param name="Id">The order's id (/api/paper/orders/{id}).</param>
/// <param name="AccountId">Its account.</param>
/// <param name="Ticker">The stock.</param>
/// <param name="Side">Buy or Sell.</param>
/// <param name="Type">Market, Limit, Stop or StopLimit.</param>
/// <param name="Quantity">Shares ordered.</param>
/// <param name="FilledQuantity">Shares filled so far.</param>
/// <param name="LimitPrice">Its limit, if any.</param>
/// <param name="StopPrice">Its stop, if any.</param>
/// <param name="Validity">Day, GoodTillDate or GoodTillCancelled.</param>
/// <param name="ExpiresOn">A good-till date's last day.</param>
/// <param name="ExpiresAt">When it is cancelled if not done (the close of its last session).</param>
/// <param name="State">Pending (waiting for the session), Open, PartiallyFilled, Filled, Cancelled or Rejected.</param>
/// <param name="CancelReason">User, Expired, Close or Reset, when cancelled.</param>
/// <param name="RejectReason">Why it was rejected.</param>
/// <param name="TriggeredAt">When a stop was reached.</param>
/// <param name="ReservedCash">Cash a buy still holds.</param>
/// <param name="AverageFillPrice">The average price of its fills.</param>
/// <param name="FeesPaid">Fees of its fills.</param>
/// <param name="CreatedAt">When it was entered.</param>
/// <param name="UpdatedAt">When it last changed.</param>
public sealed record PaperOrderResponse(long Id, int AccountId, string Ticker, OrderSide Side, OrderType Type, long Quantity, long FilledQuantity,
    decimal? LimitPrice, decimal? StopPrice, OrderValidity Validity, DateOnly? ExpiresOn, DateTimeOffset ExpiresAt, OrderState State,
    CancelReason? CancelReason, string? RejectReason, DateTimeOffset? TriggeredAt, decimal ReservedCash, decimal? AverageFillPrice, decimal FeesPaid,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static PaperOrderResponse From(PaperOrder o, IStringLocalizer L) => new(o.Id, o.AccountId, o.Instrument?.Ticker ?? "", o.Side, o.Type, o.Quantity,
        o.FilledQuantity, o.LimitPrice, o.StopPrice, o.Validity, o.ExpiresOn, o.ExpiresAt, o.State, o.CancelReason,
        o.RejectReason is { } reason ? L[reason].Value : null, o.TriggeredAt, o.ReservedCash, o.AverageFillPrice, o.FeesPaid, o.CreatedAt, o.UpdatedAt);
}

/// <summary>One event of an order's history.</summary>
/// <param name="Kind">Entered, Activated, Triggered, Fill, Modified, Cancelled or Rejected.</param>
/// <param name="State">The order's state after it.</param>
/// <param name="Time">When.</param>
/// <param name="Quantity">A fill's quantity; a modification's new quantity.</param>
/// <param name="Price">A fill's price; a modification's new price.</param>
/// <param name="Fees">A fill's fees.</param>
/// <param name="Reason">Why (a cancellation or rejection), in your language.</param>
public sealed record PaperOrderEventResponse(OrderEventKind Kind, OrderState State, DateTimeOffset Time, long? Quantity, decimal? Price, decimal? Fees, string? Reason);

/// <summary>An order with every change it went through.</summary>
/// <param name="Order">The order.</param>
/// <param name="Events">Its events, oldest first.</param>
public sealed record PaperOrderDetailResponse(PaperOrderResponse Order, IReadOnlyList<PaperOrderEventResponse> Events);

/// <summary>What an order would do, checked and not placed. Prices and amounts in MAD.</summary>
/// <param name="Ticker">The stock.</param>
/// <param name="Reference">The day's reference price (the previous close).</param>
/// <param name="Low">The day's lower threshold.</param>
/// <param name="High">The day's upper threshold.</param>
/// <param name="Tick">The tick at the order's price.</param>
/// <param name="Last">The last trade price, if any.</param>
/// <param name="EstimatedPrice">The limit, the stop, or the last price for a market order.</param>
/// <param name="Amount">Quantity × the estimated price.</param>
/// <param name="Fees">Estimated fees on that amount.</param>
/// <param name="Total">A buy's cost (amount + fees) or a sell's proceeds (amount − fees).</param>
/// <param name="AvailableCash">Free cash now.</param>
/// <param name="AvailableShares">Shares of the stock held and not already offered for sale.</param>
/// <param name="WaitsForSession">Outside continuous trading: the order waits (Pending) for the next session.</param>
public sealed record PaperOrderCheckResponse(string Ticker, decimal Reference, decimal Low, decimal High, decimal Tick, decimal? Last, decimal EstimatedPrice,
    decimal Amount, decimal Fees, decimal Total, decimal AvailableCash, long AvailableShares, bool WaitsForSession);

/// <summary>One fill.</summary>
/// <param name="OrderId">Its order.</param>
/// <param name="Ticker">The stock.</param>
/// <param name="Side">Buy or Sell.</param>
/// <param name="Quantity">Shares filled.</param>
/// <param name="Price">The trade price.</param>
/// <param name="Fees">Fees charged (the fee schedule's).</param>
/// <param name="Time">When.</param>
public sealed record PaperFillResponse(long OrderId, string Ticker, OrderSide Side, long Quantity, decimal Price, decimal Fees, DateTimeOffset Time);

/// <summary>
/// <c>/api/paper</c>: the signed-in user's paper accounts and orders, with the same services and rules as the pages.
/// Another user's account or order is 404 on every route; every refusal is an RFC 7807 problem naming the field.
/// </summary>
public static class PaperApi
{
    public const int DefaultTake = 100;
    public const int MaxTake = 1000;

    public static IEndpointRouteBuilder MapPaperApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/paper").WithTags("Paper trading").RequireAuthorization();
        api.MapGet("/accounts", async (HttpContext http, PaperAccounts accounts, CancellationToken ct) =>
                Results.Ok((await accounts.ListAsync(http.UserIdOf(), ct)).Select(PaperAccountResponse.From).ToList()))
            .WithSummary("Your paper accounts with their cash, equity and return now.").Produces<List<PaperAccountResponse>>();
        api.MapPost("/accounts", OpenAsync)
            .WithSummary("Open a paper account (name 1–60 characters, starting cash 1,000–100,000,000 MAD, 100,000 when omitted); 409 when you hold the most accounts allowed (5 by default).")
            .Accepts<PaperAccountRequest>("application/json")
            .Produces<PaperAccountResponse>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/accounts/{id:int}", async (int id, HttpContext http, PaperAccounts accounts, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await accounts.GetAsync(http.UserIdOf(), id, ct) is { } view ? Results.Ok(PaperAccountResponse.From(view)) : NotFound(L))
            .WithSummary("One paper account with its figures now. Its holdings and performance: /api/portfolios/{id}/holdings and /performance.")
            .Produces<PaperAccountResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/accounts/{id:int}", async (int id, HttpContext http, PaperAccounts accounts, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await accounts.DeleteAsync(http.UserIdOf(), id, ct) ? Results.NoContent() : NotFound(L))
            .WithSummary("Delete a paper account with its orders, fills and past runs.").Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/accounts/{id:int}/reset", async (int id, HttpContext http, PaperAccounts accounts, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var outcome = await accounts.ResetAsync(http.UserIdOf(), id, ct);
                return !outcome.Found ? NotFound(L) : outcome.Error is { } error ? Refusal(error, L, "Reset refused") : Results.Ok(PaperRunResponse.From(outcome.Value!));
            })
            .WithSummary("Start again: cancels the open orders, keeps the ended run's result (returned), clears the holdings and restores the starting cash. 409 for a competition's account before the competition ends.")
            .Produces<PaperRunResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/accounts/{id:int}/runs", async (int id, HttpContext http, PaperAccounts accounts, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await accounts.RunsAsync(http.UserIdOf(), id, ct) is { } runs ? Results.Ok(runs.Select(PaperRunResponse.From).ToList()) : NotFound(L))
            .WithSummary("The account's finished runs (one per reset), latest first.").Produces<List<PaperRunResponse>>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/accounts/{id:int}/orders", ListOrdersAsync)
            .WithSummary("The account's orders of its current run, newest first: status open (live ones), done (filled, cancelled, rejected) or all (the default); take at most 1,000 done orders (100 by default).")
            .Produces<List<PaperOrderResponse>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/accounts/{id:int}/orders", PlaceAsync)
            .WithSummary("Place an order. Each refused rule is a 400 naming its field: quantity, tick grid, thresholds, cash, shares, validity; 409 past the open-order cap (200 by default).")
            .Accepts<PaperOrderRequest>("application/json")
            .Produces<PaperOrderResponse>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/accounts/{id:int}/orders/check", CheckAsync)
            .WithSummary("Check an order as placing it would, without placing it: the day's thresholds, the tick, estimated amount, fees and total, what is available.")
            .Accepts<PaperOrderRequest>("application/json")
            .Produces<PaperOrderCheckResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/accounts/{id:int}/fills", FillsAsync)
            .WithSummary("The fills of the account's current run, newest first (take: 1–1,000, 100 by default).")
            .Produces<List<PaperFillResponse>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/orders/{orderId:long}", async (long orderId, HttpContext http, OrderQueries orders, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var userId = http.UserIdOf();
                var order = await orders.FindAsync(userId, orderId, ct);
                var events = order is null ? null : await orders.EventsAsync(userId, orderId, ct);
                return order is null || events is null ? NotFound(L)
                    : Results.Ok(new PaperOrderDetailResponse(PaperOrderResponse.From(order, L), events.Select(e => Event(e, L)).ToList()));
            })
            .WithSummary("One order with its events (entered, activated, triggered, each fill, modified, cancelled, rejected), oldest first.")
            .Produces<PaperOrderDetailResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/orders/{orderId:long}", ModifyAsync)
            .WithSummary("Change a live order's quantity (not below what has filled), limit or stop, checked as at entry; its cash or shares held follow.")
            .Accepts<PaperOrderChangeRequest>("application/json")
            .Produces<PaperOrderResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapDelete("/orders/{orderId:long}", async (long orderId, HttpContext http, OrderEntry entry, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var outcome = await entry.CancelAsync(http.UserIdOf(), orderId, ct);
                return !outcome.Found ? NotFound(L) : outcome.Error is { } error ? OrderProblem(error, L) : Results.Ok(PaperOrderResponse.From(outcome.Value!, L));
            })
            .WithSummary("Cancel a live order: the cash or shares it held are released. Returns the cancelled order; 409 when it is no longer live.")
            .Produces<PaperOrderResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> OpenAsync(HttpContext http, PaperAccounts accounts, IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        var (request, problem) = await PortfoliosApi.ReadAsync<PaperAccountRequest>(http, L);
        if (problem is not null)
        {
            return problem;
        }
        var userId = http.UserIdOf();
        var outcome = await accounts.OpenAsync(userId, new PaperAccountInput(request!.Name, request.StartingCash, request.CompetitionId), ct);
        if (outcome.Error is { } error)
        {
            return new[] { error }.ToProblem(L);
        }
        var view = await accounts.GetAsync(userId, outcome.Value!.Id, ct);
        return Results.Created($"/api/paper/accounts/{outcome.Value.Id}", PaperAccountResponse.From(view!));
    }

    private static async Task<IResult> ListOrdersAsync(int id, string? status, string? take, HttpContext http, OrderQueries orders, IStringLocalizer<SharedResource> L,
        CancellationToken ct)
    {
        var which = string.IsNullOrWhiteSpace(status) ? "all" : status.Trim().ToLowerInvariant();
        var errors = new List<FieldError>();
        if (which is not ("open" or "done" or "all"))
        {
            errors.Add(new FieldError("status", new Text("Use one of: {0}.", "open, done, all")));
        }
        var count = Take(take, errors);
        if (errors.Count > 0)
        {
            return errors.ToProblem(L);
        }
        var userId = http.UserIdOf();
        var open = which == "done" ? [] : await orders.OpenAsync(userId, id, ct);
        var done = which == "open" ? [] : await orders.HistoryAsync(userId, id, count, ct);
        return open is null || done is null ? NotFound(L)
            : Results.Ok(open.Concat(done).OrderByDescending(o => o.Id).Select(o => PaperOrderResponse.From(o, L)).ToList());
    }

    private static async Task<IResult> FillsAsync(int id, string? take, HttpContext http, OrderQueries orders, IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        var count = Take(take, errors);
        if (errors.Count > 0)
        {
            return errors.ToProblem(L);
        }
        return await orders.FillsAsync(http.UserIdOf(), id, count, ct) is { } fills
            ? Results.Ok(fills.Select(f => new PaperFillResponse(f.OrderId, f.Ticker, f.Side, f.Quantity, f.Price, f.Fees, f.Time)).ToList())
            : NotFound(L);
    }

    private static int Take(string? take, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(take))
        {
            return DefaultTake;
        }
        if (int.TryParse(take.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxTake)
        {
            return n;
        }
        errors.Add(new FieldError("take", new Text("Enter a whole number from 1 to {0}.", MaxTake)));
        return DefaultTake;
    }

    private static async Task<IResult> PlaceAsync(int id, HttpContext http, PaperAccounts accounts, OrderEntry entry, IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        var userId = http.UserIdOf();
        // Not theirs is 404 whatever the body says.
        if (!await accounts.OwnsAsync(userId, id, ct))
        {
            return NotFound(L);
        }
        var (input, problem) = await ReadOrderAsync(http, L);
        if (problem is not null)
        {
            return problem;
        }
        var outcome = await entry.PlaceAsync(userId, id, input!, ct);
        return !outcome.Found ? NotFound(L)
            : outcome.Error is { } error ? Refusal(error, L, "Order refused")
            : Results.Created($"/api/paper/orders/{outcome.Value!.Id}", PaperOrderResponse.From(outcome.Value, L));
    }

    private static async Task<IResult> CheckAsync(int id, HttpContext http, PaperAccounts accounts, OrderEntry entry, IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        var userId = http.UserIdOf();
        if (!await accounts.OwnsAsync(userId, id, ct))
        {
            return NotFound(L);
        }
        var (input, problem) = await ReadOrderAsync(http, L);
        if (problem is not null)
        {
            return problem;
        }
        var outcome = await entry.CheckAsync(userId, id, input!, ct);
        if (!outcome.Found)
        {
            return NotFound(L);
        }
        if (outcome.Error is { } error)
        {
            return new[] { error }.ToProblem(L);
        }
        var c = outcome.Value!;
        return Results.Ok(new PaperOrderCheckResponse(c.Ticker, c.Reference, c.Band.Low, c.Band.High, c.Tick, c.Last, c.EstimatedPrice, c.Amount, c.Fees, c.Total,
            c.AvailableCash, c.AvailableShares, c.WaitsForSession));
    }

    private static async Task<IResult> ModifyAsync(long orderId, HttpContext http, OrderQueries orders, OrderEntry entry, IStringLocalizer<SharedResource> L,
        CancellationToken ct)
    {
        var userId = http.UserIdOf();
        if (await orders.FindAsync(userId, orderId, ct) is null)
        {
            return NotFound(L);
        }
        var (request, problem) = await PortfoliosApi.ReadAsync<PaperOrderChangeRequest>(http, L);
        if (problem is not null)
        {
            return problem;
        }
        var quantity = WholeShares(request!.Quantity, nameof(OrderChange.Quantity), out var quantityError);
        if (quantityError is not null)
        {
            return new[] { quantityError }.ToProblem(L);
        }
        var outcome = await entry.ModifyAsync(userId, orderId, new OrderChange(quantity, request.LimitPrice, request.StopPrice), ct);
        return !outcome.Found ? NotFound(L)
            : outcome.Error is { } error ? OrderProblem(error, L)
            : Results.Ok(PaperOrderResponse.From(outcome.Value!, L));
    }

    /// <summary>
    /// An order's refusal: the one with no field (the order is no longer live: filled, cancelled or expired meanwhile)
    /// is a conflict with the order's state (409), the others are the field's (400).
    /// </summary>
    private static IResult OrderProblem(FieldError error, IStringLocalizer L) => Refusal(error, L, "The order is no longer open");

    /// <summary>A refusal of no field (a rule of the account's or order's state, not of the input) is a 409 with the rule as its detail.</summary>
    private static IResult Refusal(FieldError error, IStringLocalizer L, string title) =>
        error.Field.Length == 0 && !error.LimitReached
            ? Results.Problem(title: L[title], detail: error.Message.In(L), statusCode: StatusCodes.Status409Conflict)
            : new[] { error }.ToProblem(L);

    /// <summary>The body as an order; enum numbers that name nothing and fractional quantities are refused on their field.</summary>
    private static async Task<(OrderInput? Input, IResult? Problem)> ReadOrderAsync(HttpContext http, IStringLocalizer L)
    {
        var (request, problem) = await PortfoliosApi.ReadAsync<PaperOrderRequest>(http, L);
        if (problem is not null)
        {
            return (null, problem);
        }
        var r = request!;
        FieldError? error = null;
        if (r.Side is { } side && !Enum.IsDefined(side))
        {
            error = new FieldError(nameof(PaperOrderRequest.Side), OneOf(Enum.GetNames<OrderSide>()));
        }
        else if (r.Type is { } type && !Enum.IsDefined(type))
        {
            error = new FieldError(nameof(PaperOrderRequest.Type), OneOf(Enum.GetNames<OrderType>()));
        }
        else if (r.Validity is { } validity && !Enum.IsDefined(validity))
        {
            error = new FieldError(nameof(PaperOrderRequest.Validity), OneOf(Enum.GetNames<OrderValidity>()));
        }
        var quantity = WholeShares(r.Quantity, nameof(PaperOrderRequest.Quantity), out var quantityError);
        error ??= quantityError;
        return error is not null
            ? (null, new[] { error }.ToProblem(L))
            : (new OrderInput(r.Ticker, r.Side, r.Type, quantity, r.LimitPrice, r.StopPrice, r.Validity, r.ExpiresOn), null);
    }

    private static long? WholeShares(decimal? quantity, string field, out FieldError? error)
    {
        error = null;
        if (quantity is not { } q)
        {
            return null;
        }
        if (q != decimal.Truncate(q))
        {
            error = new FieldError(field, new Text("Enter a whole number of shares, at least 1."));
            return null;
        }
        // Beyond any cap: the service refuses it with the cap in its message.
        return q > long.MaxValue ? long.MaxValue : q < long.MinValue ? long.MinValue : (long)q;
    }

    private static PaperOrderEventResponse Event(PaperOrderEvent e, IStringLocalizer L) =>
        new(e.Kind, e.State, e.Time, e.Quantity, e.Price, e.Fees, e.Reason is { } reason ? L[reason].Value : null);

    private static Text OneOf(IEnumerable<string> names) => new("Use one of: {0}.", string.Join(", ", names));

    private static IResult NotFound(IStringLocalizer L) =>
        Results.Problem(title: L["Not found"], detail: L["No such paper account or order."], statusCode: StatusCodes.Status404NotFound);
}
