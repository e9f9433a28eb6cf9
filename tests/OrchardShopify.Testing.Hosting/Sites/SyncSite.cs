using Microsoft.AspNetCore.Authentication;
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
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Users;

namespace OrchardShopify.Testing.Hosting.Sites;

/// <summary>The site's Identity tables, with the phone number index docs/aspnetcore.md recommends.</summary>
public sealed class SiteIdentityDb(DbContextOptions<SiteIdentityDb> options) : IdentityDbContext<IdentityUser>(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.HasShopifyLookupIndexes<IdentityUser>();
    }
}

public sealed record SyncSiteOptions
{
    /// <summary>Content root; the SQLite files <c>identity.db</c> and <c>sync.db</c> live here.</summary>
    public required string Folder { get; init; }

    public string Urls { get; init; } = "http://127.0.0.1:0";

    /// <summary>When set, Identity and the sync share this PostgreSQL database instead of the SQLite files.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>Configuration on top of <see cref="SyncSite.DefaultSettings"/> (keys such as <c>Shopify:Queue:BatchSize</c>).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Receives the site's log entries (at <see cref="MinimumLogLevel"/> and above).</summary>
    public FakeLogCollector? Logs { get; init; }

    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;

    public bool ConsoleLogs { get; init; }

    public Action<IServiceCollection>? ConfigureServices { get; init; }
}

/// <summary>
/// A site as an application sets one up: ASP.NET Core Identity users (SQLite file or PostgreSQL) and
/// <c>AddShopifyCustomerSync(...).UseIdentityUsers&lt;IdentityUser&gt;()</c> with the webhook, customer and admin
/// endpoints, on Kestrel at 127.0.0.1. Requests sign in with <see cref="TestAuthentication"/> headers.
/// </summary>
public sealed class SyncSite : IAsyncDisposable
{
    public const string Store = "uk";
    public const string ShopDomain = "uk-demo.myshopify.com";
    public const string WebhookSecret = "whsec-reliability-5e1f0c2a9b7d";
    public const string PreviousWebhookSecret = "whsec-previous-7c2d4e6f8a0b";
    public const string AccessToken = "shpat_reliability_4f3e2d1c0b9a";
    public const string AdminKey = "admin-key-reliability-8d7c6b5a";

    private readonly WebApplication _app;
    private readonly bool _ownsFolder;

