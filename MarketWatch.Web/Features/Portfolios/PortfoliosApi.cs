using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Infrastructure.Web;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>A portfolio as a client sends it: POST creates one, PUT replaces its settings.</summary>
/// <param name="Name">1–60 characters.</param>
/// <param name="Currency">The base currency: MAD (the default) is the only one, as every amount on the Casablanca exchange is in dirhams.</param>
/// <param name="Description">Up to 500 characters; optional.</param>
/// <param name="Kind">Real (the default). Paper portfolios are opened as paper-trading accounts (/api/paper/accounts) and are refused here.</param>
/// <param name="AccountAtBank">The account is held at a bank: the fee schedule's custody/settlement fee is added to trades whose fees are omitted.</param>
public sealed record PortfolioRequest(string? Name, string? Currency, string? Description, PortfolioKind? Kind, bool? AccountAtBank);

/// <summary>One of your portfolios, as the list shows it.</summary>
/// <param name="Id">The portfolio's id in every other URL.</param>
/// <param name="Name">Its name.</param>
/// <param name="Currency">Its base currency (MAD).</param>
/// <param name="Description">Its description, if any.</param>
/// <param name="Kind">Real (or Paper, from paper trading).</param>
/// <param name="Transactions">How many transactions it holds.</param>
/// <param name="Shared">A read-only share link is on.</param>
public sealed record PortfolioResponse(int Id, string Name, string Currency, string? Description, PortfolioKind Kind, int Transactions, bool Shared);

/// <summary>A portfolio with its figures now (holdings valued at the latest quotes).</summary>
/// <param name="Id">The portfolio's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Currency">Its base currency (MAD); every amount is in it.</param>
/// <param name="Description">Its description, if any.</param>
/// <param name="Kind">Real (or Paper).</param>
/// <param name="AccountAtBank">Trades get the custody/settlement fee by default.</param>
/// <param name="Shared">A read-only share link is on.</param>
/// <param name="Figures">Value, cash, invested, day change, total return and what was realized, received and paid.</param>
public sealed record PortfolioDetailResponse(int Id, string Name, string Currency, string? Description, PortfolioKind Kind, bool AccountAtBank, bool Shared,
    PortfolioFigures Figures);

/// <summary>A portfolio's figures now. Amounts in the base currency; percentages in percent (1.5 = 1.5 %).</summary>
/// <param name="Value">Holdings at market value, plus cash when the portfolio tracks cash.</param>
/// <param name="HoldingsValue">Holdings at market value.</param>
/// <param name="Cash">Cash (0 unless deposits or withdrawals were recorded).</param>
/// <param name="TracksCash">The portfolio has deposits or withdrawals, so its cash is tracked.</param>
/// <param name="Invested">Net money put in.</param>
/// <param name="DayChange">Change in value since the previous close.</param>
/// <param name="DayChangePercent">The same, in percent.</param>
/// <param name="TotalReturn">Value plus everything taken out, minus everything put in.</param>
/// <param name="TotalReturnPercent">The same, in percent of what was invested.</param>
/// <param name="Realized">Realized gains and losses of sales (weighted average cost, net of fees).</param>
/// <param name="Dividends">Dividends received.</param>
/// <param name="Fees">Fees paid.</param>
/// <param name="Taxes">Taxes withheld.</param>
/// <param name="Holdings">How many instruments are held.</param>
public sealed record PortfolioFigures(decimal Value, decimal HoldingsValue, decimal Cash, bool TracksCash, decimal Invested, decimal DayChange,
    decimal DayChangePercent, decimal TotalReturn, decimal TotalReturnPercent, decimal Realized, decimal Dividends, decimal Fees, decimal Taxes, int Holdings)
{
    public static PortfolioFigures From(PortfolioSnapshot s) => new(s.Value, s.HoldingsValue, s.Cash, s.TracksCash, s.Invested, s.DayChange,
        s.DayChangePercent, s.TotalReturn, s.TotalReturnPercent, s.Realized, s.Dividends, s.Fees, s.Taxes, s.Holdings.Count);
}

