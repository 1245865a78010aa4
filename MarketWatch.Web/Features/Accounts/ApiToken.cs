namespace MarketWatch.Web.Features.Accounts;

/// <summary>A bearer token issued by <c>POST /api/auth/login</c>; only its SHA-256 is stored, so logout can revoke it.</summary>
public sealed class ApiToken
{
    public long Id { get; set; }
    public required string UserId { get; set; }
    public required byte[] TokenHash { get; set; }
    public string Name { get; set; } = "api";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
