using Microsoft.AspNetCore.Mvc.RazorPages;
using MarketWatch.Web.Features.Market;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Admin.Market;

public sealed class InstrumentsModel(DbContext db) : PageModel
{
    public IReadOnlyList<Instrument> Instruments { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Instruments = await db.Instruments.AsNoTracking().OrderBy(i => i.Ticker).ToListAsync(cancellationToken);
}
