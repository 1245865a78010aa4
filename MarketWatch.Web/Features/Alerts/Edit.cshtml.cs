using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Features.Notifications;
using MarketWatch.Web.Features.Portfolios;
using MarketWatch.Web.Features.Watchlists;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Alerts;

/// <summary>What the live check under the form shows: the problems, and whether the alert would fire at once.</summary>
public sealed record AlertCheck(IReadOnlyList<string> Problems, int HoldsNow, bool ForWatchlist, bool WaitsForSession, string? IndicatorNow = null);

/// <summary>Create (<c>/alerts/new</c>, from an instrument page with its price filled in) or edit (<c>/alerts/{id}/edit</c>) an alert.</summary>
public sealed class EditModel(
    AlertCommands commands,
    AlertValidator validator,
    AlertPreview preview,
    NotificationSettings settings,
    WatchlistService lists,
    PositionAlertLevels positions,
    DbContext db,
    UserManager<ApplicationUser> users,
    TimeProvider clock,
    Market.MarketStatusService market,
    IStringLocalizer<SharedResource> L) : PageModel
{
    [BindProperty]
    public AlertInput Input { get; set; } = new();

    public long? Id { get; private set; }
    public List<WatchlistSummary> Lists { get; private set; } = [];
    /// <summary>Channels the user cannot choose now, with the reason shown next to them.</summary>
    public IReadOnlyDictionary<Channel, Infrastructure.Localization.Text> Unavailable { get; private set; } = new Dictionary<Channel, Infrastructure.Localization.Text>();
    public decimal? CurrentPrice { get; private set; }
    /// <summary>The portfolios a position alert may watch: those holding the stock when it is known, else all the user's.</summary>
    public List<(int Id, string Name)> PortfolioChoices { get; private set; } = [];
    /// <summary>The stock is known and none of the user's portfolios holds it.</summary>
    public bool NoPortfolioHolds { get; private set; }

    private string UserId => users.GetUserId(User)!;

    /// <param name="portfolio">With <paramref name="condition"/> = PositionPnlCrosses: the portfolio holding the stock (the holdings row's link:
    /// <c>/alerts/new?ticker=ATW&amp;portfolio=3&amp;condition=PositionPnlCrosses</c>).</param>
    public async Task<IActionResult> OnGetAsync(long? id, string? ticker, int? watchlistId, int? portfolio, AlertCondition? condition, CancellationToken cancellationToken)
    {
        Id = id;
        if (id is { } existing)
        {
            var alert = await db.Set<Alert>().AsNoTracking().Include(a => a.Instrument).SingleOrDefaultAsync(a => a.Id == existing && a.UserId == UserId, cancellationToken);
            if (alert is null)
            {
                return NotFound();
            }
            Input = AlertInput.From(alert, alert.Instrument?.Ticker, User.TimeZoneOf());
        }
        else
        {
            Input = new AlertInput
            {
                Ticker = watchlistId is null ? ticker?.Trim().ToUpperInvariant() : null,
                WatchlistId = watchlistId,
                // A price level means little across a list of stocks: a list starts with "up 5% on the day".
                Condition = watchlistId is null ? AlertCondition.CrossesUp : AlertCondition.ChangeUp,
                Level = watchlistId is null ? null : 5,
                // The usual RSI's period, valid for every indicator condition (the user picks the N of an average).
                IndicatorPeriod = 14,
                ExpiresOn = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), User.TimeZoneOf()).DateTime).AddDays(Alert.DefaultExpiryDays),
            };
            if (condition is { } asked && Enum.IsDefined(asked) && (watchlistId is null || !AlertRules.IsPosition(asked)))
            {
                Input.Condition = asked;
                if (AlertRules.IsPosition(asked))
                {
                    // A stop-loss reminder 10 % under the average cost is the usual start.
                    Input.PortfolioId = portfolio;
                    Input.Level = -10;
                }
            }
        }
        await LoadAsync(cancellationToken);
        if (id is null && Input.Level is null && CurrentPrice is { } price)
        {
            Input.Level = Math.Round(price, 2);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken cancellationToken)
    {
        Id = id;
        var change = id is { } existing
            ? await commands.UpdateAsync(UserId, existing, Input, User.TimeZoneOf(), cancellationToken)
            : await commands.CreateAsync(UserId, Input, User.TimeZoneOf(), cancellationToken);
        if (!change.Found)
        {
            return NotFound();
        }
        if (change.Errors.Count > 0)
        {
            foreach (var error in change.Errors)
            {
                ModelState.AddModelError(error.Field.Length == 0 ? "" : "Input." + error.Field, error.Message.In(L));
            }
            await LoadAsync(cancellationToken);
            return Page();
        }
        var paused = id is not null && await db.Set<Alert>().AnyAsync(a => a.Id == id && a.Status == AlertStatus.Paused, cancellationToken);
        // A firing from this arming on is one this change caused (edited alerts are armed again from now on).
        var done = clock.GetUtcNow().AddSeconds(-1);
        if (paused)
        {
            TempData["Status"] = L["Alert saved. It stays paused until you resume it."].Value;
        }
        else
        {
            // The list words the confirmation from the same read as its table: a level that already holds fires at once,
            // and the message must not say "armed" next to a row that says "Triggered".
            TempData[IndexModel.DoneKey] = FormattableString.Invariant($"{(id is null ? IndexModel.Created : IndexModel.Saved)}{change.Id}:{done.ToUnixTimeMilliseconds()}");
        }
        return RedirectToPage("/Alerts/Index");
    }

    /// <summary>The live check (htmx, on every change): field problems and "this fires immediately".</summary>
    public async Task<IActionResult> OnPostCheckAsync(long? id, CancellationToken cancellationToken)
    {
        var (errors, _) = await validator.ValidateAsync(UserId, Input, User.TimeZoneOf(), cancellationToken, editing: id);
        var holds = errors.Count == 0 ? await preview.HoldsNowAsync(UserId, Input, cancellationToken) : 0;
        // "RSI(14) now 63.20": what the indicator reads on this stock at its latest price (a valid period only).
        var measured = errors.All(e => e.Field != nameof(AlertInput.IndicatorPeriod)) ? await preview.IndicatorNowAsync(Input, cancellationToken) : null;
        var now = measured is { } value ? AlertText.Now(Input.Condition, Input.IndicatorPeriod, value, L) : null;
        return Partial("_AlertCheck", new AlertCheck(errors.Select(e => e.Message.In(L)).Distinct().ToList(), holds, Input.WatchlistId is not null,
            WaitsForSession: Input.SessionOnly && !market.Now().IsTrading, IndicatorNow: now));
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Lists = await lists.ListAsync(UserId, cancellationToken);
        Unavailable = await settings.UnavailableChannelsAsync(UserId, cancellationToken);
        var ticker = Input.Ticker?.Trim().ToUpperInvariant();
        if (!string.IsNullOrEmpty(ticker))
        {
            CurrentPrice = await db.Quotes.Where(q => db.Set<Instrument>().Any(i => i.Id == q.InstrumentId && i.Ticker == ticker)).Select(q => (decimal?)q.Last)
                .SingleOrDefaultAsync(cancellationToken);
        }
        var instrumentId = string.IsNullOrEmpty(ticker) ? null
            : await db.Instruments.Where(i => i.Ticker == ticker).Select(i => (int?)i.Id).FirstOrDefaultAsync(cancellationToken);
        if (instrumentId is { } held)
        {
            PortfolioChoices = (await positions.HeldInAsync(UserId, held, cancellationToken)).Select(h => (h.PortfolioId, h.Name)).ToList();
            NoPortfolioHolds = PortfolioChoices.Count == 0;
            // A waiting alert (its position sold out) keeps its portfolio: the note, expiry or percentage can still change.
            if (Id is not null && Input.PortfolioId is { } kept && PortfolioChoices.All(c => c.Id != kept)
                && await db.Portfolios.Where(p => p.Id == kept && p.UserId == UserId).Select(p => p.Name).SingleOrDefaultAsync(cancellationToken) is { } keptName)
            {
                PortfolioChoices.Insert(0, (kept, keptName));
            }
        }
        else
        {
            PortfolioChoices = (await db.Portfolios.AsNoTracking().Where(p => p.UserId == UserId).OrderBy(p => p.Name).Select(p => new { p.Id, p.Name })
                .ToListAsync(cancellationToken)).Select(p => (p.Id, p.Name)).ToList();
        }
    }
}
