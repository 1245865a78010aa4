using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Infrastructure.Data;

/// <summary>
/// A cap on what one user may hold (armed alerts, watchlists, instruments in a list), checked and spent under the
/// user's lock for it (<see cref="AdvisoryLock.InTransactionAsync"/>, named "<see cref="Name"/>:user"): requests of
/// one user at once, on any instance, take turns, so each counts what the others added. Counted and checked apart,
/// 25 parallel creates with 3 slots left let 18 through.
/// </summary>
/// <param name="Field">The form field or API property the refusal is reported on ("" for the whole form).</param>
/// <param name="Message">The refusal, e.g. "You can have at most {0} active alerts." with the cap as argument.</param>
public sealed record UserLimit(string Name, int Max, string Field, Text Message)
{
    /// <summary>The refusal: a field error marked as a reached limit (409 on the API, a field error on a form).</summary>
    public FieldError Reached => new(Field, Message, LimitReached: true);

    /// <summary>
    /// Under the user's lock: <paramref name="heldAfter"/> says how many the user would hold once the change is made
    /// (counted inside the transaction); past <see cref="Max"/> the answer is <paramref name="refused"/> and nothing
    /// changes, otherwise <paramref name="change"/> runs and commits with the lock still held.
    /// </summary>
    public Task<T> CheckAsync<T>(DbContext db, string userId, Func<Task<int>> heldAfter, Func<FieldError, T> refused, Func<Task<T>> change,
        CancellationToken cancellationToken) =>
        AdvisoryLock.InTransactionAsync(db, Name + ":" + userId, async () =>
            await heldAfter() > Max ? refused(Reached) : await change(), cancellationToken);
}
