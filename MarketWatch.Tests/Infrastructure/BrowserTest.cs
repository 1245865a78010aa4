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

    /// <summary>
    /// The longest browser test takes under two minutes on a loaded machine. Past this, the browser is taken to be hung
    /// (Chromium can leave a CDP call such as closing a context unanswered, and Playwright waits for it without a
    /// timeout): the watchdog ends the Playwright driver, which fails the test's pending call with a message naming it,
    /// and the next test starts a new browser, instead of the whole run stopping at dotnet test's hang timeout.
    /// </summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(5);

    private CancellationTokenSource? _watchdog;
    private bool _driverEnded;

    [OneTimeSetUp]
    public Task LaunchBrowserAsync() => LaunchAsync();

    private async Task LaunchAsync()
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
        if (!_driverEnded && _browser.IsConnected)
        {
            await _browser.DisposeAsync();
        }
        _playwright.Dispose();
    }

    [SetUp]
    public async Task NewPageAsync()
    {
        if (_driverEnded || !_browser.IsConnected)
        {
            _playwright.Dispose();
            await LaunchAsync();
            _driverEnded = false;
        }
        var playwright = _playwright;
        var test = TestContext.CurrentContext.Test.FullName;
        _watchdog = new CancellationTokenSource(HangLimit);
        _watchdog.Token.Register(() =>
        {
            TestContext.Progress.WriteLine($"{test} still ran after {HangLimit.TotalMinutes:0} min: the browser is taken to be hung and is closed.");
            _driverEnded = true;
            playwright.Dispose();
        });
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
        await AssertNoSidewaysScrollAsync(page);
    }

    /// <summary>
    /// The page as it is now does not scroll sideways. Measured against the layout viewport (clientWidth): under phone
    /// emulation the browser zooms out to fit a too-wide page, so window.innerWidth grows with the overflow and hides it.
    /// The message names the widest elements that stick out.
    /// </summary>
    protected static async Task AssertNoSidewaysScrollAsync(IPage page)
    {
        if (await SidewaysScrollProblemAsync(page) is { } problem)
        {
            Assert.Fail(problem);
        }
    }

    /// <summary>What <see cref="AssertNoSidewaysScrollAsync(IPage)"/> would fail with, or null when nothing scrolls sideways.</summary>
    protected static async Task<string?> SidewaysScrollProblemAsync(IPage page)
    {
        // A table in a scrolling wrapper does not move the page but still hides columns behind a scrollbar: that counts too.
        var hidden = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('body *')].filter(e => { const s = getComputedStyle(e);
                return (s.overflowX === 'auto' || s.overflowX === 'scroll') && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1; })
              .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${(e.className || '').toString().trim().split(/\s+/).join('.')} (${e.scrollWidth}px in ${e.clientWidth}px)`)
            """);
        if (hidden.Length > 0)
        {
            return $"{page.Url} has content scrolled sideways inside a box: {string.Join(", ", hidden)}";
        }
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        if (overflow <= 0)
        {
            return null;
        }
        var culprits = await page.EvaluateAsync<string[]>("""
            () => { const w = document.documentElement.clientWidth;
              return [...document.querySelectorAll('body *')].map(e => [e, e.getBoundingClientRect()])
                .filter(([e, r]) => r.width > 0 && (r.right > w + 1 || r.left < -1))
                .sort((a, b) => b[1].width - a[1].width).slice(0, 5)
                .map(([e, r]) => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : ''} [${Math.round(r.left)}..${Math.round(r.right)}]`); }
            """);
        return $"{page.Url} scrolls sideways by {overflow}px (viewport {await page.EvaluateAsync<int>("document.documentElement.clientWidth")}px): {string.Join(", ", culprits)}";
    }

    /// <summary>The clone the tests were built from (the folder holding MarketWatch.sln).</summary>
    protected static string RepoRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "MarketWatch.sln")))
                {
                    return directory.FullName;
                }
            }
            throw new InvalidOperationException("MarketWatch.sln not found above " + AppContext.BaseDirectory);
        }
    }

    private static readonly Lazy<string> AxeSource = new(() =>
    {
        var file = Path.Combine(RepoRoot, "node_modules", "axe-core", "axe.min.js");
        Assert.That(File.Exists(file), Is.True, $"{file} is missing: run 'npm ci' (scripts/test does)");
        return File.ReadAllText(file);
    });

    /// <summary>
    /// Runs axe-core on the page as it is now and fails on serious or critical violations, naming rule, impact and
    /// elements. axe is evaluated through the DevTools protocol, which the page's CSP does not govern, so the page keeps its
    /// real policy (no BypassCSP) and a console-error check on the same page still sees CSP violations.
    /// </summary>
    protected static async Task AssertNoSeriousAxeFindingsAsync(IPage page)
    {
        var findings = await SeriousAxeFindingsAsync(page);
        Assert.That(findings, Is.Empty, $"{page.Url}: axe serious/critical findings");
    }

    /// <summary>The serious and critical axe violations on the page, one line each: "rule (impact): selector, selector".</summary>
    protected static async Task<string[]> SeriousAxeFindingsAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.EvaluateAsync(AxeSource.Value + "\n;0");
        }
        return await page.EvaluateAsync<string[]>("""
            async () => {
              const result = await axe.run(document, { resultTypes: ['violations'] });
              return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 6).map(n => n.target.join(' ')).join(', ')}${v.nodes.length > 6 ? ` and ${v.nodes.length - 6} more` : ''}`);
            }
            """);
    }

    /// <summary>
    /// Fails when two visible elements matched by the selectors overlap (by more than a pixel each way), e.g. header items
    /// that wrap onto each other, or a toast over the price. An element is not compared with its own ancestors or descendants.
    /// </summary>
    protected static async Task AssertNoOverlapAsync(IPage page, params string[] selectors)
    {
        var overlaps = await OverlapsAsync(page, selectors);
        Assert.That(overlaps, Is.Empty, $"{page.Url}: overlapping elements");
    }

    /// <summary>The pairs of visible elements (matched by the selectors) whose boxes intersect, described with their boxes.</summary>
    protected static Task<string[]> OverlapsAsync(IPage page, params string[] selectors) => page.EvaluateAsync<string[]>("""
        selectors => {
          const name = e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : ''}`;
          const visible = e => { const s = getComputedStyle(e); const r = e.getBoundingClientRect();
            return s.visibility !== 'hidden' && s.display !== 'none' && Number(s.opacity) > 0 && r.width > 0 && r.height > 0; };
          const items = [...new Set(selectors.flatMap(s => [...document.querySelectorAll(s)]))].filter(visible)
            .map(e => [e, e.getBoundingClientRect()]);
          const found = [];
          for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
            const [a, ra] = items[i], [b, rb] = items[j];
            if (a.contains(b) || b.contains(a)) continue;
            const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left), h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
            if (w > 1 && h > 1) found.push(`${name(a)} [${Math.round(ra.left)},${Math.round(ra.top)} ${Math.round(ra.width)}x${Math.round(ra.height)}] overlaps ${name(b)} [${Math.round(rb.left)},${Math.round(rb.top)} ${Math.round(rb.width)}x${Math.round(rb.height)}]`);
          }
          return found;
        }
        """, selectors);

    [TearDown]
    public async Task ClosePageAsync()
    {
        using var watchdog = _watchdog;
        if (watchdog?.IsCancellationRequested == true)
        {
            Assert.Fail($"The browser did not answer for {HangLimit.TotalMinutes:0} min and was closed (the test's output names the call that waited).");
        }
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