/// <summary>
/// A transaction as a client sends it (POST adds one, PUT replaces one, preview shows its effect). What each type needs:
/// Buy and Sell: ticker (or isin), quantity, price. Dividend: ticker, quantity (shares) and price (per share), gross.
/// Deposit, Withdrawal and Fee: amount. Split and Bonus: ticker and ratio.
/// </summary>
/// <param name="Type">Buy, Sell, Dividend, Fee, Deposit, Withdrawal, Split or Bonus.</param>
/// <param name="Date">The trade or payment date (YYYY-MM-DD), never in the future.</param>
/// <param name="Time">The time of day (HH:MM:SS, exchange time), optional: it orders transactions of the same day.</param>
/// <param name="Ticker">The instrument's ticker (ATW); or give isin instead.</param>
/// <param name="Isin">The instrument's ISIN (MA0000012445), instead of the ticker.</param>
/// <param name="Quantity">Shares, more than 0.</param>
/// <param name="Price">Price per share, in the portfolio's currency.</param>
/// <param name="Amount">The amount of a Deposit, Withdrawal or Fee.</param>
/// <param name="Fees">Fees charged. Omitted: the fee schedule's estimate (brokerage, exchange commission, settlement at a bank, VAT). 0: none.</param>
/// <param name="Taxes">Tax withheld. Omitted: the schedule's (capital-gains tax on a sell's gain, dividend withholding). 0: none (a net dividend).</param>
/// <param name="Ratio">Split: new shares per share (2 = two-for-one). Bonus: free shares per share held (0.1 = one for ten).</param>
/// <param name="Note">Up to 500 characters; optional.</param>
public sealed record TransactionRequest(TransactionType? Type, DateOnly? Date, TimeOnly? Time, string? Ticker, string? Isin, decimal? Quantity, decimal? Price,
    decimal? Amount, decimal? Fees, decimal? Taxes, decimal? Ratio, string? Note)
{
    public TransactionInput ToInput() => new(Type, Date, Time, Ticker ?? Isin, Quantity, Price, Amount, Fees, Taxes, Ratio, Note);
}

/// <summary>A stored transaction, with the fees and taxes it was saved with (the schedule's, where the request omitted them).</summary>
/// <param name="Id">The transaction's id.</param>
/// <param name="Type">Buy, Sell, Dividend, Fee, Deposit, Withdrawal, Split or Bonus.</param>
/// <param name="Date">Its date.</param>
/// <param name="Time">Its time of day, if given.</param>
/// <param name="Ticker">The instrument's ticker (null for Deposit, Withdrawal and a portfolio fee).</param>
/// <param name="Isin">The instrument's ISIN, when known.</param>
/// <param name="InstrumentName">The instrument's name.</param>
/// <param name="Quantity">Shares.</param>
/// <param name="Price">Price per share.</param>
/// <param name="Amount">Quantity × price for Buy, Sell and Dividend; the amount itself for Deposit, Withdrawal and Fee.</param>
/// <param name="Fees">Fees, as resolved.</param>
/// <param name="Taxes">Taxes, as resolved.</param>
/// <param name="Ratio">The ratio of a Split or Bonus.</param>
/// <param name="Note">Its note.</param>
/// <param name="CreatedAt">When it was recorded.</param>
public sealed record TransactionResponse(long Id, TransactionType Type, DateOnly Date, TimeOnly? Time, string? Ticker, string? Isin, string? InstrumentName,
    decimal Quantity, decimal Price, decimal Amount, decimal Fees, decimal Taxes, decimal? Ratio, string? Note, DateTimeOffset CreatedAt)
{
    public static TransactionResponse From(PortfolioTransaction t) => new(t.Id, t.Type, t.Date, t.Time, t.Instrument?.Ticker, t.Instrument?.Isin,
        t.Instrument?.Name, t.Quantity, t.Price, t.Amount, t.Fees, t.Taxes, t.Ratio, t.Note, t.CreatedAt);
}

