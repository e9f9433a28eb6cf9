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
    private const int MaxWarmUpRounds = 6;
    
    /// <summary>Warm-up stops after a round in which the JIT compiled fewer methods than this (a new host alone compiles a hundred or so).</summary>
    private const int QuietJitMethods = 500;
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

        // Warm-up rounds on databases of their own, in this same process, until a round leaves the JIT nearly idle.
        // A site's first minutes run code the JIT compiles quickly, then instruments and recompiles optimized (the
        // recompilation shares the same two cores); the measured round is the rest of a site's life.
        // The same on PostgreSQL, where a batch is one transaction too and a round takes seconds.
        var maxRounds = MaxWarmUpRounds;
        var warmUps = new List<SiteRound>();
        for (var round = 1; round <= maxRounds && (warmUps.Count == 0 || warmUps[^1].JitMethods >= QuietJitMethods); round++)
        {
            Console.WriteLine($"warm-up round {round} ({Report.N(count)} other customers, own databases)");
            await using var warmUp = postgres is null ? BenchStorage.Sqlite("apply-warm-up") : await BenchStorage.PostgresAsync("apply-warm-up", postgres);
            warmUps.Add(await ApplyWithSiteAsync(warmUp, Deliveries.Create(count + EngineWarmUp + ((round - 1) * count), count), cancellationToken));
            Console.WriteLine();
        }

        Console.WriteLine("measured round");
        var site = await ApplyWithSiteAsync(storage, deliveries, cancellationToken);
        Report.Line("ratio site/engine", (site.Rate / engineRate).ToString("0.0000", CultureInfo.InvariantCulture));
        Report.Line("warm-up rounds", string.Join(", ", warmUps.Select(r => $"{Report.N(r.Rate)}/s ({Report.N(r.JitMethods)} JIT compilations)")));
        // SQLite's target is this benchmark's own; PostgreSQL's is one node's in the deployed targets (the page's summary).
        var target = postgres is null ? 3000 : 2000;
        Report.Line("target", $">= {Report.N(target)} customers/s in the measured round: {Report.Verdict(site.Complete && site.Rate >= target)} (JIT compilations during it: {Report.N(site.JitMethods)}; first warm-up round: {Report.N(warmUps[0].Rate)}/s)");
        Console.WriteLine();
        Report.Line("work item status (2 succeeded, 3 dead letter)", string.Join(", ", site.Statuses.Select(s => $"{s.Key}: {Report.N(s.Count)}")));
        Report.Line("work item outcomes", string.Join(", ", site.Outcomes.Select(s => $"{s.Key}: {Report.N(s.Count)}")));
        Report.Line("Identity users (AspNetUsers)", Report.N(site.Users));
        Report.Line("shopify_id claims", Report.N(site.Claims));
        Report.Line("links (shopify_customer_links)", Report.N(site.Links));
        Report.Line("sync log rows", Report.N(site.LogRows));

        BenchResults.Save(postgres is null ? "apply-sqlite" : "apply-postgres", new Dictionary<string, double>
        {
            ["customers"] = count,
            ["engine_rate"] = engineRate,
            ["site_rate"] = site.Rate,
            ["site_seconds"] = site.Seconds,
            ["window_rate"] = site.WindowRate,
            ["cpu_us_per_customer"] = site.CpuPerCustomer,
            ["first_round_rate"] = warmUps[0].Rate,
            ["first_round_cpu_us_per_customer"] = warmUps[0].CpuPerCustomer,
            ["warm_up_rounds"] = warmUps.Count,
            ["jit_methods"] = site.JitMethods,
            ["complete"] = site.Complete ? 1 : 0,
            ["users"] = site.Users,
            ["claims"] = site.Claims,
            ["links"] = site.Links,
            ["log_rows"] = site.LogRows,
        });
    }

    /// <summary>Stores the deliveries through a site with its workers off, then times a second site with workers on from its start until every delivery is finished.</summary>
    private static async Task<SiteRound> ApplyWithSiteAsync(BenchStorage storage, Delivery[] deliveries, CancellationToken cancellationToken)
    {
        // 1. Store the deliveries with workers off.
        await using (var site = await Server.StartSiteAsync(storage, workersEnabled: false))
        using (var client = LoadGenerator.CreateClient(site.Address, Connections))
        {
            var ingest = await LoadGenerator.ClosedLoopAsync(client, deliveries, Connections, cancellationToken);
            Report.Line("ingest, workers off", Report.Run(ingest));
        }

        // Pending in the work queue, or on SQLite still in the inbox file (moved into the queue by the next host).
        var stored = await storage.BacklogAsync(cancellationToken);
        Report.Line("deliveries waiting before the workers start", Report.N(stored));

        // 2. A second host on the same data, workers on; timed from its start until every delivery is finished.
        var cpu = Environment.CpuUsage.TotalTime;
        var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
        var jitTime = System.Runtime.JitInfo.GetCompilationTime();
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
            jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods;
            jitTime = System.Runtime.JitInfo.GetCompilationTime() - jitTime;
        }

        // processed_at is Unix milliseconds on both providers.
        var firstProcessed = await storage.ScalarAsync("SELECT MIN(processed_at) FROM shopify_work_items WHERE kind = 1", cancellationToken: cancellationToken);
        var lastProcessed = await storage.ScalarAsync("SELECT MAX(processed_at) FROM shopify_work_items WHERE kind = 1", cancellationToken: cancellationToken);
        var round = new SiteRound(
            finished / clock.Elapsed.TotalSeconds,
            clock.Elapsed.TotalSeconds,
            lastProcessed > firstProcessed ? finished / TimeSpan.FromMilliseconds(lastProcessed - firstProcessed).TotalSeconds : double.NaN,
            cpu.TotalMilliseconds * 1000 / Math.Max(1, finished),
            finished == stored,
            jitMethods,
            await storage.GroupsAsync("SELECT status, COUNT(*) FROM shopify_work_items WHERE kind = 1 GROUP BY status ORDER BY status", cancellationToken),
            await storage.GroupsAsync("SELECT outcome, COUNT(*) FROM shopify_work_items WHERE kind = 1 GROUP BY outcome ORDER BY outcome", cancellationToken),
            await storage.ScalarAsync("SELECT COUNT(*) FROM \"AspNetUsers\"", identity: true, cancellationToken),
            await storage.ScalarAsync("SELECT COUNT(*) FROM \"AspNetUserClaims\" WHERE \"ClaimType\" = 'shopify_id'", identity: true, cancellationToken),
            await storage.ScalarAsync("SELECT COUNT(*) FROM shopify_customer_links", cancellationToken: cancellationToken),
            await storage.ScalarAsync("SELECT COUNT(*) FROM shopify_sync_log", cancellationToken: cancellationToken));

        Report.Line($"site workers (Identity + sync on {storage.Kind})", $"{Report.N(round.Rate)} customers/s ({Report.N(finished)} of {Report.N(stored)} finished in {clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s from host start{(round.Complete ? "" : ", STOPPED AT THE TIME LIMIT")})");
        Report.Line("  processor time of the process", $"{Report.N(round.CpuPerCustomer)} us per customer ({cpu.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s over {clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s)");
        Report.Line("  JIT compilations meanwhile", $"{Report.N(jitMethods)} methods, {jitTime.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s of compilation");
        Report.Line("  first to last processed_at", $"{Report.N(round.WindowRate)} customers/s over {((lastProcessed - firstProcessed) / 1000.0).ToString("0.00", CultureInfo.InvariantCulture)} s");
        Report.Line("  users / links / created", $"{Report.N(round.Users)} / {Report.N(round.Links)} / {Report.N(round.Outcomes.FirstOrDefault(o => o.Key == "created").Count)}");
        return round;
    }

    private sealed record SiteRound(
        double Rate,
        double Seconds,
        double WindowRate,
        double CpuPerCustomer,
        bool Complete,
        long JitMethods,
        List<(string Key, long Count)> Statuses,
        List<(string Key, long Count)> Outcomes,
        long Users,
        long Claims,
        long Links,
        long LogRows);

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
