using MarketWatch.Web.Infrastructure;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Portfolios;

/// <summary>What a user sends to create or edit a portfolio (the form and the API alike).</summary>
public sealed record PortfolioInput(string? Name, string? Description, PortfolioKind Kind = PortfolioKind.Real, bool AccountAtBank = false);

/// <summary>One portfolio in the user's list.</summary>
public sealed record PortfolioSummary(int Id, string Name, PortfolioKind Kind, string Currency, string? Description, int Transactions, bool Shared);

/// <summary>
/// A user's portfolios, for the pages and the API alike. Every method takes the user id and looks the portfolio up by
/// (id, user): another user's portfolio is simply not found.
/// </summary>
public sealed class PortfolioService(DbContext db, IOptions<PortfolioOptions> options, TimeProvider clock)
{
    /// <summary>The cap on portfolios, under the user's "portfolios" lock: parallel creates each count what the others added.</summary>
    private UserLimit Portfolios => new("portfolios", options.Value.MaxPerUser, "name",
        new Text("You have reached the limit of {0} portfolios. Delete one to create another.", options.Value.MaxPerUser));

    public Task<List<PortfolioSummary>> ListAsync(string userId, CancellationToken cancellationToken) =>
        db.Portfolios.AsNoTracking()
            .Where(p => p.UserId == userId)
            .OrderBy(p => p.Id)
            .Select(p => new PortfolioSummary(p.Id, p.Name, p.Kind, p.Currency, p.Description, p.Transactions.Count, p.ShareToken != null))
            .ToListAsync(cancellationToken);

    /// <summary>The user's portfolio (tracked), or null when there is none with that id or it is someone else's.</summary>
    public Task<Portfolio?> FindAsync(string userId, int id, CancellationToken cancellationToken) =>
        db.Portfolios.SingleOrDefaultAsync(p => p.Id == id && p.UserId == userId, cancellationToken);

    public async Task<Outcome<Portfolio>> CreateAsync(string userId, PortfolioInput input, CancellationToken cancellationToken)
    {
        if (InputError(input) is { } error)
        {
            return new Outcome<Portfolio>(default, error, true);
        }
        return await Portfolios.CheckAsync(db, userId,
            async () => await db.Portfolios.CountAsync(p => p.UserId == userId, cancellationToken) + 1,
            reached => new Outcome<Portfolio>(default, reached, true),
            async () =>
            {
                var portfolio = new Portfolio
                {
                    UserId = userId,
                    Name = input.Name!.Trim(),
                    Description = Clean(input.Description),
                    Kind = input.Kind,
                    AccountAtBank = input.AccountAtBank,
                    CreatedAt = clock.GetUtcNow(),
                };
                db.Add(portfolio);
                await db.SaveChangesAsync(cancellationToken);
                return Outcome<Portfolio>.Done(portfolio);
            }, cancellationToken);
    }

    /// <summary>Renames, describes, or moves the account to a bank or away (the kind of an existing portfolio does not change).</summary>
    public async Task<Outcome<Portfolio>> UpdateAsync(string userId, int id, PortfolioInput input, CancellationToken cancellationToken)
    {
        var portfolio = await FindAsync(userId, id, cancellationToken);
        if (portfolio is null)
        {
            return Outcome<Portfolio>.Missing;
        }
        if (InputError(input) is { } error)
        {
            return new Outcome<Portfolio>(default, error, true);
        }
        if (portfolio.Kind == PortfolioKind.Paper && input.AccountAtBank)
        {
            // Paper trading owns that portfolio: it is renamed here, never moved to a bank.
            return Outcome<Portfolio>.Refused("accountAtBank", new Text("A paper trading account is never held at a bank."));
        }
        portfolio.Name = input.Name!.Trim();
        portfolio.Description = Clean(input.Description);
        portfolio.AccountAtBank = input.AccountAtBank;
        await db.SaveChangesAsync(cancellationToken);
        return Outcome<Portfolio>.Done(portfolio);
    }

    /// <summary>Deletes the portfolio and its transactions (the database cascades); false when it is not the user's.</summary>
    /// <summary>Under the portfolio's advisory lock, as its transactions change: a change in flight finishes first, a later one finds it missing.</summary>
    /// <summary>A Paper portfolio is not deleted here (false): paper trading deletes it with its account, at /paper/{id}.</summary>
    public async Task<bool> DeleteAsync(string userId, int id, CancellationToken cancellationToken) =>
        await db.Portfolios.AnyAsync(p => p.Id == id && p.UserId == userId && p.Kind != PortfolioKind.Paper, cancellationToken)
        && await AdvisoryLock.InTransactionAsync(db, "portfolio:" + id, async () =>
            await db.Portfolios.Where(p => p.Id == id && p.UserId == userId && p.Kind != PortfolioKind.Paper).ExecuteDeleteAsync(cancellationToken) > 0,
            cancellationToken);

    public static FieldError? InputError(PortfolioInput input)
    {
        var name = input.Name?.Trim() ?? "";
        if (name.Length == 0)
        {
            return new FieldError("name", new Text("Enter a name for the portfolio."));
        }
        if (name.Length > Portfolio.NameMaxLength)
        {
            return new FieldError("name", new Text("The name can be at most {0} characters long.", Portfolio.NameMaxLength));
        }
        if ((input.Description?.Trim().Length ?? 0) > Portfolio.DescriptionMaxLength)
        {
            return new FieldError("description", new Text("The description can be at most {0} characters long.", Portfolio.DescriptionMaxLength));
        }
        if (!Enum.IsDefined(input.Kind))
        {
            return new FieldError("kind", new Text("Choose the kind of portfolio."));
        }
        return null;
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
