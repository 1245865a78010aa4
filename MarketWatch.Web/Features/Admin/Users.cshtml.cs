using Microsoft.AspNetCore.Identity;
using MarketWatch.Web.Features.Accounts;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace MarketWatch.Web.Features.Admin;

public sealed class UsersModel(DbContext db, TimeProvider clock) : PageModel
{
    public const int PageSize = 50;

    public sealed record Row(string Email, string DisplayName, bool EmailConfirmed, bool TwoFactor, bool IsAdmin, bool LockedOut, DateTimeOffset CreatedAt);

    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public int PageNumber { get; private set; }

    public async Task OnGetAsync(int page = 1, CancellationToken cancellationToken = default)
    {
        PageNumber = Math.Max(1, page);
        var now = clock.GetUtcNow();
        var adminRoleId = db.Roles.Where(r => r.Name == Registration.AdminRole).Select(r => r.Id);
        Rows = await db.Users.AsNoTracking()
            .OrderByDescending(u => u.CreatedAt)
            .Skip((PageNumber - 1) * PageSize)
            .Take(PageSize)
            .Select(u => new Row(
                u.Email!, u.DisplayName, u.EmailConfirmed, u.TwoFactorEnabled,
                db.Set<IdentityUserRole<string>>().Any(r => r.UserId == u.Id && adminRoleId.Contains(r.RoleId)),
                u.LockoutEnd != null && u.LockoutEnd > now,
                u.CreatedAt))
            .ToListAsync(cancellationToken);
    }
}
