using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Accounts;

public sealed class AdminOptions
{
    /// <summary>This address becomes admin. When empty, the first account created does.</summary>
    public string? Email { get; set; }
}

/// <summary>Something a feature sets up for every new account (a default watchlist, say).</summary>
public interface INewAccountHandler
{
    Task OnCreatedAsync(ApplicationUser user, CancellationToken cancellationToken);
}

/// <summary>Creating accounts, by form, API or external sign-in: one place decides who becomes admin.</summary>
public sealed class Registration(
    UserManager<ApplicationUser> users,
    AccountMail mail,
    IOptions<AdminOptions> admin,
    IEnumerable<INewAccountHandler> handlers,
    TimeProvider clock)
{
    public const string AdminRole = "Admin";

    public async Task<(IdentityResult Result, ApplicationUser User)> RegisterAsync(
        string email, string? password, string displayName, string? language, bool emailConfirmed = false,
        CancellationToken cancellationToken = default)
    {
        var user = new ApplicationUser
        {
            UserName = email.Trim(),
            Email = email.Trim(),
            DisplayName = displayName.Trim(),
            Language = Languages.Normalize(language),
            EmailConfirmed = emailConfirmed,
            CreatedAt = clock.GetUtcNow(),
        };
        var result = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            return (result, user);
        }
        await PromoteIfAdminAsync(user);
        foreach (var handler in handlers)
        {
            await handler.OnCreatedAsync(user, cancellationToken);
        }
        if (!emailConfirmed)
        {
            await mail.SendConfirmationAsync(user, cancellationToken);
        }
        return (result, user);
    }

    private async Task PromoteIfAdminAsync(ApplicationUser user)
    {
        var configured = admin.Value.Email;
        var isAdmin = string.IsNullOrWhiteSpace(configured)
            ? !await users.Users.AnyAsync(u => u.Id != user.Id && u.CreatedAt <= user.CreatedAt)
            : string.Equals(configured.Trim(), user.Email, StringComparison.OrdinalIgnoreCase);
        if (!isAdmin)
        {
            return;
        }
        await users.AddToRoleAsync(user, AdminRole);
    }
}
