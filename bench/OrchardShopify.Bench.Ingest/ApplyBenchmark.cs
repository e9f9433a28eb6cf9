using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
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

    public static async Task RunAsync(int count, CancellationToken cancellationToken)
    {
        Console.WriteLine($"Inbound apply: {count} stored customers/create deliveries (new customer each: unique id, email and phone), default queue settings");
        var deliveries = Deliveries.Create(0, count);
        Console.WriteLine();

        // Baseline: the engine alone, applying the same deliveries one after another, as one worker does.
        await ApplyWithEngineAsync(Deliveries.Create(count, EngineWarmUp), cancellationToken);
        var engine = await ApplyWithEngineAsync(deliveries, cancellationToken);
        var engineRate = count / engine.Elapsed.TotalSeconds;
        Report.Line("engine alone (in-memory ports)", $"{Report.N(engineRate)} customers/s ({Report.N(count)} in {engine.Elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s)");
        Report.Line("  users / links / outcomes", $"{Report.N(engine.Users)} / {Report.N(engine.Links)} / {engine.Outcomes}");
        Console.WriteLine();

        var folder = Report.TempFolder("apply");
        try
        {
            // 1. Store the deliveries with workers off.
            await using (var site = await Server.StartSiteAsync(folder, workersEnabled: false))
            using (var client = LoadGenerator.CreateClient(site.Address, Connections))
            {
                var ingest = await LoadGenerator.ClosedLoopAsync(client, deliveries, Connections, cancellationToken);
                Report.Line("ingest, workers off", Report.Run(ingest));
            }

            var db = Server.SyncDb(folder);
            var stored = await Sqlite.ScalarAsync(db, "SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1 AND status = 0");
            Report.Line("inbox rows pending before the workers start", Report.N(stored));

            // 2. A second host on the same files, workers on; timed from its start until every delivery is finished.
            var cpu = Environment.CpuUsage.TotalTime;
            var clock = Stopwatch.StartNew();
            long finished;
            await using (var site = await Server.StartSiteAsync(folder, workersEnabled: true))
            {
                // One connection for the whole wait: opening one per poll would cost the site's processors more than the count.
                await using var poll = new SqliteConnection($"Data Source={db};Pooling=False");
                await poll.OpenAsync(cancellationToken);
                await using var finishedCount = poll.CreateCommand();
                finishedCount.CommandText = "SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1 AND status IN (2, 3)";
                while ((finished = (long)(await finishedCount.ExecuteScalarAsync(cancellationToken))!) < stored && clock.Elapsed < ApplyLimit)
                {
                    await Task.Delay(100, cancellationToken);
                }

                clock.Stop();
                cpu = Environment.CpuUsage.TotalTime - cpu;
            }

            var firstProcessed = await Sqlite.ScalarAsync(db, "SELECT MIN(processed_at) FROM shopify_work_items WHERE kind = 1");
            var lastProcessed = await Sqlite.ScalarAsync(db, "SELECT MAX(processed_at) FROM shopify_work_items WHERE kind = 1");
            var statuses = await Sqlite.GroupsAsync(db, "SELECT status, COUNT(*) FROM shopify_work_items WHERE kind = 1 GROUP BY status ORDER BY status");
            var outcomes = await Sqlite.GroupsAsync(db, "SELECT outcome, COUNT(*) FROM shopify_work_items WHERE kind = 1 GROUP BY outcome ORDER BY outcome");
            var links = await Sqlite.ScalarAsync(db, "SELECT COUNT(*) FROM shopify_customer_links");
            var logRows = await Sqlite.ScalarAsync(db, "SELECT COUNT(*) FROM shopify_sync_log");
            var identity = Server.IdentityDb(folder);
            var users = await Sqlite.ScalarAsync(identity, "SELECT COUNT(*) FROM AspNetUsers");
            var claims = await Sqlite.ScalarAsync(identity, "SELECT COUNT(*) FROM AspNetUserClaims WHERE ClaimType = 'shopify_id'");

            var siteRate = finished / clock.Elapsed.TotalSeconds;
            var window = TimeSpan.FromMilliseconds(lastProcessed - firstProcessed);
            var windowRate = window > TimeSpan.Zero ? finished / window.TotalSeconds : double.NaN;
            var complete = finished == stored;
            Report.Line("site workers (Identity + sync on SQLite)", $"{Report.N(siteRate)} customers/s ({Report.N(finished)} of {Report.N(stored)} finished in {clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s from host start{(complete ? "" : ", STOPPED AT THE TIME LIMIT")}) (target >= 3,000: {Report.Verdict(complete && siteRate >= 3000)})");
            Report.Line("  processor time of the site", $"{Report.N(cpu.TotalMilliseconds * 1000 / Math.Max(1, finished))} us per customer ({cpu.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s over {clock.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s)");
            Report.Line("  first to last processed_at", $"{Report.N(windowRate)} customers/s over {window.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s");
            Report.Line("ratio site/engine", (siteRate / engineRate).ToString("0.0000", CultureInfo.InvariantCulture));
            Console.WriteLine();
            Report.Line("work item status (2 succeeded, 3 dead letter)", string.Join(", ", statuses.Select(s => $"{s.Key}: {Report.N(s.Count)}")));
            Report.Line("work item outcomes", string.Join(", ", outcomes.Select(s => $"{s.Key}: {Report.N(s.Count)}")));
            Report.Line("Identity users (AspNetUsers)", Report.N(users));
            Report.Line("shopify_id claims", Report.N(claims));
            Report.Line("links (shopify_customer_links)", Report.N(links));
            Report.Line("sync log rows", Report.N(logRows));
        }
        finally
        {
            Report.Delete(folder);
        }
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
