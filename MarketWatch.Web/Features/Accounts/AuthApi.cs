using System.ComponentModel.DataAnnotations;
using MarketWatch.Web.Infrastructure.Localization;
using MarketWatch.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Accounts;

public sealed record RegisterRequest
{
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256, ErrorMessage = "The email address can be at most {1} characters long.")]
    [Display(Name = "Email")]
    public string Email { get; init; } = "";

    [Required(ErrorMessage = "Enter a password.")]
    [StringLength(100, ErrorMessage = "The password can be at most {1} characters long.")]
    [Display(Name = "Password")]
    public string Password { get; init; } = "";

    [Required(ErrorMessage = "Enter a display name.")]
    [StringLength(ApplicationUser.DisplayNameMaxLength, ErrorMessage = "The display name can be at most {1} characters long.")]
    [RegularExpression(DisplayNames.AllowedPattern, ErrorMessage = "The display name cannot contain < or >.")]
    [NoUrl]
    [Display(Name = "Display name")]
    public string DisplayName { get; init; } = "";

    public string? Language { get; init; }
}

public sealed record LoginRequest
{
    [Required(ErrorMessage = "Enter your email address.")]
    [StringLength(256, ErrorMessage = "The email address can be at most {1} characters long.")]
    public string Email { get; init; } = "";

    [Required(ErrorMessage = "Enter a password.")]
    [StringLength(100, ErrorMessage = "The password can be at most {1} characters long.")]
    public string Password { get; init; } = "";

    /// <summary>The 6-digit code of the authenticator app, when two-factor sign-in is on.</summary>
    [StringLength(16, ErrorMessage = "The code has 6 digits.")]
    public string? TwoFactorCode { get; init; }
}

/// <summary>The answer to a registration: the address an email went to (a confirmation, or a note to its owner).</summary>
public sealed record RegisterResponse(string EmailSentTo);

public sealed record LoginResponse(string TokenType, string AccessToken, DateTimeOffset ExpiresAt);

public sealed record ResetPasswordRequest
{
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter a valid email address.")]
    [StringLength(256, ErrorMessage = "The email address can be at most {1} characters long.")]
    public string Email { get; init; } = "";
}

public sealed record ResetPasswordConfirmRequest
{
    [Required(ErrorMessage = "Enter your email address.")]
    [StringLength(256, ErrorMessage = "The email address can be at most {1} characters long.")]
    public string Email { get; init; } = "";

    /// <summary>The <c>code</c> parameter of the link in the reset email.</summary>
    [Required(ErrorMessage = "The reset code is missing.")]
    [StringLength(2000, ErrorMessage = "This link is invalid or has expired. Ask for a new one.")]
    public string Code { get; init; } = "";

    [Required(ErrorMessage = "Enter a password.")]
    [StringLength(100, ErrorMessage = "The password can be at most {1} characters long.")]
    public string NewPassword { get; init; } = "";
}

public sealed record ProfileResponse(
    string Email, bool EmailConfirmed, string DisplayName, string TimeZone, string Language, string Theme, bool TwoFactorEnabled, bool IsAdmin);

