using MarketWatch.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MarketWatch.Web.Features.Accounts;

public sealed class AdminOptions
{
    /// <summary>
    /// This address becomes admin once it is confirmed (by its link, or by a provider's verified claim). When empty, the
    /// first account created does, in Development only; elsewhere use <c>make-admin EMAIL</c>.
    /// </summary>
    public string? Email { get; set; }
}

/// <summary>Something a feature sets up for every new account (a default watchlist, say).</summary>
public interface INewAccountHandler
{
    Task OnCreatedAsync(ApplicationUser user, CancellationToken cancellationToken);
}

/// <summary>What a registration did; the form and the API answer the same for both, so neither tells whether an account exists.</summary>
public enum RegistrationOutcome
{
    Created,
    /// <summary>The address has an account: nothing was created, its owner was told by email.</summary>
    OwnerNotified,
}

/// <summary>Creating accounts, by form, API or external sign-in: one place decides who becomes admin.</summary>
public sealed class Registration(
    UserManager<ApplicationUser> users,
    AccountMail mail,
    IOptions<AdminOptions> admin,
    IEnumerable<INewAccountHandler> handlers,
    IHostEnvironment environment,
    TimeProvider clock)
{
    public const string AdminRole = "Admin";

    /// <summary>
    /// The form and the API: an address that has an account gets an email saying someone tried (throttled), after the
    /// password was checked against the rules and hashed, as for a new account.
    /// </summary>
    public async Task<(IdentityResult Result, RegistrationOutcome Outcome)> RegisterOrNotifyOwnerAsync(
        string email, string password, string displayName, string? language, CancellationToken cancellationToken)
    {
        var owner = await users.FindByEmailAsync(email.Trim());
        if (owner is null)
        {
            var (result, _) = await RegisterAsync(email, password, displayName, language, cancellationToken: cancellationToken);
            return (result, RegistrationOutcome.Created);
        }
        var candidate = new ApplicationUser { UserName = email.Trim(), Email = email.Trim() };
        var errors = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
        {
            var check = await validator.ValidateAsync(users, candidate, password);
            errors.AddRange(check.Errors);
        }
        if (errors.Count > 0)
        {
            return (IdentityResult.Failed([.. errors]), RegistrationOutcome.OwnerNotified);
        }
        users.PasswordHasher.HashPassword(candidate, password);
        await mail.SendRegistrationAttemptAsync(owner, cancellationToken);
        return (IdentityResult.Success, RegistrationOutcome.OwnerNotified);
    }

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
        if (emailConfirmed)
        {
            await PromoteIfConfirmedAdminAsync(user);
        }
        else
        {
            await PromoteFirstAccountInDevelopmentAsync(user);
        }
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

    /// <summary>
    /// Called whenever an address becomes confirmed (its link, an address change, a provider's verified claim): the
    /// account whose confirmed address is <c>Admin:Email</c> becomes admin; an unproven address never does.
    /// </summary>
    public async Task PromoteIfConfirmedAdminAsync(ApplicationUser user)
    {
        var configured = admin.Value.Email;
        if (!user.EmailConfirmed)
        {
            return;
        }
        var isAdmin = string.IsNullOrWhiteSpace(configured)
            ? environment.IsDevelopment() && await IsFirstAccountAsync(user)
            : string.Equals(configured.Trim(), user.Email?.Trim(), StringComparison.OrdinalIgnoreCase);
        if (isAdmin && !await users.IsInRoleAsync(user, AdminRole))
        {
            await users.AddToRoleAsync(user, AdminRole);
        }
    }

    /// <summary>With no <c>Admin:Email</c>, a newcomer running the app locally becomes admin with the first account.</summary>
    private async Task PromoteFirstAccountInDevelopmentAsync(ApplicationUser user)
    {
        if (string.IsNullOrWhiteSpace(admin.Value.Email) && environment.IsDevelopment() && await IsFirstAccountAsync(user))
        {
            await users.AddToRoleAsync(user, AdminRole);
        }
    }

    private async Task<bool> IsFirstAccountAsync(ApplicationUser user) =>
        !await users.Users.AnyAsync(u => u.Id != user.Id && u.CreatedAt <= user.CreatedAt);

    /// <summary>The <c>make-admin EMAIL</c> verb: the operator vouches for the address.</summary>
    public async Task<bool> MakeAdminAsync(string email)
    {
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            return false;
        }
        if (!await users.IsInRoleAsync(user, AdminRole))
        {
            var result = await users.AddToRoleAsync(user, AdminRole);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
            }
        }
        return true;
    }
}
