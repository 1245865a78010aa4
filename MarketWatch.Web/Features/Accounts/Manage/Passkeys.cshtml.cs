using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Accounts.Manage;

/// <summary>
/// The account's passkeys: add one under a name (the browser's prompt runs between <c>CreationOptions</c> and
/// <c>Add</c>), rename, remove. <c>RequestOptions</c> is the signed-in user's challenge for re-authentication.
/// </summary>
public sealed class PasskeysModel(
    Passkeys passkeys,
    UserManager<ApplicationUser> users,
    SignInManager<ApplicationUser> signIn,
    IStringLocalizer<SharedResource> L) : PageModel
{
    public IReadOnlyList<PasskeyListing> Items { get; private set; } = [];

    public int MaxPerUser => passkeys.MaxPerUser;

    /// <summary>
    /// Adding or removing a passkey needs a recent proof (Reauthentication): otherwise a stolen session could add a
    /// passkey of its own and keep the account after the owner changes the password.
    /// </summary>
    public bool RecentlyConfirmed => Reauthentication.IsRecent(HttpContext);

    public const string PagePath = "/account/manage/passkeys";

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? CredentialJson { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        Items = await passkeys.ListAsync(user);
        return Page();
    }

    /// <summary>Options for <c>navigator.credentials.create()</c>; a bad name or a full account is a problem the script shows.</summary>
    public async Task<IActionResult> OnPostCreationOptionsAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        if (!RecentlyConfirmed)
        {
            return Refused(StatusCodes.Status403Forbidden, L["To add or remove a passkey, first confirm it is you."]);
        }
        if (NameError(Name) is { } error)
        {
            return Refused(StatusCodes.Status400BadRequest, error);
        }
        var options = await passkeys.CreationOptionsAsync(user);
        return options is null
            ? Refused(StatusCodes.Status409Conflict, PasskeyMessages.For(PasskeyFailure.LimitReached, L, passkeys.MaxPerUser))
            : Content(options, "application/json");
    }

    public async Task<IActionResult> OnPostAddAsync(CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        if (!RecentlyConfirmed)
        {
            return Reauthentication.Challenge(this, PagePath);
        }
        if (NameError(Name) is { } error)
        {
            ModelState.AddModelError(nameof(Name), error);
        }
        else
        {
            var result = await passkeys.AddAsync(user, Name!, CredentialJson, cancellationToken);
            if (result.Succeeded)
            {
                TempData["Status"] = L["The passkey was added. You can now sign in with it."].Value;
                return RedirectToPage();
            }
            ModelState.AddModelError(string.Empty, result.Failure == PasskeyFailure.Invalid
                ? L["The passkey could not be added. Try again."]
                : PasskeyMessages.For(result.Failure!.Value, L, passkeys.MaxPerUser));
        }
        Items = await passkeys.ListAsync(user);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    public async Task<IActionResult> OnPostRenameAsync(string? id)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        if (NameError(Name) is { } error)
        {
            TempData["Status"] = error;
        }
        else
        {
            TempData["Status"] = await passkeys.RenameAsync(user, id ?? "", Name!)
                ? L["The passkey was renamed."].Value
                : L["This passkey is not on your account."].Value;
        }
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostRemoveAsync(string? id)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        if (!RecentlyConfirmed)
        {
            return Reauthentication.Challenge(this, PagePath);
        }
        var removed = await passkeys.RemoveAsync(user, id ?? "");
        if (removed)
        {
            await signIn.RefreshSignInAsync(user);
        }
        TempData["Status"] = removed
            ? L["The passkey was removed: it no longer signs you in."].Value
            : L["This passkey is not on your account."].Value;
        return RedirectToPage();
    }

    /// <summary>Options for <c>navigator.credentials.get()</c> limited to this user's passkeys (re-authentication).</summary>
    public async Task<IActionResult> OnPostRequestOptionsAsync()
    {
        var user = await users.GetUserAsync(User);
        return user is null ? Challenge() : Content(await passkeys.RequestOptionsAsync(user), "application/json");
    }

    /// <summary>An RFC 7807 problem for the script, which shows its detail next to the button.</summary>
    private static ObjectResult Refused(int status, string detail) =>
        new(new ProblemDetails { Status = status, Detail = detail }) { StatusCode = status, ContentTypes = { "application/problem+json" } };

    private string? NameError(string? name) =>
        // Control characters (NUL above all: jsonb cannot hold it) are no part of a name.
        string.IsNullOrWhiteSpace(name) || name.Trim().Length > Passkeys.NameMaxLength || name.Any(char.IsControl)
            ? L["A passkey name is 1 to {0} characters long.", Passkeys.NameMaxLength].Value
            : null;
}
