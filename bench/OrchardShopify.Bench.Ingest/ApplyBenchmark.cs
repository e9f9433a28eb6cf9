using System.Diagnostics;
using System.Globalization;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.DependencyInjection;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;
using OrchardShopify.Core.Webhooks;
using OrchardShopify.Testing;

namespace OrchardShopify.Bench.Ingest;

/// <summary>
/// Stored customers/create deliveries applied by the site's workers (Identity users created and linked on SQLite)
/// against the engine alone over in-memory ports.
/// </summary>
internal static class ApplyBenchmark
{
    private const int Connections = 32;
    private const int EngineWarmUp = 1_000;
    private static readonly TimeSpan ApplyLimit = TimeSpan.FromMinutes(10);

    /// <param name="postgres">A PostgreSQL server login allowed to create databases; null for SQLite files.</param>
    public static async Task RunAsync(int count, string? postgres, CancellationToken cancellationToken)
    {
        await using var storage = postgres is null ? BenchStorage.Sqlite("apply") : await BenchStorage.PostgresAsync("apply", postgres);
        Console.WriteLine($"Inbound apply on {storage.Kind}: {count} stored customers/create deliveries (new customer each: unique id, email and phone), default queue settings");
        var deliveries = Deliveries.Create(0, count);
        Console.WriteLine();

        // Baseline: the engine alone, applying the same deliveries one after another, as one worker does.
        await ApplyWithEngineAsync(Deliveries.Create(count, EngineWarmUp), cancellationToken);
        var engine = await ApplyWithEngineAsync(deliveries, cancellationToken);
        var engineRate = count / engine.Elapsed.TotalSeconds;
        Report.Line("engine alone (in-memory ports)", $"{Report.N(engineRate)} customers/s ({Report.N(count)} in {engine.Elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s)");
        Report.Line("  users / links / outcomes", $"{Report.N(engine.Users)} / {Report.N(engine.Links)} / {engine.Outcomes}");
        Console.WriteLine();

        // 1. Store the deliveries with workers off.
        await using (var site = await Server.StartSiteAsync(storage, workersEnabled: false))
        using (var client = LoadGenerator.CreateClient(site.Address, Connections))
        {
            var ingest = await LoadGenerator.ClosedLoopAsync(client, deliveries, Connections, cancellationToken);
            Report.Line("ingest, workers off", Report.Run(ingest));
        }

        var stored = await storage.ScalarAsync("SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1 AND status = 0", cancellationToken: cancellationToken);
        Report.Line("inbox rows pending before the workers start", Report.N(stored));

        // 2. A second host on the same data, workers on; timed from its start until every delivery is finished.
        var cpu = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();
        long finished;
        await using (var site = await Server.StartSiteAsync(storage, workersEnabled: true))
        {
            while ((finished = await storage.ScalarAsync("SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1 AND status IN (2, 3)", cancellationToken: cancellationToken)) < stored
                && clock.Elapsed < ApplyLimit)
            {
                await Task.Delay(100, cancellationToken);
            }

            clock.Stop();
            cpu = Environment.CpuUsage.TotalTime - cpu;
        }

        // processed_at is Unix milliseconds on both providers.
        var firstProcessed = await storage.ScalarAsync("SELECT MIN(processed_at) FROM shopify_work_items WHERE kind = 1", cancellationToken: cancellationToken);
        var lastProcessed = await storage.ScalarAsync("SELECT MAX(processed_at) FROM shopify_work_items WHERE kind = 1", cancellationToken: cancellationToken);
        var statuses = await storage.GroupsAsync("SELECT status, COUNT(*) FROM shopify_work_items WHERE kind = 1 GROUP BY status ORDER BY status", cancellationToken);
        var outcomes = await storage.GroupsAsync("SELECT outcome, COUNT(*) FROM shopify_work_items WHERE kind = 1 GROUP BY outcome ORDER BY outcome", cancellationToken);
        var links = await storage.ScalarAsync("SELECT COUNT(*) FROM shopify_customer_links", cancellationToken: cancellationToken);
        var logRows = await storage.ScalarAsync("SELECT COUNT(*) FROM shopify_sync_log", cancellationToken: cancellationToken);
        var users = await storage.ScalarAsync("SELECT COUNT(*) FROM \"AspNetUsers\"", identity: true, cancellationToken);
        var claims = await storage.ScalarAsync("SELECT COUNT(*) FROM \"AspNetUserClaims\" WHERE \"ClaimType\" = 'shopify_id'", identity: true, cancellationToken);

        var siteRate = finished / clock.Elapsed.TotalSeconds;
        var window = TimeSpan.FromMilliseconds(lastProcessed - firstProcessed);
        var windowRate = window > TimeSpan.Zero ? finished / window.TotalSeconds : double.NaN;
        var complete = finished == stored;
        var cpuPerCustomer = cpu.TotalMilliseconds * 1000 / Math.Max(1, finished);
        Report.Line($"site workers (Identity + sync on {storage.Kind})", $"{Report.N(siteRate)} customers/s ({Report.N(finished)} of {Report.N(stored)} finished in {clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s from host start{(complete ? "" : ", STOPPED AT THE TIME LIMIT")}) (target >= 3,000: {Report.Verdict(complete && siteRate >= 3000)})");
        Report.Line("  processor time of the process", $"{Report.N(cpuPerCustomer)} us per customer ({cpu.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s over {clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s)");
        Report.Line("  first to last processed_at", $"{Report.N(windowRate)} customers/s over {window.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s");
        Report.Line("ratio site/engine", (siteRate / engineRate).ToString("0.0000", CultureInfo.InvariantCulture));
        Console.WriteLine();
        Report.Line("work item status (2 succeeded, 3 dead letter)", string.Join(", ", statuses.Select(s => $"{s.Key}: {Report.N(s.Count)}")));
        Report.Line("work item outcomes", string.Join(", ", outcomes.Select(s => $"{s.Key}: {Report.N(s.Count)}")));
        Report.Line("Identity users (AspNetUsers)", Report.N(users));
        Report.Line("shopify_id claims", Report.N(claims));
        Report.Line("links (shopify_customer_links)", Report.N(links));
        Report.Line("sync log rows", Report.N(logRows));

        BenchResults.Save(postgres is null ? "apply-sqlite" : "apply-postgres", new Dictionary<string, double>
        {
            ["customers"] = count,
            ["engine_rate"] = engineRate,
            ["site_rate"] = siteRate,
            ["site_seconds"] = clock.Elapsed.TotalSeconds,
            ["window_rate"] = windowRate,
            ["cpu_us_per_customer"] = cpuPerCustomer,
            ["complete"] = complete ? 1 : 0,
            ["users"] = users,
            ["claims"] = claims,
            ["links"] = links,
            ["log_rows"] = logRows,
        });
    }

