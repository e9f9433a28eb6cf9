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
internal sealed class Server(WebApplication app) : IAsyncDisposable
{
    public Uri Address { get; } = new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>The baseline: the same URL, reads the whole body and answers 200; no verification, no storage.</summary>
    public static async Task<Server> StartBareAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
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
        return new Server(app);
    }

    /// <summary>
    /// A site as docs/aspnetcore.md sets one up: Identity users on SQLite (identity.db), the sync on SQLite
    /// (sync.db) in <paramref name="folder"/>, and the webhook endpoints. Workers on or off.
    /// </summary>
    public static async Task<Server> StartSiteAsync(string folder, bool workersEnabled)
    {
        // The databases sit beside the content root, not in it: the host watches its content root for configuration
        // changes, and every write to a database file there would raise file events for it to sift through.
        var contentRoot = Directory.CreateDirectory(Path.Combine(folder, "site")).FullName;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = contentRoot, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Shopify:CreateUsersFromShopify"] = "true",
            ["Shopify:UpdateUsersInShopify"] = "false",
            ["Shopify:Stores:uk:ShopDomain"] = Deliveries.Domain,
            ["Shopify:Stores:uk:WebhookSecret"] = Deliveries.Secret,
            ["Shopify:Stores:uk:AccessToken"] = "shpat_bench_token",
            ["Shopify:Queue:WorkersEnabled"] = workersEnabled ? "true" : "false",
        });
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);

        var services = builder.Services;
        services.AddDbContext<BenchIdentityDb>(o => o.UseSqlite($"Data Source={IdentityDb(folder)}").AddInterceptors(new SqliteWalInterceptor(SqliteSynchronous.Normal)));
        services.AddIdentityCore<IdentityUser>(o => o.User.RequireUniqueEmail = true)
            .AddEntityFrameworkStores<BenchIdentityDb>();
        services.AddShopifyCustomerSync(builder.Configuration.GetSection("Shopify"))
            .UseSqlite($"Data Source={SyncDb(folder)}")
            .UseIdentityUsers<IdentityUser>();

        var app = builder.Build();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<BenchIdentityDb>().Database.EnsureCreatedAsync();
        }

        app.MapShopifyWebhooks();
        await app.StartAsync();
        return new Server(app);
    }

    public static string SyncDb(string folder) => Path.Combine(folder, "sync.db");

    public static string IdentityDb(string folder) => Path.Combine(folder, "identity.db");

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>Counts read straight from the SQLite files, outside the site.</summary>
internal static class Sqlite
{
    public static async Task<long> ScalarAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    public static async Task<List<(string Key, long Count)>> GroupsAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var groups = new List<(string, long)>();
        while (await reader.ReadAsync())
        {
            groups.Add((reader.IsDBNull(0) ? "(null)" : Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!, reader.GetInt64(1)));
        }

        return groups;
    }
}