/// <summary>A position's state (weighted average cost).</summary>
/// <param name="Quantity">Shares held.</param>
/// <param name="AverageCost">Average cost per share, fees included.</param>
/// <param name="Cost">Cost of the shares held.</param>
/// <param name="Realized">Realized gains and losses so far.</param>
public sealed record PositionResponse(decimal Quantity, decimal AverageCost, decimal Cost, decimal Realized)
{
    public static PositionResponse? From(PositionSnapshot? p) => p is null ? null : new(p.Quantity, p.AverageCost, p.Cost, p.Realized);
}

/// <summary>What a transaction would do, computed and not saved.</summary>
/// <param name="Ticker">The instrument, if any.</param>
/// <param name="Before">The position before the transaction.</param>
/// <param name="After">The position after it.</param>
/// <param name="Fees">The fees it would be saved with.</param>
/// <param name="Taxes">The taxes it would be saved with.</param>
/// <param name="RealizedGain">A sell's realized gain (net of fees).</param>
/// <param name="CashBefore">Cash before, when the portfolio tracks cash.</param>
/// <param name="CashAfter">Cash after.</param>
public sealed record PreviewResponse(string? Ticker, PositionResponse? Before, PositionResponse? After, decimal Fees, decimal Taxes, decimal? RealizedGain,
    decimal? CashBefore, decimal? CashAfter)
{
    public static PreviewResponse From(TransactionPreview p) =>
        new(p.Ticker, PositionResponse.From(p.Before), PositionResponse.From(p.After), p.Fees, p.Taxes, p.RealizedGain, p.CashBefore, p.CashAfter);
}

/// <summary>One holding, valued at the latest quote. Amounts in the portfolio's currency; percentages in percent (1.5 = 1.5 %).</summary>
/// <param name="Ticker">The instrument's ticker.</param>
/// <param name="Name">Its name.</param>
/// <param name="Sector">Its sector.</param>
/// <param name="Quantity">Shares held (0 for a closed position).</param>
/// <param name="AverageCost">Average cost per share (weighted average cost, fees included).</param>
/// <param name="Cost">Cost of the shares held.</param>
/// <param name="Last">The latest price, if quoted.</param>
/// <param name="PreviousClose">The previous close.</param>
/// <param name="QuoteTime">When the latest price was quoted.</param>
/// <param name="MarketValue">Quantity × last.</param>
/// <param name="UnrealizedPnl">Market value minus cost.</param>
/// <param name="UnrealizedPercent">The same, in percent of cost.</param>
/// <param name="DayChange">Change in value since the previous close.</param>
/// <param name="DayChangePercent">The same, in percent.</param>
/// <param name="Weight">Share of the holdings' value, in percent.</param>
/// <param name="Realized">Realized gains and losses of its sales.</param>
/// <param name="Dividends">Dividends received from it.</param>
public sealed record HoldingResponse(string Ticker, string Name, string Sector, decimal Quantity, decimal AverageCost, decimal Cost, decimal? Last,
    decimal? PreviousClose, DateTimeOffset? QuoteTime, decimal MarketValue, decimal UnrealizedPnl, decimal UnrealizedPercent, decimal DayChange,
    decimal DayChangePercent, decimal Weight, decimal Realized, decimal Dividends)
{
    public static HoldingResponse From(HoldingRow h) => new(h.Ticker, h.Name, h.Sector, h.Quantity, h.AverageCost, h.Cost, h.Last, h.PreviousClose,
        h.QuoteTime, h.MarketValue, h.UnrealizedPnl, h.UnrealizedPercent, h.DayChange, h.DayChangePercent, h.Weight, h.Realized, h.Dividends);
}

/// <summary>A portfolio's holdings: what is held (by value, largest first) and the positions sold out.</summary>
/// <param name="Holdings">Held now.</param>
/// <param name="Closed">Sold out, with their realized gains and dividends.</param>
/// <param name="Figures">The portfolio's figures, from the same valuation.</param>
public sealed record HoldingsResponse(IReadOnlyList<HoldingResponse> Holdings, IReadOnlyList<HoldingResponse> Closed, PortfolioFigures Figures);

