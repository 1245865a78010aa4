using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Email;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Admin;

public sealed class IndexModel(DbContext db, IOptions<SmtpOptions> smtp) : PageModel
{
    public int Accounts { get; private set; }
    public int UnconfirmedAccounts { get; private set; }
    public int PendingEmails { get; private set; }
    public int FailedEmails { get; private set; }
    public bool SmtpConfigured => smtp.Value.Enabled;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var accounts = await db.Users
            .GroupBy(_ => 1)
            .Select(g => new { All = g.Count(), Unconfirmed = g.Count(u => !u.EmailConfirmed) })
            .SingleOrDefaultAsync(cancellationToken);
        Accounts = accounts?.All ?? 0;
        UnconfirmedAccounts = accounts?.Unconfirmed ?? 0;
        var emails = await db.EmailMessages
            .GroupBy(_ => 1)
            .Select(g => new { Pending = g.Count(m => m.Status == EmailStatus.Pending), Failed = g.Count(m => m.Status == EmailStatus.Failed) })
            .SingleOrDefaultAsync(cancellationToken);
        PendingEmails = emails?.Pending ?? 0;
        FailedEmails = emails?.Failed ?? 0;
    }
}
