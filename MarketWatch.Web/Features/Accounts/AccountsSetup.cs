using Microsoft.EntityFrameworkCore;
using MarketWatch.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace MarketWatch.Web.Features.Accounts;

public static class AccountsSetup
{
    public const string AdminPolicy = "Admin";
    public const string GoogleScheme = "Google";
    public const string OpenIdConnectScheme = "oidc";
    private const string BrowserOrApiScheme = "browser-or-api";

    /// <summary>How long a link in a confirm or reset email works.</summary>
    public static readonly TimeSpan EmailTokenLifetime = TimeSpan.FromHours(3);

    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration, IWebHostEnvironment environment)
    {
        services.Configure<AdminOptions>(configuration.GetSection("Admin"));
        services.AddScoped<Registration>();
        services.AddScoped<AccountMail>();
        services.AddScoped<ApiTokens>();
        services.AddScoped<PersonalData>();
        services.Configure<SessionOptions>(configuration.GetSection("Accounts"));
        services.AddMemoryCache();
        services.AddScoped<Infrastructure.Security.IPlaintextSecrets, PlaintextAccountSecrets>();
        services.Configure<EmailThrottleOptions>(configuration.GetSection("Accounts:EmailThrottle"));
        services.AddScoped<EmailThrottle>();
        services.AddScoped<UnknownAccounts>();
        services.AddScoped<AccountTakeover>();

        services.AddIdentity<ApplicationUser, IdentityRole>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.SignIn.RequireConfirmedAccount = false;
                options.Password.RequiredLength = 8;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                // Schema version 3 adds the passkeys table (IdentityUserPasskey).
                options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
            })
            .AddEntityFrameworkStores<DbContext>()
            .AddUserStore<EncryptingUserStore>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<AuthenticatorCodes>(TokenOptions.DefaultAuthenticatorProvider)
            .AddErrorDescriber<LocalizedIdentityErrors>()
            .AddClaimsPrincipalFactory<AccountClaimsFactory>();
        services.AddAccountPasskeys(configuration);
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = EmailTokenLifetime);
        // UserSessions checks the stamp on every request; Identity's validator only refreshes the cookie's claims (roles) this often.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(5));

        var secure = environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "mw.auth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = secure;
            cookie.LoginPath = "/account/login";
            cookie.LogoutPath = "/account/logout";
            cookie.AccessDeniedPath = "/account/access-denied";
            cookie.SlidingExpiration = true;
            cookie.Events.OnSigningIn = UserSessions.OnSigningInAsync;
            cookie.Events.OnSigningOut = UserSessions.OnSigningOutAsync;
            cookie.Events.OnValidatePrincipal = UserSessions.OnValidatePrincipalAsync;
            cookie.Events.OnRedirectToLogin = context => ApiProblems.IsApi(context.Request)
                ? ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized)
                : Redirect(context);
            cookie.Events.OnRedirectToAccessDenied = context => ApiProblems.IsApi(context.Request)
                ? ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden)
                : Redirect(context);
        });
        services.ConfigureExternalCookie(cookie =>
        {
            cookie.Cookie.Name = "mw.external";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = secure;
        });
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, cookie =>
        {
            cookie.Cookie.Name = "mw.2fa";
            cookie.Cookie.SecurePolicy = secure;
        });
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorRememberMeScheme, cookie =>
        {
            cookie.Cookie.Name = "mw.2fa-remember";
            cookie.Cookie.SecurePolicy = secure;
        });

        var authentication = services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(BrowserOrApiScheme, null, policy => policy.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? ApiTokenAuthenticationHandler.SchemeName
                    : IdentityConstants.ApplicationScheme);
        // Identity set the application cookie as the default; requests carrying a bearer token go to the token handler instead.
        services.Configure<AuthenticationOptions>(o =>
        {
            o.DefaultAuthenticateScheme = BrowserOrApiScheme;
            o.DefaultChallengeScheme = BrowserOrApiScheme;
            o.DefaultForbidScheme = BrowserOrApiScheme;
        });

        var google = configuration.GetSection("Authentication:Google");
        if (!string.IsNullOrWhiteSpace(google["ClientId"]))
        {
            authentication.AddGoogle(GoogleScheme, "Google", o =>
            {
                o.ClientId = google["ClientId"]!;
                o.ClientSecret = google["ClientSecret"] ?? "";
                o.SignInScheme = IdentityConstants.ExternalScheme;
                o.CorrelationCookie.SecurePolicy = secure;
                // Google's user information says whether it verified the address; only then does it count as confirmed.
                o.ClaimActions.MapJsonKey("email_verified", "email_verified");
            });
        }
        var oidc = configuration.GetSection("Authentication:OpenIdConnect");
        if (!string.IsNullOrWhiteSpace(oidc["Authority"]))
        {
            authentication.AddOpenIdConnect(OpenIdConnectScheme, oidc["DisplayName"] ?? "Microsoft", o =>
            {
                o.Authority = oidc["Authority"];
                o.ClientId = oidc["ClientId"];
                o.ClientSecret = oidc["ClientSecret"];
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.UsePkce = true;
                o.Scope.Clear();
                o.Scope.Add("openid");
                o.Scope.Add("profile");
                o.Scope.Add("email");
                o.CallbackPath = "/signin-oidc";
                o.SignInScheme = IdentityConstants.ExternalScheme;
                o.GetClaimsFromUserInfoEndpoint = true;
                o.MapInboundClaims = false;
                o.RequireHttpsMetadata = oidc.GetValue("RequireHttpsMetadata", true);
                o.CorrelationCookie.SecurePolicy = secure;
                o.NonceCookie.SecurePolicy = secure;
            });
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(Registration.AdminRole));
        return services;
    }

    private static Task Redirect(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
