using Microsoft.EntityFrameworkCore;
using MarketWatch.Web.Infrastructure.Data;
using MarketWatch.Web.Infrastructure.Email;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MarketWatch.Web.Features.Admin;

public sealed class OutboxModel(DbContext db) : PageModel
{
    public IReadOnlyList<EmailMessage> Messages { get; private set; } = [];
    public int PageNumber { get; private set; }

    public async Task OnGetAsync(int page = 1, CancellationToken cancellationToken = default)
    {
        PageNumber = Math.Max(1, page);
        Messages = await Outbox.LatestAsync(db, PageNumber, cancellationToken);
    }
}
