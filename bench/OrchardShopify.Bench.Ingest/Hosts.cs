using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Users;

namespace OrchardShopify.Bench.Ingest;

/// <summary>The site's Identity tables, with the phone number index the sync's docs recommend.</summary>
internal sealed class BenchIdentityDb(DbContextOptions<BenchIdentityDb> options) : IdentityDbContext<IdentityUser>(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.HasShopifyLookupIndexes<IdentityUser>();
    }
}

/// <summary>A Kestrel server on 127.0.0.1 (a free port) and its address.</summary>
internal sealed class Server(WebApplication app, string? ownFolder = null) : IAsyncDisposable
{
    public Uri Address { get; } = new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Transactions the site's inbox has committed so far (rows stored per commit shows how well appends are grouped).</summary>
    public long InboxCommits => app.Services.GetRequiredService<OrchardShopify.AspNetCore.Persistence.WebhookInbox>().Commits;

    /// <summary>The baseline: the same URL, reads the whole body and answers 200; no verification, no storage.</summary>
    public static async Task<Server> StartBareAsync()
    {
        // An empty content root of its own: the host watches its content root, and the working directory may hold the sites' databases.
        var contentRoot = Report.TempFolder("bare");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = contentRoot, EnvironmentName = "Production" });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost(Deliveries.CreatePath, async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, http.RequestAborted);
            return Results.Ok();
        });
        await app.StartAsync();
        return new Server(app, contentRoot);
    }

    /// <summary>
    /// A site as docs/aspnetcore.md sets one up: Identity users and the sync on <paramref name="storage"/> (SQLite files
    /// identity.db and sync.db, or one PostgreSQL database), and the webhook endpoints. Workers on or off;
    /// <paramref name="settings"/> adds or overrides configuration.
    /// </summary>
    public static async Task<Server> StartSiteAsync(BenchStorage storage, bool workersEnabled, IDictionary<string, string?>? settings = null)
    {
        // The databases sit beside the content root, not in it: the host watches its content root for configuration
        // changes, and every write to a database file there would raise file events for it to sift through.
        var contentRoot = Directory.CreateDirectory(Path.Combine(storage.Folder, "site")).FullName;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = contentRoot, EnvironmentName = "Production" });
        var configuration = new Dictionary<string, string?>
        {
            ["Shopify:CreateUsersFromShopify"] = "true",
            ["Shopify:UpdateUsersInShopify"] = "false",
            ["Shopify:Stores:uk:ShopDomain"] = Deliveries.Domain,
            ["Shopify:Stores:uk:WebhookSecret"] = Deliveries.Secret,
            ["Shopify:Stores:uk:AccessToken"] = "shpat_bench_token",
            ["Shopify:Queue:WorkersEnabled"] = workersEnabled ? "true" : "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);

        var services = builder.Services;
        var sync = services.AddShopifyCustomerSync(builder.Configuration.GetSection("Shopify")).UseIdentityUsers<IdentityUser>();
        if (storage.Postgres is { } postgres)
        {
            services.AddDbContext<BenchIdentityDb>(o => o.UseNpgsql(postgres));
            sync.UsePostgreSql(postgres);
        }
        else
        {
            services.AddDbContext<BenchIdentityDb>(o => o.UseSqlite($"Data Source={IdentityDb(storage.Folder)}").AddInterceptors(new SqliteWalInterceptor(SqliteSynchronous.Normal)));
            sync.UseSqlite($"Data Source={SyncDb(storage.Folder)}");
        }

        // The sync's admin API registers its authorization policies; the host supplies the authorization middleware's services.
        services.AddAuthorization();
        services.AddIdentityCore<IdentityUser>(o => o.User.RequireUniqueEmail = true)
            .AddEntityFrameworkStores<BenchIdentityDb>();

        var app = builder.Build();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            // On PostgreSQL both contexts share one database: the Identity tables are created from its model script.
            var identity = scope.ServiceProvider.GetRequiredService<BenchIdentityDb>().Database;
            if (storage.Postgres is null)
            {
                await identity.EnsureCreatedAsync();
            }
            else if (!await TableExistsAsync(identity, "AspNetUsers"))
            {
                await identity.ExecuteSqlRawAsync(identity.GenerateCreateScript());
            }
        }

        app.MapShopifyWebhooks();
        await app.StartAsync();
        return new Server(app);
    }

    public IServiceProvider Services => app.Services;

    public static string SyncDb(string folder) => Path.Combine(folder, "sync.db");

    /// <summary>Where the site keeps its webhook inbox on SQLite: beside the sync database, in a file of its own.</summary>
    public static string InboxDb(string folder) => Path.Combine(folder, "sync.inbox.db");

    private static async Task<bool> TableExistsAsync(Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade database, string table)
    {
        var connection = database.GetDbConnection();
        await database.OpenConnectionAsync();
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM information_schema.tables WHERE table_name = '{table}'";
            return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) > 0;
        }
        finally
        {
            await database.CloseConnectionAsync();
        }
    }

    public static string IdentityDb(string folder) => Path.Combine(folder, "identity.db");

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        if (ownFolder is not null)
        {
            Report.Delete(ownFolder);
        }
    }
}
