using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Web.Hosting;
using OrchardShopify.Web.Identity;
using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

/// <summary>The users' database (<c>site.db</c>) runs with the sync database's SQLite settings, in WAL mode.</summary>
public sealed class SiteDatabaseTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orchardshopify-web-database", Guid.NewGuid().ToString("N"));
    private RunningSite _site = null!;

    private string DatabaseFile => Path.Combine(_folder, "App_Data", "demo", "site.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _site = await SiteFixture.StartSiteAsync(_folder, new Dictionary<string, string?>
        {
            ["Site:AdminPassword"] = "Admin-database-pass-1",
            ["Site:Demo:CustomersPerShop"] = "0",
            ["Shopify:Storage:SqliteBusyTimeout"] = "00:00:07",
        });
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task The_users_database_is_in_wal_mode_with_the_sync_databases_synchronous_setting_and_busy_timeout()
    {
        // The mode is stored in the file: any connection, the site's or another process's, sees it.
        Assert.True(File.Exists(DatabaseFile), DatabaseFile);
        await using (var outside = new SqliteConnection($"Data Source={DatabaseFile};Pooling=False"))
        {
            await outside.OpenAsync();
            await using var command = outside.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        }

        // synchronous and busy_timeout belong to each connection: the site's own, as its pages and the sync use them.
        // SQLite's defaults would be FULL (a disk sync per commit) and no busy timeout (Microsoft.Data.Sqlite then
        // retries a locked statement in 150 ms sleeps).
        await using var scope = _site.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SiteDbContext>();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous";
        Assert.Equal(1L, (long)(await pragma.ExecuteScalarAsync())!); // NORMAL, Shopify:Storage:SqliteSynchronous's default
        pragma.CommandText = "PRAGMA busy_timeout";
        Assert.Equal(7_000L, (long)(await pragma.ExecuteScalarAsync())!);

        // And the administrator written at the first start is in it.
        Assert.Equal(1, await db.Users.CountAsync(u => u.Email == "admin@example.com"));
    }
}