/// <summary>One day of the performance series.</summary>
/// <param name="Date">The day.</param>
/// <param name="Value">The portfolio's value at that day's close.</param>
/// <param name="Invested">Net money put in by then.</param>
/// <param name="PortfolioIndex">Time-weighted growth: 100 at the range's start.</param>
/// <param name="MasiIndex">The MASI index on the same scale (100 at the start), when known.</param>
public sealed record PerformancePointResponse(DateOnly Date, decimal Value, decimal Invested, decimal PortfolioIndex, decimal? MasiIndex);

/// <summary>The figures of one range. Returns are fractions (0.12 = 12 %); null when the range holds too little history.</summary>
/// <param name="Range">1D, 1W, 1M, YTD, 1Y, 3Y, 5Y or ALL.</param>
/// <param name="From">First day of the range.</param>
/// <param name="To">Last day of the range.</param>
/// <param name="Twr">Time-weighted return, chain-linked daily (deposits and withdrawals are not performance).</param>
/// <param name="Xirr">Money-weighted return (XIRR): annualised when from–to spans a year or more, the period's own return (not annualised) under a year.</param>
/// <param name="MasiTwr">The MASI's return over the same days.</param>
/// <param name="MaxDrawdown">The largest fall from a peak.</param>
/// <param name="Volatility">Annualised volatility of daily returns.</param>
public sealed record RangeFiguresResponse(string Range, DateOnly From, DateOnly To, decimal? Twr, decimal? Xirr, decimal? MasiTwr, decimal? MaxDrawdown,
    decimal? Volatility);

/// <summary>A portfolio's performance over a range: the chart's series, the range's figures and every range's figures.</summary>
/// <param name="Range">The range asked for.</param>
/// <param name="Series">One point per trading day of the range.</param>
/// <param name="Figures">The range's figures.</param>
/// <param name="Ranges">Every range's figures (for a table).</param>
public sealed record PerformanceResponse(string Range, IReadOnlyList<PerformancePointResponse> Series, RangeFiguresResponse Figures,
    IReadOnlyList<RangeFiguresResponse> Ranges);

/// <summary>
/// <c>/api/portfolios</c>: the signed-in user's portfolios, their transactions, holdings and performance, with the same
/// services and rules as the pages. Another user's portfolio or transaction is 404 on every route. Bodies are read here
/// (<see cref="ReadAsync{T}"/>) rather than by the framework's binder, so that a value that cannot be read (an unknown
/// type, a date that is not a date, a NUL) is a 400 naming its field, like every other refusal.
/// </summary>
public static partial class PortfoliosApi
{
    public const string Currency = "MAD";