/// <summary><c>/api/auth</c>: accounts for API clients, with bearer tokens; every error is RFC 7807.</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth").WithTags("Auth");
        api.MapPost("/register", RegisterAsync).RequireRateLimiting(RateLimits.Auth)
            .WithSummary("Create an account and email a confirmation link; 202 also when the address has an account (its owner is told by email), so the answer never tells.")
            .Produces<RegisterResponse>(StatusCodes.Status202Accepted).ProducesValidationProblem();
        api.MapPost("/login", LoginAsync).RequireRateLimiting(RateLimits.Auth)
            .WithSummary("Exchange email and password (and a two-factor code when enabled) for a bearer token.")
            .Produces<LoginResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapPost("/logout", LogoutAsync).RequireAuthorization()
            .WithSummary("Revoke the bearer token of this request, or sign the browser out.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapGet("/profile", GetProfileAsync).RequireAuthorization()
            .WithSummary("The signed-in account's profile.")
            .Produces<ProfileResponse>().ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapPut("/profile", PutProfileAsync).RequireAuthorization()
            .WithSummary("Change display name, time zone, language and theme.")
            .Produces<ProfileResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapPost("/reset-password", RequestResetAsync).RequireRateLimiting(RateLimits.Auth)
            .WithSummary("Email a password-reset link. Always 202, so the answer never tells whether an account exists.")
            .Produces(StatusCodes.Status202Accepted).ProducesValidationProblem();
        api.MapPost("/reset-password/confirm", ConfirmResetAsync).RequireRateLimiting(RateLimits.Auth)
            .WithSummary("Set a new password with the code from the reset email.")
            .Produces(StatusCodes.Status204NoContent).ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> RegisterAsync(RegisterRequest request, Registration registration, HttpContext http, CancellationToken cancellationToken)
    {
        if (Invalid(request, http) is { } invalid)
        {
            return invalid;
        }
        var (result, _) = await registration.RegisterOrNotifyOwnerAsync(request.Email, request.Password, request.DisplayName, request.Language, cancellationToken);
        if (!result.Succeeded)
        {
            return IdentityProblem(result);
        }
        // 202 whether the address was new or had an account (its owner is emailed): the answer never tells which.
        return Results.Accepted("/api/auth/profile", new RegisterResponse(request.Email.Trim()));
    }

    private static async Task<IResult> LoginAsync(
        LoginRequest request, UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn, ApiTokens tokens,
        IStringLocalizer<SharedResource> L, HttpContext http, CancellationToken cancellationToken)
    {
        if (Invalid(request, http) is { } invalid)
        {
            return invalid;
        }
        var user = await users.FindByEmailAsync(request.Email.Trim());
        if (user is null)
        {
            var unknown = http.RequestServices.GetRequiredService<UnknownAccounts>();
            var locked = await unknown.IsLockedOutAsync(request.Email, cancellationToken)
                         || await unknown.FailAsync(request.Email, request.Password, cancellationToken);
            return Unauthorized(L, locked ? L["Too many failed attempts: this account is locked for 15 minutes."] : L["Wrong email or password."]);
        }
        var check = await signIn.CheckPasswordSignInAsync(user, request.Password, lockoutOnFailure: true);
        if (check.IsLockedOut)
        {
            return Unauthorized(L, L["Too many failed attempts: this account is locked for 15 minutes."]);
        }
        if (!check.Succeeded)
        {
            return Unauthorized(L, L["Wrong email or password."]);
        }
        if (user.TwoFactorEnabled)
        {
            var code = request.TwoFactorCode?.Replace(" ", "").Replace("-", "");
            if (string.IsNullOrEmpty(code))
            {
                return Results.Problem(title: L["Two-factor code required"], detail: L["Send the code from your authenticator app in twoFactorCode."],
                    statusCode: StatusCodes.Status401Unauthorized, extensions: new Dictionary<string, object?> { ["requiresTwoFactor"] = true });
            }
            if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
            {
                await users.AccessFailedAsync(user);
                return Unauthorized(L, L["The two-factor code is wrong."]);
            }
        }
        var (token, expiresAt) = await tokens.IssueAsync(user.Id, cancellationToken);
        return Results.Ok(new LoginResponse("Bearer", token, expiresAt));
    }

    private static async Task<IResult> LogoutAsync(HttpContext http, ApiTokens tokens, SignInManager<ApplicationUser> signIn, CancellationToken cancellationToken)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            await tokens.RevokeAsync(header["Bearer ".Length..].Trim(), cancellationToken);
        }
        else
        {
            await signIn.SignOutAsync();
        }
        return Results.NoContent();
    }

    private static async Task<IResult> GetProfileAsync(HttpContext http, UserManager<ApplicationUser> users)
    {
        var user = await users.GetUserAsync(http.User);
        return user is null ? Results.Unauthorized() : Results.Ok(await ProfileOf(user, users));
    }

    private static async Task<IResult> PutProfileAsync(ProfileInput input, HttpContext http, UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn)
    {
        var user = await users.GetUserAsync(http.User);
        if (user is null)
        {
            return Results.Unauthorized();
        }
        if (Invalid(input, http) is { } invalid)
        {
            return invalid;
        }
        input.ApplyTo(user);
        var result = await users.UpdateAsync(user);
        if (!result.Succeeded)
        {
            return IdentityProblem(result);
        }
        if (http.User.Identity?.AuthenticationType == IdentityConstants.ApplicationScheme)
        {
            await signIn.RefreshSignInAsync(user);
        }
        return Results.Ok(await ProfileOf(user, users));
    }

    private static async Task<IResult> RequestResetAsync(ResetPasswordRequest request, UserManager<ApplicationUser> users, AccountMail mail, HttpContext http, CancellationToken cancellationToken)
    {
        if (Invalid(request, http) is { } invalid)
        {
            return invalid;
        }
        var user = await users.FindByEmailAsync(request.Email.Trim());
        if (user is not null)
        {
            await mail.SendPasswordResetAsync(user, cancellationToken);
        }
        return Results.Accepted();
    }

    private static async Task<IResult> ConfirmResetAsync(ResetPasswordConfirmRequest request, UserManager<ApplicationUser> users, ApiTokens tokens, IStringLocalizer<SharedResource> L, HttpContext http)
    {
        if (Invalid(request, http) is { } invalid)
        {
            return invalid;
        }
        var user = await users.FindByEmailAsync(request.Email.Trim());
        var token = AccountMail.Decode(request.Code);
        if (user is null || token is null)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["code"] = [L["This link is invalid or has expired. Ask for a new one."]] });
        }
        var result = await users.ResetPasswordAsync(user, token, request.NewPassword);
        if (!result.Succeeded)
        {
            return IdentityProblem(result, tokenField: "code", passwordField: "newPassword");
        }
        await users.SetLockoutEndDateAsync(user, null);
        await tokens.RevokeAllAsync(user.Id, http.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<ProfileResponse> ProfileOf(ApplicationUser user, UserManager<ApplicationUser> users) =>
        new(user.Email!, user.EmailConfirmed, user.DisplayName, user.TimeZone, user.Language, user.Theme, user.TwoFactorEnabled,
            await users.IsInRoleAsync(user, Registration.AdminRole));

    private static IResult? Invalid(object model, HttpContext http)
    {
        var errors = LocalizedValidation.Validate(model, http.RequestServices);
        return errors.Count == 0 ? null : Results.ValidationProblem(errors);
    }

    private static IResult Unauthorized(IStringLocalizer L, string detail) =>
        Results.Problem(title: L["Unauthorized"], detail: detail, statusCode: StatusCodes.Status401Unauthorized);

    /// <summary>Identity's errors as field errors: password rules on the password, the rest on the email.</summary>
    private static IResult IdentityProblem(IdentityResult result, string tokenField = "email", string passwordField = "password")
    {
        var errors = result.Errors
            .GroupBy(e => e.Code.StartsWith("Password", StringComparison.Ordinal) && e.Code != nameof(IdentityErrorDescriber.PasswordMismatch)
                ? passwordField
                : e.Code == nameof(IdentityErrorDescriber.InvalidToken) ? tokenField : "email")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray());
        return Results.ValidationProblem(errors);
    }
}
