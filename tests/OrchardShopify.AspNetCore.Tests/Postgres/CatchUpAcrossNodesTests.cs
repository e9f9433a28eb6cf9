using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.CatchUp;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Emulator;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Postgres;

/// <summary>Two nodes sharing one PostgreSQL database, both polling the catch-up of one emulator store: one run per interval.</summary>
public sealed class CatchUpAcrossNodesTests
{
    [PostgresFact]
    public async Task On_postgres_two_nodes_run_a_store_once_per_interval()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        await using var emulator = await ShopifyEmulator.StartAsync(new EmulatorOptions { Shops = [TestSite.UkDomain], CustomersPerShop = 5 }, CancellationToken.None);
        var interval = TimeSpan.FromSeconds(2);
        void Configure(Dictionary<string, string?> s)
        {
            s["Shopify:Stores:uk:AccessToken"] = emulator.Options.AccessToken;
            s["Shopify:Stores:uk:ApiBaseUrl"] = new Uri(emulator.BaseUrl, $"shops/{TestSite.UkDomain}").AbsoluteUri;
            s["Shopify:CatchUp:Interval"] = "00:00:02";
        }

        await using var first = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString, configure: Configure);
        await using var second = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString, configure: Configure);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await first.StartAsync(workers: true);
        await second.StartAsync(workers: true);

        await Task.Delay(interval * 5);
        await first.StopAsync();
        await second.StopAsync();
        var elapsed = clock.Elapsed;

        List<long> runs;
        await using (var db = await first.Get<SyncDatabase>().OpenAsync(CancellationToken.None))
        {
            runs = await db.SyncLog.Where(l => l.Topic == CatchUpScheduler.RunTopic).OrderBy(l => l.At).Select(l => l.At).ToListAsync();
            Assert.All(await db.SyncLog.Where(l => l.Topic == CatchUpScheduler.RunTopic).Select(l => l.Outcome).ToListAsync(), o => Assert.Equal("succeeded", o));
        }

        // Runs are an interval apart: no more fit in the time the nodes ran than one per interval and one at the start.
        Assert.InRange(runs.Count, 2, (int)(elapsed / interval) + 1);
        for (var i = 1; i < runs.Count; i++)
        {
            Assert.True(runs[i] - runs[i - 1] >= interval.TotalMilliseconds * 0.75, $"runs {i - 1} and {i} started {runs[i] - runs[i - 1]} ms apart");
        }
    }
}
