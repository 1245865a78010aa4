using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;

namespace MarketWatch.Web.Features.Accounts;

/// <summary>Identity's password and account errors in the request's language.</summary>
public sealed class LocalizedIdentityErrors(IStringLocalizer<SharedResource> L) : IdentityErrorDescriber
{
    private IdentityError Error(string code, string text, params object[] args) =>
        new() { Code = code, Description = L[text, args].Value };

    public override IdentityError DuplicateEmail(string email) => Error(nameof(DuplicateEmail), "An account with this email already exists.");
    public override IdentityError DuplicateUserName(string userName) => Error(nameof(DuplicateUserName), "An account with this email already exists.");
    public override IdentityError InvalidEmail(string? email) => Error(nameof(InvalidEmail), "Enter a valid email address.");
    public override IdentityError InvalidUserName(string? userName) => Error(nameof(InvalidUserName), "Enter a valid email address.");
    public override IdentityError PasswordTooShort(int length) => Error(nameof(PasswordTooShort), "The password must be at least {0} characters long.", length);
    public override IdentityError PasswordRequiresDigit() => Error(nameof(PasswordRequiresDigit), "The password must contain a digit (0-9).");
    public override IdentityError PasswordRequiresLower() => Error(nameof(PasswordRequiresLower), "The password must contain a lowercase letter.");
    public override IdentityError PasswordRequiresUpper() => Error(nameof(PasswordRequiresUpper), "The password must contain an uppercase letter.");
    public override IdentityError PasswordRequiresNonAlphanumeric() => Error(nameof(PasswordRequiresNonAlphanumeric), "The password must contain a symbol.");
    public override IdentityError PasswordMismatch() => Error(nameof(PasswordMismatch), "The current password is wrong.");
    public override IdentityError InvalidToken() => Error(nameof(InvalidToken), "This link is invalid or has expired. Ask for a new one.");
    public override IdentityError LoginAlreadyAssociated() => Error(nameof(LoginAlreadyAssociated), "This sign-in is already linked to another account.");
    public override IdentityError DefaultError() => Error(nameof(DefaultError), "Something went wrong. Try again.");
    public override IdentityError ConcurrencyFailure() => Error(nameof(ConcurrencyFailure), "Your account changed in the meantime. Reload and try again.");
}
