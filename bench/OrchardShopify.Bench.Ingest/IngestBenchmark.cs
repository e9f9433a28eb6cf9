using System.Globalization;

namespace OrchardShopify.Bench.Ingest;

/// <summary>Webhook intake of the site (verify + append to the inbox, workers off) against a bare Kestrel endpoint.</summary>
internal static class IngestBenchmark
{
    private const int WarmUp = 2_000;
    private const double Rate = 1_000;
    private const int RateSeconds = 10;

    public static async Task RunAsync(int measured, int connections, CancellationToken cancellationToken)
    {
        var fixedRate = (int)(Rate * RateSeconds);
        Console.WriteLine($"Webhook ingest: {measured} signed customers/create deliveries ({connections} loopback connections, after {WarmUp} warm-up), then {Rate} requests/s for {RateSeconds} s against the site");
        var all = Deliveries.Create(0, WarmUp + measured + fixedRate);
        var warmUp = all[..WarmUp];
        var main = all[WarmUp..(WarmUp + measured)];
        var paced = all[(WarmUp + measured)..];
        Console.WriteLine($"payload                                        {all[0].Body.Length} bytes, HMAC-SHA256 signed, unique webhook id per delivery");
        Console.WriteLine();

        RunResult bare;
        await using (var server = await Server.StartBareAsync())
        using (var client = LoadGenerator.CreateClient(server.Address, connections))
        {
            await LoadGenerator.ClosedLoopAsync(client, warmUp, connections, cancellationToken);
            bare = await LoadGenerator.ClosedLoopAsync(client, main, connections, cancellationToken);
        }

        var folder = Report.TempFolder("ingest");
        try
        {
            RunResult site;
            RunResult pacedFromSend, pacedFromSchedule;
            await using (var server = await Server.StartSiteAsync(folder, workersEnabled: false))
            using (var client = LoadGenerator.CreateClient(server.Address, connections))
            {
                await LoadGenerator.ClosedLoopAsync(client, warmUp, connections, cancellationToken);
                site = await LoadGenerator.ClosedLoopAsync(client, main, connections, cancellationToken);
                (pacedFromSend, pacedFromSchedule) = await LoadGenerator.FixedRateAsync(client, paced, Rate, cancellationToken);
            }

            var db = Server.SyncDb(folder);
            var rows = await Sqlite.ScalarAsync(db, "SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1");
            var distinct = await Sqlite.ScalarAsync(db, "SELECT COUNT(DISTINCT dedup_key) FROM shopify_work_items WHERE kind = 1");
            var pending = await Sqlite.ScalarAsync(db, "SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1 AND status = 0");
            var ratio = site.RequestsPerSecond / bare.RequestsPerSecond;
            var p99 = pacedFromSend.Percentile(99);

            Report.Line("bare Kestrel (read body, 200)", Report.Run(bare));
            Report.Line("site (MapShopifyWebhooks, SQLite, workers off)", Report.Run(site));
            Report.Line("ratio site/bare, requests/s", $"{ratio.ToString("0.000", CultureInfo.InvariantCulture)} (target >= 0.5: {Report.Verdict(ratio >= 0.5)})");
            Report.Line("latency ratio site/bare, p50 / p99", $"{(site.Percentile(50) / bare.Percentile(50)).ToString("0.00", CultureInfo.InvariantCulture)} / {(site.Percentile(99) / bare.Percentile(99)).ToString("0.00", CultureInfo.InvariantCulture)}");
            Console.WriteLine();
            Report.Line($"site at {Rate} requests/s for {RateSeconds} s", $"{Report.N(pacedFromSend.Requests)} sent in {pacedFromSend.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s, {pacedFromSend.Failures} not 200");
            Report.Line("  latency from send, p50 / p99 / max", $"{Report.Ms(pacedFromSend.Percentile(50))} / {Report.Ms(p99)} / {Report.Ms(pacedFromSend.Percentile(100))} (p99 target < 10 ms: {Report.Verdict(p99 < 10)})");
            Report.Line("  latency from schedule, p50 / p99 / max", $"{Report.Ms(pacedFromSchedule.Percentile(50))} / {Report.Ms(pacedFromSchedule.Percentile(99))} / {Report.Ms(pacedFromSchedule.Percentile(100))}");
            Console.WriteLine();
            Report.Line("deliveries sent to the site", Report.N(all.Length));
            Report.Line("inbox rows stored (distinct webhook ids)", $"{Report.N(rows)} ({Report.N(distinct)}), {Report.N(pending)} pending; {(rows == all.Length && distinct == all.Length ? "every delivery stored" : "MISSING DELIVERIES")}");
        }
        finally
        {
            Report.Delete(folder);
        }
    }
}