    public static IEndpointRouteBuilder MapPortfoliosApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/portfolios").WithTags("Portfolios").RequireAuthorization();
        api.MapGet("/", async (HttpContext http, PortfolioService portfolios, CancellationToken ct) =>
                Results.Ok((await portfolios.ListAsync(http.UserIdOf(), ct)).Select(p => new PortfolioResponse(p.Id, p.Name, p.Currency, p.Description, p.Kind, p.Transactions, p.Shared))))
            .WithSummary("Your portfolios.").Produces<List<PortfolioResponse>>();
        api.MapPost("/", CreateAsync)
            .WithSummary("Create a portfolio (name 1–60 characters, currency MAD, kind Real); 409 when you hold the most portfolios allowed (10 by default).")
            .Accepts<PortfolioRequest>("application/json")
            .Produces<PortfolioDetailResponse>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/{id:int}", async (int id, HttpContext http, PortfolioHoldings holdings, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await holdings.GetAsync(http.UserIdOf(), id, ct) is { } snapshot ? Results.Ok(Detail(snapshot)) : NotFound(L))
            .WithSummary("One portfolio with its figures now: value, cash, invested, day change, total return.")
            .Produces<PortfolioDetailResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/{id:int}", UpdateAsync)
            .WithSummary("Replace a portfolio's name, description and bank setting (its transactions stay).")
            .Accepts<PortfolioRequest>("application/json")
            .Produces<PortfolioDetailResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/{id:int}", async (int id, HttpContext http, PortfolioService portfolios, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await portfolios.FindAsync(http.UserIdOf(), id, ct) is { Kind: PortfolioKind.Paper }
                    ? Results.Problem(title: L["A paper trading account"],
                        detail: L["This portfolio is a paper trading account: delete it on its account page, /paper/{0}.", id],
                        statusCode: StatusCodes.Status409Conflict)
                    : await portfolios.DeleteAsync(http.UserIdOf(), id, ct) ? Results.NoContent() : NotFound(L))
            .WithSummary("Delete a portfolio and all its transactions (a paper trading account is deleted at /paper/{id} instead: 409).")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        api.MapGet("/{id:int}/transactions", ListTransactionsAsync)
            .WithSummary("A portfolio's transactions, newest first; filter by type (Buy, Sell, Dividend, Fee, Deposit, Withdrawal, Split, Bonus), ticker, from and to (YYYY-MM-DD, inclusive).")
            .Produces<List<TransactionResponse>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/{id:int}/transactions", AddTransactionAsync)
            .WithSummary("Record a transaction. Fees and taxes omitted take the fee schedule's defaults; 0 means none. A sell beyond the shares held at its date is refused.")
            .Accepts<TransactionRequest>("application/json")
            .Produces<TransactionResponse>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/{id:int}/transactions/preview", PreviewAsync)
            .WithSummary("What a transaction would do to its position and cash, without saving it; with txId, what replacing that transaction would do.")
            .Accepts<TransactionRequest>("application/json")
            .Produces<PreviewResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{id:int}/transactions/{txId:long}", async (int id, long txId, HttpContext http, PortfolioTransactions transactions, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await transactions.FindAsync(http.UserIdOf(), id, txId, ct) is { } t ? Results.Ok(TransactionResponse.From(t)) : NotFound(L))
            .WithSummary("One transaction.").Produces<TransactionResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/{id:int}/transactions/{txId:long}", UpdateTransactionAsync)
            .WithSummary("Replace a transaction (every field, as when adding one); refused when it would make a later sell impossible.")
            .Accepts<TransactionRequest>("application/json")
            .Produces<TransactionResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/{id:int}/transactions/{txId:long}", async (int id, long txId, HttpContext http, PortfolioTransactions transactions, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
            {
                var outcome = await transactions.DeleteAsync(http.UserIdOf(), id, txId, ct);
                return !outcome.Found ? NotFound(L) : outcome.Error is { } error ? new[] { error }.ToProblem(L) : Results.NoContent();
            })
            .WithSummary("Delete a transaction; refused when a later sell would then exceed the shares held.")
            .Produces(StatusCodes.Status204NoContent).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/{id:int}/holdings", async (int id, HttpContext http, PortfolioHoldings holdings, IStringLocalizer<SharedResource> L, CancellationToken ct) =>
                await holdings.GetAsync(http.UserIdOf(), id, ct) is { } s
                    ? Results.Ok(new HoldingsResponse(s.Holdings.Select(HoldingResponse.From).ToList(), s.Closed.Select(HoldingResponse.From).ToList(), PortfolioFigures.From(s)))
                    : NotFound(L))
            .WithSummary("What the portfolio holds, valued at the latest quotes, and the positions sold out.")
            .Produces<HoldingsResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{id:int}/performance", PerformanceAsync)
            .WithSummary("Performance over a range (1D, 1W, 1M, YTD, 1Y, 3Y, 5Y, ALL; 1Y when omitted): the daily series against the MASI, time- and money-weighted returns, drawdown, volatility.")
            .Produces<PerformanceResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, PortfolioService portfolios, PortfolioHoldings holdings, IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        var (request, problem) = await ReadAsync<PortfolioRequest>(http, L);
        if (problem is not null)
        {
            return problem;
        }
        if (Refusals(request!).ToList() is { Count: > 0 } refused)
        {
            return refused.ToProblem(L);
        }
        var userId = http.UserIdOf();
        var outcome = await portfolios.CreateAsync(userId, Input(request!), ct);
        if (outcome.Error is { } error)
        {
            return new[] { error }.ToProblem(L);
        }
        var snapshot = await holdings.GetAsync(userId, outcome.Value!.Id, ct);
        return Results.Created($"/api/portfolios/{outcome.Value.Id}", Detail(snapshot!));
    }

    private static async Task<IResult> UpdateAsync(int id, HttpContext http, PortfolioService portfolios, PortfolioHoldings holdings, IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        var userId = http.UserIdOf();
        // Not theirs is 404 whatever the body says: nothing about another user's portfolio comes back as a field error.
        if (await portfolios.FindAsync(userId, id, ct) is null)
        {
            return NotFound(L);
        }
        var (request, problem) = await ReadAsync<PortfolioRequest>(http, L);
        if (problem is not null)
        {
            return problem;
        }
        if (Refusals(request!).ToList() is { Count: > 0 } refused)
        {
            return refused.ToProblem(L);
        }
        var outcome = await portfolios.UpdateAsync(userId, id, Input(request!), ct);
        if (!outcome.Found)
        {
            return NotFound(L);
        }
        if (outcome.Error is { } error)
        {
            return new[] { error }.ToProblem(L);
        }
        return await holdings.GetAsync(userId, id, ct) is { } snapshot ? Results.Ok(Detail(snapshot)) : NotFound(L);
    }

    /// <summary>What the API refuses before the service sees the request: another currency, a paper portfolio.</summary>
    private static IEnumerable<FieldError> Refusals(PortfolioRequest request)
    {
        if (request.Currency is { } currency && !currency.Trim().Equals(Currency, StringComparison.OrdinalIgnoreCase))
        {
            yield return new FieldError(nameof(PortfolioRequest.Currency), new Text("Portfolios are kept in Moroccan dirhams: the currency can only be MAD."));
        }
        if (request.Kind is { } kind && !Enum.IsDefined(kind))
        {
            yield return new FieldError(nameof(PortfolioRequest.Kind), OneOf([nameof(PortfolioKind.Real)]));
        }
        if (request.Kind == PortfolioKind.Paper)
        {
            yield return new FieldError(nameof(PortfolioRequest.Kind), new Text("Paper portfolios are opened through paper trading (POST /api/paper/accounts): use Real here."));
        }
    }

    private static PortfolioInput Input(PortfolioRequest request) =>
        new(request.Name, request.Description, request.Kind ?? PortfolioKind.Real, request.AccountAtBank ?? false);

    private static PortfolioDetailResponse Detail(PortfolioSnapshot s) =>
        new(s.Portfolio.Id, s.Portfolio.Name, s.Portfolio.Currency, s.Portfolio.Description, s.Portfolio.Kind, s.Portfolio.AccountAtBank,
            s.Portfolio.ShareToken is not null, PortfolioFigures.From(s));

    private static async Task<IResult> ListTransactionsAsync(int id, string? type, string? ticker, string? from, string? to, HttpContext http,
        PortfolioTransactions transactions, IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        TransactionType? typeFilter = null;
        if (!string.IsNullOrWhiteSpace(type))
        {
            if (Enum.TryParse<TransactionType>(type.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(type, out _))
            {
                typeFilter = parsed;
            }
            else
            {
                errors.Add(new FieldError("type", OneOf(Enum.GetNames<TransactionType>())));
            }
        }
        var fromDate = DateFilter(from, "from", errors);
        var toDate = DateFilter(to, "to", errors);
        if (errors.Count > 0)
        {
            return errors.ToProblem(L);
        }
        var filter = new TransactionFilter(typeFilter, string.IsNullOrWhiteSpace(ticker) ? null : ticker.Trim(), fromDate, toDate);
        return await transactions.ListAsync(http.UserIdOf(), id, filter, ct) is { } list
            ? Results.Ok(list.Select(TransactionResponse.From).ToList())
            : NotFound(L);
    }

    private static DateOnly? DateFilter(string? value, string field, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }
        errors.Add(new FieldError(field, new Text("Enter a date as YYYY-MM-DD.")));
        return null;
    }

    private static async Task<IResult> AddTransactionAsync(int id, HttpContext http, PortfolioService portfolios, PortfolioTransactions transactions,
        IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        var userId = http.UserIdOf();
        if (await portfolios.FindAsync(userId, id, ct) is null)
        {
            return NotFound(L);
        }
        var (request, problem) = await ReadTransactionAsync(http, L);
        if (problem is not null)
        {
            return problem;
        }
        var outcome = await transactions.AddAsync(userId, id, request!.ToInput(), ct);
        if (!outcome.Found)
        {
            return NotFound(L);
        }
        if (outcome.Error is { } error)
        {
            return TransactionProblem(error, request, L);
        }
        var saved = await transactions.FindAsync(userId, id, outcome.Value!.Id, ct) ?? outcome.Value;
        return Results.Created($"/api/portfolios/{id}/transactions/{saved.Id}", TransactionResponse.From(saved));
    }

    private static async Task<IResult> UpdateTransactionAsync(int id, long txId, HttpContext http, PortfolioTransactions transactions,
        IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        var userId = http.UserIdOf();
        if (await transactions.FindAsync(userId, id, txId, ct) is null)
        {
            return NotFound(L);
        }
        var (request, problem) = await ReadTransactionAsync(http, L);
        if (problem is not null)
        {
            return problem;
        }
        var outcome = await transactions.UpdateAsync(userId, id, txId, request!.ToInput(), ct);
        if (!outcome.Found)
        {
            return NotFound(L);
        }
        if (outcome.Error is { } error)
        {
            return TransactionProblem(error, request, L);
        }
        var saved = await transactions.FindAsync(userId, id, txId, ct) ?? outcome.Value!;
        return Results.Ok(TransactionResponse.From(saved));
    }

    private static async Task<IResult> PreviewAsync(int id, string? txId, HttpContext http, PortfolioService portfolios, PortfolioTransactions transactions,
        IStringLocalizer<SharedResource> L, CancellationToken ct)
    {
        long? replacing = null;
        if (!string.IsNullOrWhiteSpace(txId))
        {
            if (!long.TryParse(txId, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return new[] { new FieldError("txId", new Text("Enter a transaction id.")) }.ToProblem(L);
            }
            replacing = parsed;
        }
        var userId = http.UserIdOf();
        if (replacing is { } replaced ? await transactions.FindAsync(userId, id, replaced, ct) is null : await portfolios.FindAsync(userId, id, ct) is null)
        {
            return NotFound(L);
        }
        var (request, problem) = await ReadTransactionAsync(http, L);
        if (problem is not null)
        {
            return problem;
        }
        var outcome = await transactions.PreviewAsync(userId, id, replacing, request!.ToInput(), ct);
        if (!outcome.Found)
        {
            return NotFound(L);
        }
        return outcome.Error is { } error ? TransactionProblem(error, request, L) : Results.Ok(PreviewResponse.From(outcome.Value!));
    }

    private static async Task<(TransactionRequest? Request, IResult? Problem)> ReadTransactionAsync(HttpContext http, IStringLocalizer L)
    {
        var (request, problem) = await ReadAsync<TransactionRequest>(http, L);
        if (problem is not null)
        {
            return (null, problem);
        }
        // Enum names are read, and so are numbers (as for every enum of the API): a number that names no type is refused here.
        if (request!.Type is { } type && !Enum.IsDefined(type))
        {
            problem = new[] { new FieldError(nameof(TransactionRequest.Type), OneOf(Enum.GetNames<TransactionType>())) }.ToProblem(L);
        }
        else if (!string.IsNullOrWhiteSpace(request.Ticker) && !string.IsNullOrWhiteSpace(request.Isin))
        {
            problem = new[] { new FieldError(nameof(TransactionRequest.Isin), new Text("Give the ticker or the ISIN, not both.")) }.ToProblem(L);
        }
        return (request, problem);
    }

    /// <summary>The service names the instrument "ticker" whichever the client gave: an ISIN's error goes back on "isin".</summary>
    private static IResult TransactionProblem(FieldError error, TransactionRequest request, IStringLocalizer L) =>
        new[] { error.Field.Equals(nameof(TransactionInput.Ticker), StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(request.Ticker) && request.Isin is not null
            ? error with { Field = nameof(TransactionRequest.Isin) } : error }.ToProblem(L);

    private static async Task<IResult> PerformanceAsync(int id, string? range, HttpContext http, PortfolioPerformance performance, IStringLocalizer<SharedResource> L,
        CancellationToken ct)
    {
        var parsed = PerformanceRange.Y1;
        if (!string.IsNullOrWhiteSpace(range) && !PerformanceRanges.TryParse(range, out parsed))
        {
            return new[] { new FieldError("range", OneOf(PerformanceRanges.All.Select(r => r.Code()))) }.ToProblem(L);
        }
        return await performance.GetAsync(http.UserIdOf(), id, parsed, ct) is { } report
            ? Results.Ok(new PerformanceResponse(report.Range.Code(),
                report.Series.Select(p => new PerformancePointResponse(p.Date, p.Value, p.Invested, p.PortfolioIndex, p.MasiIndex)).ToList(),
                Figures(report.Figures), report.Ranges.Select(Figures).ToList()))
            : NotFound(L);
    }

    private static RangeFiguresResponse Figures(RangeFigures f) => new(f.Range.Code(), f.From, f.To, f.Twr, f.Xirr, f.MasiTwr, f.MaxDrawdown, f.Volatility);

    private static Text OneOf(IEnumerable<string> names) => new Text("Use one of: {0}.", string.Join(", ", names));

    /// <summary>
    /// The JSON body as <typeparamref name="T"/>, or the 400 that says what is wrong with it: not JSON at all (field
    /// "body"), or a value that cannot be read as its property's type (that property, camelCase). Strings go through the
    /// app's JSON options, so the input rule (no NUL) holds here as for every other body.
    /// </summary>
    internal static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpContext http, IStringLocalizer L) where T : class
    {
        if (!http.Request.HasJsonContentType())
        {
            return (null, Results.Problem(title: L["Unsupported media type"], detail: L["Send the body as JSON (Content-Type: application/json)."],
                statusCode: StatusCodes.Status415UnsupportedMediaType));
        }
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException)
        {
            return (null, BodyProblem(L));
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, BodyProblem(L));
            }
            var options = http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
            try
            {
                return (document.RootElement.Deserialize<T>(options)!, null);
            }
            catch (JsonException ex)
            {
                var field = ex.Path is { } path && JsonPathProperty().Match(path) is { Success: true } match
                    ? (match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value) : "";
                var property = typeof(T).GetProperties().FirstOrDefault(p => p.Name.Equals(field, StringComparison.OrdinalIgnoreCase));
                var message = http.Features.Get<InputRule.Refused>() is not null ? new Text(InputRule.Message) : Unreadable(property?.PropertyType);
                return (null, new[] { new FieldError(property?.Name ?? "body", message) }.ToProblem(L));
            }
        }
    }

    private static IResult BodyProblem(IStringLocalizer L) =>
        new[] { new FieldError("body", new Text("The body is not a JSON object.")) }.ToProblem(L);

    private static Text Unreadable(Type? type) => (type is null ? null : Nullable.GetUnderlyingType(type) ?? type) switch
    {
        { IsEnum: true } e => OneOf(Enum.GetNames(e)),
        { } t when t == typeof(decimal) || t == typeof(int) || t == typeof(long) => new Text("Enter a number."),
        { } t when t == typeof(DateOnly) => new Text("Enter a date as YYYY-MM-DD."),
        { } t when t == typeof(TimeOnly) => new Text("Enter a time as HH:MM:SS."),
        { } t when t == typeof(bool) => new Text("Enter true or false."),
        { } t when t == typeof(string) => new Text("Enter text."),
        _ => new Text("This value cannot be read."),
    };

    [GeneratedRegex(@"^\$(?:\.([A-Za-z0-9_]+)|\['([^']+)'\])")]
    private static partial Regex JsonPathProperty();

    private static IResult NotFound(IStringLocalizer L) =>
        Results.Problem(title: L["Not found"], detail: L["No such portfolio or transaction."], statusCode: StatusCodes.Status404NotFound);
}
