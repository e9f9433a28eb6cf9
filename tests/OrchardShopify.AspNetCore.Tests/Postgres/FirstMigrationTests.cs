using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Emulator;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Postgres;

/// <summary>Nodes started together on an empty PostgreSQL database create the sync schema and their schedules without logging an error.</summary>
public sealed class FirstMigrationTests
{
    [PostgresFact]
    public async Task Two_nodes_starting_together_on_an_empty_database_create_the_schema_and_log_no_error()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        await using var emulator = await ShopifyEmulator.StartAsync(new EmulatorOptions { Shops = [TestSite.UkDomain], CustomersPerShop = 1 }, CancellationToken.None);
        void Configure(Dictionary<string, string?> s)
        {
            // A store the catch-up and reconciliation schedules run for: each node adds the store's schedule rows at its first poll.
            s["Shopify:Stores:uk:AccessToken"] = emulator.Options.AccessToken;
            s["Shopify:Stores:uk:ApiBaseUrl"] = new Uri(emulator.BaseUrl, $"shops/{TestSite.UkDomain}").AbsoluteUri;
        }

        var logs = new FakeLogCollector();
        await using var first = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString, configure: Configure, logs: new FakeLoggerProvider(logs));
        await using var second = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString, configure: Configure, logs: new FakeLoggerProvider(logs));

        await Task.WhenAll(first.StartAsync(workers: true), second.StartAsync(workers: true));
        Assert.True(await first.AppendDeleteAsync(7_100_000_001, "wh-first-migration"));
        await TestSite.EventuallyAsync(
            async () =>
            {
                await using var db = await second.Get<SyncDatabase>().OpenAsync(CancellationToken.None);
                return await db.CatchUp.CountAsync() == 1 && await db.ReconciliationSchedule.CountAsync() == 1
                    && await db.WorkItems.CountAsync(w => w.Status == WorkStatus.Succeeded) == 1;
            },
            "the delivery applied and both schedules stored",
            TimeSpan.FromSeconds(30));
        await first.StopAsync();
        await second.StopAsync();

        await using (var db = await second.Get<SyncDatabase>().OpenAsync(CancellationToken.None))
        {
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }

        var errors = logs.GetSnapshot().Where(entry => entry.Level >= LogLevel.Error).Select(entry => $"{entry.Level} {entry.Category}: {entry.Message}").ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }
}
