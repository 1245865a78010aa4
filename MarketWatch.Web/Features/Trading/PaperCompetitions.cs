using MarketWatch.Web.Features.Market.Calendar;
using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Trading;

/// <summary>A competition as the admin form posts it (error fields are these property names).</summary>
public sealed record CompetitionInput(string? Name, DateOnly? StartsOn, DateOnly? EndsOn, decimal? StartingCash, string? Rules);

/// <summary>A competition with how many accounts joined it, and whether the reader already has one in it.</summary>
public sealed record CompetitionView(PaperCompetition Competition, int Accounts, int? MyAccountId);

/// <summary>
/// Paper-trading competitions: admins create and edit them (name, dates, starting cash, rules); users see the current
/// and upcoming ones and join with a fresh paper account (opened by <c>PaperAccounts.OpenAsync</c> with the competition).
/// </summary>
public sealed class PaperCompetitions(DbContext db, IOptions<TradingOptions> options, TimeProvider clock)
{
    /// <summary>How far ahead a competition may start, and how long it may run.</summary>
    public const int MaxDaysAhead = 366;
    public const int MaxDays = 366;

    public Task<List<PaperCompetition>> ListAllAsync(CancellationToken cancellationToken) =>
        db.PaperCompetitions.AsNoTracking().OrderByDescending(c => c.StartsOn).ThenByDescending(c => c.Id).ToListAsync(cancellationToken);

    public Task<PaperCompetition?> FindAsync(int id, CancellationToken cancellationToken) =>
        db.PaperCompetitions.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, cancellationToken);

    /// <summary>The competitions not yet ended (running first, then upcoming, by start), with the reader's account in each.</summary>
    public async Task<List<CompetitionView>> OpenAsync(string userId, CancellationToken cancellationToken)
    {
        var today = ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
        var rows = await db.PaperCompetitions.AsNoTracking().Where(c => c.EndsOn >= today).OrderBy(c => c.StartsOn).ThenBy(c => c.Id)
            .Select(c => new
            {
                Competition = c,
                Accounts = db.Set<PaperAccount>().Count(a => a.CompetitionId == c.Id),
                Mine = db.Set<PaperAccount>().Where(a => a.CompetitionId == c.Id && a.UserId == userId).OrderBy(a => a.Id).Select(a => (int?)a.Id).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new CompetitionView(r.Competition, r.Accounts, r.Mine)).ToList();
    }

    /// <summary>Creates (no <paramref name="id"/>) or changes a competition; every field is checked.</summary>
    public async Task<Outcome<PaperCompetition>> SaveAsync(int? id, CompetitionInput input, string? by, CancellationToken cancellationToken)
    {
        PaperCompetition? competition = null;
        if (id is { } existing)
        {
            competition = await db.PaperCompetitions.FirstOrDefaultAsync(c => c.Id == existing, cancellationToken);
            if (competition is null)
            {
                return Outcome<PaperCompetition>.Missing;
            }
        }
        var today = ExchangeCalendar.ExchangeDate(clock.GetUtcNow());
        if (Errors(input, today, competition).FirstOrDefault() is { } error)
        {
            return new Outcome<PaperCompetition>(null, error, true);
        }
        competition ??= db.PaperCompetitions.Add(new PaperCompetition { Name = "", CreatedBy = by, CreatedAt = clock.GetUtcNow() }).Entity;
        competition.Name = input.Name!.Trim();
        competition.StartsOn = input.StartsOn!.Value;
        competition.EndsOn = input.EndsOn!.Value;
        competition.StartingCash = input.StartingCash!.Value;
        competition.Rules = string.IsNullOrWhiteSpace(input.Rules) ? null : input.Rules.Trim();
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<PaperCompetition>.Done(competition);
    }

    /// <summary>Every refusal of the input, field by field (a competition already started keeps its start date).</summary>
    public IEnumerable<FieldError> Errors(CompetitionInput input, DateOnly today, PaperCompetition? existing)
    {
        var limits = options.Value;
        var name = input.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            yield return new FieldError(nameof(input.Name), new Text("Give the competition a name."));
        }
        else if (name.Length > PaperCompetition.NameMaxLength)
        {
            yield return new FieldError(nameof(input.Name), new Text("At most {0} characters.", PaperCompetition.NameMaxLength));
        }
        var started = existing is not null && existing.StartsOn <= today;
        if (input.StartsOn is not { } starts)
        {
            yield return new FieldError(nameof(input.StartsOn), new Text("Enter the first day of the competition."));
        }
        else if (started && starts != existing!.StartsOn)
        {
            yield return new FieldError(nameof(input.StartsOn), new Text("The competition has started: its first day cannot change."));
        }
        else if (!started && starts < today)
        {
            yield return new FieldError(nameof(input.StartsOn), new Text("The first day cannot be in the past."));
        }
        else if (starts > today.AddDays(MaxDaysAhead))
        {
            yield return new FieldError(nameof(input.StartsOn), new Text("The first day must be within a year."));
        }
        if (input.EndsOn is not { } ends)
        {
            yield return new FieldError(nameof(input.EndsOn), new Text("Enter the last day of the competition."));
        }
        else if (input.StartsOn is { } s && ends < s)
        {
            yield return new FieldError(nameof(input.EndsOn), new Text("The last day cannot be before the first."));
        }
        else if (input.StartsOn is { } s2 && ends > s2.AddDays(MaxDays))
        {
            yield return new FieldError(nameof(input.EndsOn), new Text("A competition lasts at most {0} days.", MaxDays));
        }
        if (input.StartingCash is not { } cash)
        {
            yield return new FieldError(nameof(input.StartingCash), new Text("Enter the starting cash."));
        }
        else if (cash < limits.MinStartingCash || cash > limits.MaxStartingCash || decimal.Round(cash, 2) != cash)
        {
            yield return new FieldError(nameof(input.StartingCash), new Text("Between {0} and {1} MAD, in dirhams and centimes.",
                Format.Count((long)limits.MinStartingCash), Format.Count((long)limits.MaxStartingCash)));
        }
        if (input.Rules is { Length: > PaperCompetition.RulesMaxLength })
        {
            yield return new FieldError(nameof(input.Rules), new Text("At most {0} characters.", PaperCompetition.RulesMaxLength));
        }
    }
}
