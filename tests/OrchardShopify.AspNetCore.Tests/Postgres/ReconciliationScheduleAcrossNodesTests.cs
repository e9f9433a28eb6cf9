using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Reconciliation;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Emulator;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Postgres;

/// <summary>Two nodes sharing one PostgreSQL database, both polling the scheduled reconciliation of one emulator store: one run per interval.</summary>
public sealed class ReconciliationScheduleAcrossNodesTests
{
    [PostgresFact]
    public async Task On_postgres_two_nodes_start_one_scheduled_reconciliation_per_interval()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        await using var emulator = await ShopifyEmulator.StartAsync(new EmulatorOptions { Shops = [TestSite.UkDomain], CustomersPerShop = 5 }, CancellationToken.None);
        var interval = TimeSpan.FromSeconds(2);
        void Configure(Dictionary<string, string?> s)
        {
            s["Shopify:Stores:uk:AccessToken"] = emulator.Options.AccessToken;
            s["Shopify:Stores:uk:ApiBaseUrl"] = new Uri(emulator.BaseUrl, $"shops/{TestSite.UkDomain}").AbsoluteUri;
            s["Shopify:CatchUp:Enabled"] = "false";
            s["Shopify:ScheduledReconciliation:Interval"] = "00:00:02";
        }

        await using var first = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString, configure: Configure);
        await using var second = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString, configure: Configure);
        await first.StartAsync(workers: true);
        await second.StartAsync(workers: true);

        List<long> starts = [];
        await TestSite.EventuallyAsync(
            async () =>
            {
                await using var db = await first.Get<SyncDatabase>().OpenAsync(CancellationToken.None);
                starts = await db.Jobs.Where(j => j.Kind == ReconciliationJob.Kind).OrderBy(j => j.StartedAt).Select(j => j.StartedAt).ToListAsync();
                return starts.Count >= 3;
            },
            "three scheduled reconciliations",
            TimeSpan.FromSeconds(60));
        await first.StopAsync();
        await second.StopAsync();

        for (var i = 1; i < starts.Count; i++)
        {
            Assert.True(starts[i] - starts[i - 1] >= interval.TotalMilliseconds * 0.75, $"runs {i - 1} and {i} started {starts[i] - starts[i - 1]} ms apart");
        }

        await using (var db = await first.Get<SyncDatabase>().OpenAsync(CancellationToken.None))
        {
            Assert.Contains(await db.SyncLog.Where(l => l.Topic == ReconciliationScheduler.RunTopic).Select(l => l.Outcome).ToListAsync(), o => o == "succeeded");
        }
    }
}