    private SyncSite(WebApplication app, SyncSiteOptions options, Uri address, bool ownsFolder)
    {
        _app = app;
        _ownsFolder = ownsFolder;
        Options = options;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Every secret the site is configured with; none may appear in a log, a page, an answer or an exception.</summary>
    public static IReadOnlyList<string> Secrets { get; } = [WebhookSecret, PreviousWebhookSecret, AccessToken, AdminKey];

    public SyncSiteOptions Options { get; }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public SiteState State => StateOf(Options);

    public static SiteState StateOf(SyncSiteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.PostgresConnectionString is { } postgres
            ? new SiteState(() => new NpgsqlConnection(postgres), () => new NpgsqlConnection(postgres), () => new SqliteConnection(SqliteFile(options.Folder, "sync.inbox.db")))
            : new SiteState(() => new SqliteConnection(SqliteFile(options.Folder, "identity.db")), () => new SqliteConnection(SqliteFile(options.Folder, "sync.db")), () => new SqliteConnection(SqliteFile(options.Folder, "sync.inbox.db")));
    }

    public static Dictionary<string, string?> DefaultSettings(SyncSiteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new Dictionary<string, string?>
        {
            ["Shopify:CreateUsersFromShopify"] = "true",
            ["Shopify:UpdateUsersInShopify"] = "false",
            ["Shopify:MaxWebhookBodyBytes"] = "65536",
            ["Shopify:Stores:uk:ShopDomain"] = ShopDomain,
            ["Shopify:Stores:uk:WebhookSecret"] = WebhookSecret,
            ["Shopify:Stores:uk:PreviousWebhookSecret"] = PreviousWebhookSecret,
            ["Shopify:Stores:uk:AccessToken"] = AccessToken,
            ["Shopify:AdminApiKey"] = AdminKey,
            ["Shopify:Storage:Provider"] = options.PostgresConnectionString is null ? "Sqlite" : "PostgreSql",
            ["Shopify:Storage:ConnectionString"] = options.PostgresConnectionString ?? SqliteFile(options.Folder, "sync.db"),

            // This node's own inbox file; on SQLite the default place, beside the sync database.
            ["Shopify:Storage:InboxFile"] = Path.Combine(options.Folder, "sync.inbox.db"),
            ["Shopify:Queue:MaxAttempts"] = "8",
            ["Shopify:Queue:RetryBaseDelay"] = "00:00:00.100",
            ["Shopify:Queue:RetryMaxDelay"] = "00:00:01",
            ["Shopify:Queue:PollInterval"] = "00:00:00.100",
            ["Shopify:Queue:LeaseDuration"] = "00:00:30",
        };
    }

    /// <summary>Builds the application (used in process by tests and by the stand-alone host that a crash test kills).</summary>
    public static WebApplication Build(SyncSiteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.Folder);
        var settings = DefaultSettings(options);
        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = options.Folder, EnvironmentName = Environments.Production, Args = [] });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseKestrel().UseUrls(options.Urls);
        builder.Logging.ClearProviders().SetMinimumLevel(options.MinimumLogLevel);
        if (options.Logs is not null)
        {
            builder.Logging.AddProvider(new FakeLoggerProvider(options.Logs));
        }

        if (options.ConsoleLogs)
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true).AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(level => level >= LogLevel.Warning);
        }

        var services = builder.Services;
        services.AddDbContext<SiteIdentityDb>(o =>
        {
            if (options.PostgresConnectionString is { } postgres)
            {
                o.UseNpgsql(postgres);
            }
            else
            {
                o.UseSqlite(SqliteFile(options.Folder, "identity.db"));
            }
        });
        services.AddIdentityCore<IdentityUser>(o => o.User.RequireUniqueEmail = true)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<SiteIdentityDb>();
        services.AddAuthentication(TestAuthentication.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthentication>(TestAuthentication.SchemeName, null);
        services.AddAuthorization();
        services.AddShopifyCustomerSync(builder.Configuration.GetSection("Shopify")).UseIdentityUsers<IdentityUser>();
        options.ConfigureServices?.Invoke(services);

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapShopifyWebhooks();
        app.MapShopifyCustomerApi();
        app.MapShopifyAdminApi();
        app.MapHealthChecks("/health");
        return app;
    }

    /// <summary>Creates the Identity schema (once per database: several nodes share it).</summary>
    public static async Task CreateIdentitySchemaAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SiteIdentityDb>().Database.EnsureCreatedAsync();
    }

    public static async Task<SyncSite> StartAsync(SyncSiteOptions options, bool createIdentitySchema = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ownsFolder = !Directory.Exists(options.Folder);
        var app = Build(options);
        if (createIdentitySchema)
        {
            await CreateIdentitySchemaAsync(app.Services);
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SyncSite(app, options, new Uri(address), ownsFolder);
    }

    public static string NewFolder() => Path.Combine(Path.GetTempPath(), "orchardshopify-reliability", Guid.NewGuid().ToString("N"));

    public async Task<T> WithUsersAsync<T>(Func<UserManager<IdentityUser>, Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>());
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Xunit.Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsFolder && Options.PostgresConnectionString is null)
        {
            DeleteFolder(Options.Folder);
        }
    }

    public static void DeleteFolder(string folder)
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine; the temp folder is cleaned by the OS.
        }
    }

    private static string SqliteFile(string folder, string name) => $"Data Source={Path.Combine(folder, name)}";
}
