using Microsoft.Playwright;

namespace MarketWatch.Tests.Infrastructure;

/// <summary>Browser tests: the app on a real Kestrel port, driven by Playwright in headless Chromium.</summary>
[Category("Browser")]
public abstract class BrowserTest : AppTest
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IBrowserContext? _context;

    protected override bool UseKestrel => true;
    protected IPage Page { get; private set; } = null!;
    protected string BaseUrl => App.ServerAddress.ToString().TrimEnd('/');

    [OneTimeSetUp]
    public async Task LaunchBrowserAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
    }

    [OneTimeTearDown]
    public async Task CloseBrowserAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [SetUp]
    public async Task NewPageAsync()
    {
        _context = await NewContextAsync(new BrowserNewContextOptions());
        Page = await _context.NewPageAsync();
    }

    protected async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions options)
    {
        options.BaseURL = BaseUrl;
        options.Locale ??= "en-US";
        // Only the PWA tests run the service worker; elsewhere it would hide requests from Playwright's network events.
        options.ServiceWorkers ??= ServiceWorkerPolicy.Block;
        var context = await _browser.NewContextAsync(options);
        context.SetDefaultTimeout(15_000);
        return context;
    }

    /// <summary>A small phone (360 × 740, touch) in English or Arabic.</summary>
    protected Task<IBrowserContext> NewPhoneContextAsync(string language, ServiceWorkerPolicy serviceWorkers = ServiceWorkerPolicy.Block) => NewContextAsync(new BrowserNewContextOptions
    {
        ServiceWorkers = serviceWorkers,
        ViewportSize = new ViewportSize { Width = 360, Height = 740 },
        IsMobile = true,
        HasTouch = true,
        Locale = language == "ar" ? "ar-MA" : "en-US",
    });

    /// <summary>Registers a new account through the API and signs it in with the login form; returns its email.</summary>
    protected async Task<string> SignInNewUserAsync(IPage page, string prefix)
    {
        var email = NewEmail(prefix);
        await RegisterAsync(App.CreateClient(), email);
        await SignInAsync(page, email);
        return email;
    }

    /// <summary>Signs an existing account in with the login form, as a user would.</summary>
    protected static async Task SignInAsync(IPage page, string email)
    {
        await page.GotoAsync("/account/login");
        await page.Locator("#Input_Email").FillAsync(email);
        await page.Locator("#Input_Password").FillAsync(Password);
        await page.Locator("main form button[type=submit]").First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("welcome")).ToBeVisibleAsync();
    }

    /// <summary>Fails when the page is wider than the viewport (the user would have to scroll sideways).</summary>
    protected static async Task AssertNoSidewaysScrollAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
        Assert.That(overflow, Is.LessThanOrEqualTo(0), $"{path} scrolls sideways by {overflow}px");
    }

    [TearDown]
    public async Task ClosePageAsync()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed && Page is not null)
        {
            var dir = Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
            Directory.CreateDirectory(dir);
            var file = Path.Combine(dir, TestContext.CurrentContext.Test.Name + ".png");
            await Page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
            TestContext.AddTestAttachment(file);
        }
        if (_context is not null)
        {
            await _context.DisposeAsync();
        }
    }

    /// <summary>The link in the newest email to an address, opened the way a person would: from the dev mailbox.</summary>
    protected async Task OpenLinkFromMailboxAsync(string email, string subjectPart)
    {
        await Page.GotoAsync("/dev/mailbox");
        var message = Page.Locator($"[data-testid=email][data-to='{email}']").Filter(new() { HasText = subjectPart }).First;
        await message.Locator("[data-testid=email-link]").First.ClickAsync();
    }
}
