using Microsoft.EntityFrameworkCore;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Email;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Dev;

/// <summary>The local outbox for anyone, in Development only: how a newcomer without SMTP confirms the first account.</summary>
public sealed class MailboxModel(DbContext db, IOptions<MailboxOptions> options, IWebHostEnvironment environment) : PageModel
{
    public IReadOnlyList<EmailMessage> Messages { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(int page = 1, CancellationToken cancellationToken = default)
    {
        if (!(options.Value.ExposeDevMailbox ?? environment.IsDevelopment()))
        {
            return NotFound();
        }
        Messages = await Outbox.LatestAsync(db, page, cancellationToken);
        return Page();
    }
}
