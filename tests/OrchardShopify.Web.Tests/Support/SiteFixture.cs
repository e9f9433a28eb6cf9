using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.Emulator;
using OrchardShopify.Web.Hosting;

namespace OrchardShopify.Web.Tests.Support;

/// <summary>
/// One site for the browser tests: the real program on Kestrel (127.0.0.1, a free port) in demo mode, on fresh
/// SQLite files in a temporary folder, with the emulator in-process; and one headless Chromium. Tests use their own
/// users and customers, so they do not depend on each other's order.
/// </summary>
public sealed class SiteFixture : IAsyncLifetime
{
    public const string AdminEmail = "admin@example.com";
    public const string AdminPassword = "Admin-test-pass-1";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orchardshopify-web-tests", Guid.NewGuid().ToString("N"));
    private RunningSite? _site;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public RunningSite Site => _site ?? throw new InvalidOperationException("The site did not start.");

    public ShopifyEmulator Emulator => Site.Demo?.Emulator ?? throw new InvalidOperationException("The site is not in demo mode.");

    public Uri BaseUrl => Site.BaseUrl;

    public ShopifySyncAdmin SyncAdmin => Site.Services.GetRequiredService<ShopifySyncAdmin>();

    public HttpClient Merchant { get; private set; } = null!;

    /// <summary>Where screenshots go: <c>ORCHARDSHOPIFY_SCREENSHOTS</c> (e.g. docs/screenshots), else the test output folder.</summary>
    public static string ScreenshotFolder { get; } = Environment.GetEnvironmentVariable("ORCHARDSHOPIFY_SCREENSHOTS") is { Length: > 0 } folder
        ? Path.GetFullPath(folder)
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(BrowserFactAttribute.ChromiumPath))
        {
            return;
        }

        Directory.CreateDirectory(_folder);
        _site = await StartSiteAsync(_folder, new Dictionary<string, string?>
        {
            ["Site:AdminPassword"] = AdminPassword,
            ["Site:Demo:CustomersPerShop"] = "5",
            ["Shopify:Queue:PollInterval"] = "00:00:00.200",
            ["Shopify:Queue:MaxAttempts"] = "2",
            ["Shopify:Queue:RetryBaseDelay"] = "00:00:00.100",
            ["Shopify:Queue:RetryMaxDelay"] = "00:00:00.200",
            ["Shopify:AdminClient:MaxAttempts"] = "2",
            ["Shopify:AdminClient:BaseDelay"] = "00:00:00.050",
            ["Shopify:AdminClient:MaxDelay"] = "00:00:00.100",

            // Every test of this shared site registers and asks for links from the same address; the limit itself is
            // tested on a site of its own (AccountLimitsTests).
            ["Site:AccountRateLimit:PermitLimit"] = "100",
        });
        Merchant = new HttpClient { BaseAddress = Emulator.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>The sample site in demo mode, in-process on a free port, with its data in <paramref name="folder"/>.</summary>
    /// <param name="withPublicUrl">Pick the free port first and set <c>Site:PublicUrl</c> to the address the site listens on.</param>
    public static Task<RunningSite> StartSiteAsync(string folder, Dictionary<string, string?> settings, bool withPublicUrl = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings["Site:DataPath"] = Path.Combine(folder, "App_Data");
        var urls = "http://127.0.0.1:0";
        if (withPublicUrl)
        {
            using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            probe.Start();
            urls = $"http://127.0.0.1:{((System.Net.IPEndPoint)probe.LocalEndpoint).Port}/";
            probe.Stop();
            settings["Site:PublicUrl"] = urls;
        }

        return SiteApp.StartAsync(
            new SiteStartOptions
            {
                ContentRootPath = folder,
                EnvironmentName = "Development",
                Urls = urls,
                Settings = settings,
                ConfigureLogging = logging => logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning)
                    .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Error),
            },
            CancellationToken.None);
    }

    /// <summary>A fresh browser context (its own cookies) with one page.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        // Generous: CI runs every test project at once on two cores.
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        return await context.NewPageAsync();
    }

    public async Task<IPage> SignedInPageAsync(string email, string password)
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/account/sign-in");
        await page.FillAsync("input[name=Email]", email);
        await page.FillAsync("input[name=Password]", password);
        await page.ClickAsync("form button[type=submit]");
        await WaitForUrlAsync(page, "/account");
        return page;
    }

    /// <summary>
    /// Waits until the page's address ends with <paramref name="path"/> (no query). Playwright's <c>WaitForURLAsync</c> is not
    /// used: it checks the load state and then subscribes to its event, while events arrive on another thread, so a
    /// <c>load</c> that fires in between is lost and the call waits out its timeout although the page has loaded
    /// (microsoft/playwright-dotnet#3364; it failed browser tests on busy machines). The assertion polls in the browser's
    /// driver instead, and the locators used next wait for their elements.
    /// </summary>
    public static Task WaitForUrlAsync(IPage page, string path)
        => WaitForUrlAsync(page, new Regex(Regex.Escape(path) + "$"));

    /// <inheritdoc cref="WaitForUrlAsync(IPage, string)"/>
    public static Task WaitForUrlAsync(IPage page, Regex address)
        => Assertions.Expect(page).ToHaveURLAsync(address, new() { Timeout = 60_000 });

    /// <summary>Reloads the account page until it shows the customer linked in <paramref name="store"/>; returns the name it shows.</summary>
    public static async Task<string> LinkedCustomerNameAsync(IPage page, string store = "uk")
    {
        await EventuallyAsync(
            async () =>
            {
                await page.GotoAsync("/account");
                return await page.Locator($"#store-{store} .customer-name").CountAsync() == 1;
            },
            $"the account page shows the linked {store} customer");
        return await page.Locator($"#store-{store} .customer-name").First.InnerTextAsync();
    }

    /// <summary>The site's user with <paramref name="email"/>, read fresh from its database.</summary>
    public async Task<OrchardShopify.Web.Identity.SiteUser?> FindUserAsync(string email)
    {
        await using var scope = Site.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<OrchardShopify.Web.Identity.SiteUser>>().FindByEmailAsync(email);
    }

    /// <summary>The link of the newest mail to <paramref name="email"/> with that subject, as its owner reads it in their mailbox (the site's outbox).</summary>
    public string MailLink(string email, string subject)
    {
        var outbox = Site.Services.GetRequiredService<OrchardShopify.Web.Mail.MailOutbox>();
        return outbox.List(email).First(m => m.Subject == subject).Link ?? throw new InvalidOperationException($"The mail '{subject}' to {email} has no link.");
    }

    /// <summary>A merchant creates a customer in the emulated Shopify admin (the control API); returns its id.</summary>
    public async Task<long> CreateCustomerInShopifyAsync(string shop, object customer)
    {
        var response = await Merchant.PostAsJsonAsync($"/_emulator/shops/{shop}/customers", customer);
        response.EnsureSuccessStatusCode();
        var node = await response.Content.ReadFromJsonAsync<JsonNode>();
        return (long)node!["id"]!;
    }

    /// <summary>Changes the emulator's fault settings (<c>POST /_emulator/faults</c>); null turns every fault off.</summary>
    public async Task SetShopifyFaultsAsync(object? faults)
    {
        var response = faults is null ? await Merchant.DeleteAsync("/_emulator/faults") : await Merchant.PostAsJsonAsync("/_emulator/faults", faults);
        response.EnsureSuccessStatusCode();
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing after <paramref name="seconds"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 40)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {seconds} s waiting until {what}.");
            }

            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Merchant?.Dispose();
        if (_site is not null)
        {
            await _site.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine; the temporary folder is cleaned by the OS.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SiteCollection : ICollectionFixture<SiteFixture>
{
    public const string Name = "site";
}
