using System.Globalization;

namespace OrchardShopify.Bench.Ingest;

/// <summary>
/// Webhook intake of the site (verify + append to the inbox, workers off) against a bare Kestrel endpoint, with SQLite's
/// default <c>synchronous=NORMAL</c> and again with <c>FULL</c>; then a fixed-rate run against the default site.
/// </summary>
internal static class IngestBenchmark
{
    private const int WarmUp = 2_000;
    private const double Rate = 1_000;
    private const int RateSeconds = 10;

    public static async Task RunAsync(int measured, int connections, CancellationToken cancellationToken)
    {
        var fixedRate = (int)(Rate * RateSeconds);
        Console.WriteLine($"Webhook ingest: {measured} signed customers/create deliveries ({connections} loopback connections, after {WarmUp} warm-up), then {Rate} requests/s for {RateSeconds} s against the site");
        var all = Deliveries.Create(0, (2 * (WarmUp + measured)) + fixedRate);
        var warmUp = all[..WarmUp];
        var main = all[WarmUp..(WarmUp + measured)];
        var paced = all[(WarmUp + measured)..((WarmUp + measured) + fixedRate)];
        var fullWarmUp = all[((WarmUp + measured) + fixedRate)..((2 * WarmUp) + measured + fixedRate)];
        var fullMain = all[((2 * WarmUp) + measured + fixedRate)..];
        Console.WriteLine($"payload                                        {all[0].Body.Length} bytes, HMAC-SHA256 signed, unique webhook id per delivery");
        Console.WriteLine();

        RunResult bare;
        await using (var server = await Server.StartBareAsync())
        using (var client = LoadGenerator.CreateClient(server.Address, connections))
        {
            await LoadGenerator.ClosedLoopAsync(client, warmUp, connections, cancellationToken);
            bare = await LoadGenerator.ClosedLoopAsync(client, main, connections, cancellationToken);
        }

        RunResult site, full;
        RunResult pacedFromSend, pacedFromSchedule;
        long rows, distinct, pending;
        await using (var storage = BenchStorage.Sqlite("ingest"))
        {
            await using (var server = await Server.StartSiteAsync(storage, workersEnabled: false))
            using (var client = LoadGenerator.CreateClient(server.Address, connections))
            {
                await LoadGenerator.ClosedLoopAsync(client, warmUp, connections, cancellationToken);
                site = await LoadGenerator.ClosedLoopAsync(client, main, connections, cancellationToken);
                (pacedFromSend, pacedFromSchedule) = await LoadGenerator.FixedRateAsync(client, paced, Rate, cancellationToken);
            }

            rows = await storage.ScalarAsync("SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1", cancellationToken: cancellationToken);
            distinct = await storage.ScalarAsync("SELECT COUNT(DISTINCT dedup_key) FROM shopify_work_items WHERE kind = 1", cancellationToken: cancellationToken);
            pending = await storage.ScalarAsync("SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1 AND status = 0", cancellationToken: cancellationToken);
        }

        await using (var storage = BenchStorage.Sqlite("ingest-full"))
        {
            await using var server = await Server.StartSiteAsync(storage, workersEnabled: false, new Dictionary<string, string?> { ["Shopify:Storage:SqliteSynchronous"] = "Full" });
            using var client = LoadGenerator.CreateClient(server.Address, connections);
            await LoadGenerator.ClosedLoopAsync(client, fullWarmUp, connections, cancellationToken);
            full = await LoadGenerator.ClosedLoopAsync(client, fullMain, connections, cancellationToken);
        }

        var ratio = site.RequestsPerSecond / bare.RequestsPerSecond;
        var fullRatio = full.RequestsPerSecond / bare.RequestsPerSecond;
        var p99 = pacedFromSend.Percentile(99);
        var sent = WarmUp + measured + fixedRate;

        Report.Line("bare Kestrel (read body, 200)", Report.Run(bare));
        Report.Line("site (MapShopifyWebhooks, SQLite, workers off)", Report.Run(site));
        Report.Line("ratio site/bare, requests/s", $"{ratio.ToString("0.000", CultureInfo.InvariantCulture)} (target >= 0.5: {Report.Verdict(ratio >= 0.5)})");
        Report.Line("latency ratio site/bare, p50 / p99", $"{(site.Percentile(50) / bare.Percentile(50)).ToString("0.00", CultureInfo.InvariantCulture)} / {(site.Percentile(99) / bare.Percentile(99)).ToString("0.00", CultureInfo.InvariantCulture)}");
        Report.Line("site with SqliteSynchronous=Full", Report.Run(full));
        Report.Line("ratio site (Full)/bare, requests/s", fullRatio.ToString("0.000", CultureInfo.InvariantCulture));
        Console.WriteLine();
        Report.Line($"site at {Rate} requests/s for {RateSeconds} s", $"{Report.N(pacedFromSend.Requests)} sent in {pacedFromSend.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s, {pacedFromSend.Failures} not 200");
        Report.Line("  latency from send, p50 / p99 / max", $"{Report.Ms(pacedFromSend.Percentile(50))} / {Report.Ms(p99)} / {Report.Ms(pacedFromSend.Percentile(100))} (p99 target < 10 ms: {Report.Verdict(p99 < 10)})");
        Report.Line("  latency from schedule, p50 / p99 / max", $"{Report.Ms(pacedFromSchedule.Percentile(50))} / {Report.Ms(pacedFromSchedule.Percentile(99))} / {Report.Ms(pacedFromSchedule.Percentile(100))}");
        Console.WriteLine();
        Report.Line("deliveries sent to the default site", Report.N(sent));
        Report.Line("inbox rows stored (distinct webhook ids)", $"{Report.N(rows)} ({Report.N(distinct)}), {Report.N(pending)} pending; {(rows == sent && distinct == sent ? "every delivery stored" : "MISSING DELIVERIES")}");

        BenchResults.Save("ingest", new Dictionary<string, double>
        {
            ["bare_rps"] = bare.RequestsPerSecond,
            ["bare_p50_ms"] = bare.Percentile(50),
            ["bare_p99_ms"] = bare.Percentile(99),
            ["bare_cpu_us"] = bare.CpuMicrosecondsPerRequest,
            ["site_rps"] = site.RequestsPerSecond,
            ["site_p50_ms"] = site.Percentile(50),
            ["site_p99_ms"] = site.Percentile(99),
            ["site_cpu_us"] = site.CpuMicrosecondsPerRequest,
            ["full_rps"] = full.RequestsPerSecond,
            ["full_p50_ms"] = full.Percentile(50),
            ["full_p99_ms"] = full.Percentile(99),
            ["ratio"] = ratio,
            ["full_ratio"] = fullRatio,
            ["paced_rate"] = Rate,
            ["paced_p50_ms"] = pacedFromSend.Percentile(50),
            ["paced_p99_ms"] = p99,
            ["paced_max_ms"] = pacedFromSend.Percentile(100),
            ["paced_failures"] = pacedFromSend.Failures,
            ["stored_all"] = rows == sent && distinct == sent ? 1 : 0,
        });
    }
}
