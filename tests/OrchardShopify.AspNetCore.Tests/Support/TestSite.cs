using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Users;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Webhooks;
using OrchardShopify.Testing.Hosting.Sites;

namespace OrchardShopify.AspNetCore.Tests.Support;

internal sealed class TestIdentityDb(DbContextOptions<TestIdentityDb> options) : IdentityDbContext<IdentityUser>(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.HasShopifyLookupIndexes<IdentityUser>();
    }
}

/// <summary>
/// A real site on Kestrel (127.0.0.1, a free port) with Identity users and the sync on its own SQLite files
/// in a temporary folder; Shopify's Admin API is <see cref="FakeShopify"/>.
/// </summary>
internal sealed class TestSite : IAsyncDisposable
{
    public const string UkDomain = "uk-demo.myshopify.com";
    public const string UkSecret = "uk-webhook-secret-for-tests";
    public const string AdminKey = "admin-key-0123456789abcdef";

    private readonly WebApplication _app;
    private readonly string _folder;

    private TestSite(WebApplication app, string folder, HttpClient http)
    {
        _app = app;
        _folder = folder;
        Http = http;
    }

    public HttpClient Http { get; }

    public FakeShopify Shopify => _app.Services.GetRequiredService<FakeShopify>();

    public IServiceProvider Services => _app.Services;

    /// <param name="fakeShopify">False: the Admin API calls go to the store's <c>ApiBaseUrl</c> (the emulator) instead of <see cref="FakeShopify"/>.</param>
    public static async Task<TestSite> StartAsync(Action<Dictionary<string, string?>>? configure = null, bool fakeShopify = true, Action<IServiceCollection>? configureServices = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "orchardshopify-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var settings = new Dictionary<string, string?>
        {
            ["Shopify:CreateUsersFromShopify"] = "true",
            ["Shopify:UpdateUsersInShopify"] = "false",
            ["Shopify:MaxWebhookBodyBytes"] = "16384",
            ["Shopify:Stores:uk:ShopDomain"] = UkDomain,
            ["Shopify:Stores:uk:WebhookSecret"] = UkSecret,
            ["Shopify:Stores:uk:AccessToken"] = "shpat_test_token",
            ["Shopify:AdminApiKey"] = AdminKey,
            ["Shopify:Storage:ConnectionString"] = $"Data Source={Path.Combine(folder, "sync.db")}",
            ["Shopify:Queue:MaxAttempts"] = "3",
            ["Shopify:Queue:RetryBaseDelay"] = "00:00:00.050",
            ["Shopify:Queue:RetryMaxDelay"] = "00:00:00.200",
            ["Shopify:Queue:PollInterval"] = "00:00:00.100",
        };
        configure?.Invoke(settings);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = folder, EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Error);

        var services = builder.Services;
        services.AddDbContext<TestIdentityDb>(o => o.UseSqlite($"Data Source={IdentityFile(folder)}").AddInterceptors(new SqliteWalInterceptor(SqliteSynchronous.Normal)));
        services.AddIdentityCore<IdentityUser>(o => o.User.RequireUniqueEmail = true)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<TestIdentityDb>();
        services.AddAuthentication(TestAuthentication.SchemeName).AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TestAuthentication>(TestAuthentication.SchemeName, null);
        services.AddAuthorization();

        services.AddShopifyCustomerSync(builder.Configuration.GetSection("Shopify")).UseIdentityUsers<IdentityUser>();
        services.AddSingleton<FakeShopify>();
        if (fakeShopify)
        {
            services.AddSingleton<IShopifyCustomerApi>(sp => sp.GetRequiredService<FakeShopify>());
            services.AddSingleton<IShopifyCustomerReads>(sp => sp.GetRequiredService<FakeShopify>());
        }

        configureServices?.Invoke(services);

        var app = builder.Build();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<TestIdentityDb>().Database.EnsureCreatedAsync();
        }

        app.UseAuthentication();
        app.UseAuthorization();
        app.MapShopifyWebhooks();
        app.MapShopifyCustomerApi();
        app.MapShopifyAdminApi();
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestSite(app, folder, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) });
    }

    public string SyncDatabaseFile => Path.Combine(_folder, "sync.db");

    public string IdentityDatabaseFile => IdentityFile(_folder);

    /// <summary>Runs SQL on the sync database file directly (test triggers that make the site's own writes fail).</summary>
    public Task ExecuteSyncSqlAsync(string sql) => SyncDatabases.ExecuteSqliteAsync(SyncDatabaseFile, sql);

    public static byte[] Payload(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Payloads", name));

    /// <summary>Posts a delivery signed as Shopify signs it; <paramref name="tamper"/> edits the request before it is sent.</summary>
    public Task<HttpResponseMessage> PostWebhookAsync(string path, string topic, byte[] body, string webhookId, string secret = UkSecret, string domain = UkDomain, Action<HttpRequestMessage>? tamper = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(ShopifyWebhookHeaders.Topic, topic);
        request.Headers.Add(ShopifyWebhookHeaders.HmacSha256, WebhookSignature.Compute(body, secret));
        request.Headers.Add(ShopifyWebhookHeaders.ShopDomain, domain);
        request.Headers.Add(ShopifyWebhookHeaders.ApiVersion, "2026-10");
        request.Headers.Add(ShopifyWebhookHeaders.WebhookId, webhookId);
        request.Headers.Add(ShopifyWebhookHeaders.TriggeredAt, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        tamper?.Invoke(request);
        return Http.SendAsync(request);
    }

    /// <summary>The work queue, after moving what the inbox file holds into it (as a claim does): every acknowledged delivery is in it.</summary>
    public async Task<List<WorkItem>> WorkItemsAsync(Func<IQueryable<WorkItem>, IQueryable<WorkItem>>? filter = null)
    {
        await Services.GetRequiredService<WebhookInbox>().MoveAsync(CancellationToken.None);
        await using var db = await Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        var query = db.WorkItems.AsNoTracking();
        var items = await (filter is null ? query : filter(query)).ToListAsync();

        // Each with its payload, read from the payloads' table (none once erased).
        var ids = items.Select(w => w.Id).ToArray();
        var bodies = await db.WorkItemBodies.AsNoTracking().Where(b => ids.Contains(b.Id)).ToDictionaryAsync(b => b.Id, b => b.Body);
        foreach (var item in items)
        {
            item.Body = bodies.GetValueOrDefault(item.Id);
        }

        return items;
    }

    public async Task<List<WorkItem>> ItemsWithWebhookIdAsync(string webhookId)
        => await WorkItemsAsync(q => q.Where(w => w.DedupKey == webhookId));

    public async Task<T> WithUsersAsync<T>(Func<UserManager<IdentityUser>, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>());
    }

    /// <summary>Waits for background work: polls until <paramref name="condition"/> holds, failing after 30 s (or <paramref name="timeout"/>).</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(25);
        }
    }

    private static string IdentityFile(string folder) => Path.Combine(folder, "identity.db");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine; the temp folder is cleaned by the OS.
        }
    }
}