    private static async Task<(TimeSpan Elapsed, int Users, int Links, string Outcomes)> ApplyWithEngineAsync(Delivery[] deliveries, CancellationToken cancellationToken)
    {
        var users = new InMemoryUserDirectory();
        var links = new InMemoryCustomerLinkStore();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IUserDirectory>(users);
        services.AddSingleton<ICustomerLinkStore>(links);
        services.AddSingleton<ISyncLog>(new InMemorySyncLog());
        services.AddSingleton<IOutboundSyncQueue>(new InMemoryOutboundQueue());
        services.AddSingleton<IShopifyCustomerApi>(sp => new FakeShopifyCustomers(TimeProvider.System));
        services.AddShopifySyncEngine();
        services.Configure<ShopifySyncOptions>(o =>
        {
            o.CreateUsersFromShopify = true;
            o.UpdateUsersInShopify = false;
            o.Stores["uk"] = new StoreOptions { ShopDomain = Deliveries.Domain, WebhookSecret = Deliveries.Secret, AccessToken = "shpat_bench_token" };
        });
        await using var provider = services.BuildServiceProvider();
        var inbound = provider.GetRequiredService<InboundCustomerSync>();
        var store = provider.GetRequiredService<StoreRegistry>().FindByHandle("uk")!;

        var outcomes = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();
        foreach (var d in deliveries)
        {
            var result = await inbound.ApplyAsync(new WebhookDelivery(ShopifyTopics.CustomersCreate, store, d.WebhookId, d.EventId, d.TriggeredAt, Deliveries.ApiVersion, d.Body), cancellationToken);
            var name = InboundResult.OutcomeName(result.Outcome);
            outcomes[name] = outcomes.GetValueOrDefault(name) + 1;
        }

        clock.Stop();
        return (clock.Elapsed, users.All.Count, links.All.Count, string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {Report.N(o.Value)}")));
    }
}
