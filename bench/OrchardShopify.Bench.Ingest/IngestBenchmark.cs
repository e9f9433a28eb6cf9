using System.Globalization;

namespace OrchardShopify.Bench.Ingest;

/// <summary>
/// Webhook intake of the site (verify + append to the inbox, workers off) against a bare Kestrel endpoint, with SQLite's
/// default <c>synchronous=NORMAL</c> and again with <c>FULL</c>; then a fixed-rate run against the default site.
/// The three servers run side by side in one process. Each is warmed up first (the site runs far more code than the bare
/// endpoint, and the runtime optimizes code only once it has run for a while), then they are measured in turns, several
/// rounds, so a disturbance of the shared machine falls on one round rather than on one server; the round with the
/// median ratio is reported.
/// </summary>
internal static class IngestBenchmark
{
    private const int WarmUpRounds = 3;
    private const int WarmUp = 10_000;
    private const int Rounds = 9;
    private static readonly TimeSpan QuietPause = TimeSpan.FromMilliseconds(750);
    private const double Rate = 1_000;
    private const int RateSeconds = 10;

    /// <summary>
    /// A pause between two servers' rounds: a site's background work after its round (the checkpoint copying that
    /// round's log into the database file) runs during it, not during the next server's round, where it would be
    /// counted against that server's rate and processor time. Work during a site's own round still counts.
    /// </summary>
    private static Task Quiet(CancellationToken cancellationToken) => Task.Delay(QuietPause, cancellationToken);

    public static async Task RunAsync(int measured, int connections, CancellationToken cancellationToken)
    {
        var fixedRate = (int)(Rate * RateSeconds);
        Console.WriteLine($"Webhook ingest: {measured} signed customers/create deliveries per round ({connections} loopback connections), {WarmUpRounds} warm-up rounds of {WarmUp} and {Rounds} measured rounds, each server in turn; then {Rate} requests/s for {RateSeconds} s against the site");

        // Every delivery the sites receive is new (a repeated webhook id would be answered without a write).
        var next = 0;
        Delivery[] Fresh(int count)
        {
            var deliveries = Deliveries.Create(next, count);
            next += count;
            return deliveries;
        }

        var bareDeliveries = Deliveries.Create(-measured - 1, measured);
        Console.WriteLine($"payload                                        {bareDeliveries[0].Body.Length} bytes, HMAC-SHA256 signed, unique webhook id per delivery");
        Console.WriteLine();

        await using var normalStorage = BenchStorage.Sqlite("ingest");
        await using var fullStorage = BenchStorage.Sqlite("ingest-full");
        var bareRuns = new List<RunResult>();
        var siteRuns = new List<RunResult>();
        var fullRuns = new List<RunResult>();
        var rowsPerCommit = new List<double>();
        RunResult pacedFromSend, pacedFromSchedule;
        long siteSent = 0, fullSent = 0;
        await using (var bareServer = await Server.StartBareAsync())
        await using (var siteServer = await Server.StartSiteAsync(normalStorage, workersEnabled: false))
        await using (var fullServer = await Server.StartSiteAsync(fullStorage, workersEnabled: false, new Dictionary<string, string?> { ["Shopify:Storage:SqliteSynchronous"] = "Full" }))
        using (var bareClient = LoadGenerator.CreateClient(bareServer.Address, connections))
        using (var siteClient = LoadGenerator.CreateClient(siteServer.Address, connections))
        using (var fullClient = LoadGenerator.CreateClient(fullServer.Address, connections))
        {
            for (var round = 0; round < WarmUpRounds; round++)
            {
                await LoadGenerator.ClosedLoopAsync(bareClient, bareDeliveries[..Math.Min(WarmUp, measured)], connections, cancellationToken);
                await LoadGenerator.ClosedLoopAsync(siteClient, Fresh(WarmUp), connections, cancellationToken);
                await LoadGenerator.ClosedLoopAsync(fullClient, Fresh(WarmUp), connections, cancellationToken);
                siteSent += WarmUp;
                fullSent += WarmUp;
            }

            for (var round = 1; round <= Rounds; round++)
            {
                await Quiet(cancellationToken);
                var b = await LoadGenerator.ClosedLoopAsync(bareClient, bareDeliveries, connections, cancellationToken);
                await Quiet(cancellationToken);
                var commitsBefore = siteServer.InboxCommits;
                var s = await LoadGenerator.ClosedLoopAsync(siteClient, Fresh(measured), connections, cancellationToken);
                rowsPerCommit.Add(measured / (double)Math.Max(1, siteServer.InboxCommits - commitsBefore));
                await Quiet(cancellationToken);
                var f = await LoadGenerator.ClosedLoopAsync(fullClient, Fresh(measured), connections, cancellationToken);
                siteSent += measured;
                fullSent += measured;
                bareRuns.Add(b);
                siteRuns.Add(s);
                fullRuns.Add(f);
                Report.Line($"round {round}: bare Kestrel", Report.Run(b));
                Report.Line($"round {round}: site (Normal)", $"{Report.Run(s)}; ratio {(s.RequestsPerSecond / b.RequestsPerSecond).ToString("0.000", CultureInfo.InvariantCulture)}; {rowsPerCommit[^1].ToString("0.0", CultureInfo.InvariantCulture)} rows per commit");
                Report.Line($"round {round}: site (Full)", $"{Report.Run(f)}; ratio {(f.RequestsPerSecond / b.RequestsPerSecond).ToString("0.000", CultureInfo.InvariantCulture)}");
            }

            (pacedFromSend, pacedFromSchedule) = await LoadGenerator.FixedRateAsync(siteClient, Fresh(fixedRate), Rate, cancellationToken);
            siteSent += fixedRate;
        }

        Console.WriteLine();
        var median = Median(Enumerable.Range(0, Rounds), i => siteRuns[i].RequestsPerSecond / bareRuns[i].RequestsPerSecond);
        var fullMedian = Median(Enumerable.Range(0, Rounds), i => fullRuns[i].RequestsPerSecond / bareRuns[i].RequestsPerSecond);
        var bareResult = bareRuns[median];
        var siteResult = siteRuns[median];
        var fullResult = fullRuns[fullMedian];
        var ratio = siteResult.RequestsPerSecond / bareResult.RequestsPerSecond;
        var fullRatio = fullResult.RequestsPerSecond / bareRuns[fullMedian].RequestsPerSecond;
        var p99 = pacedFromSend.Percentile(99);

        var rows = await normalStorage.ScalarAsync("SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1", cancellationToken: cancellationToken);
        var distinct = await normalStorage.ScalarAsync("SELECT COUNT(DISTINCT dedup_key) FROM shopify_work_items WHERE kind = 1", cancellationToken: cancellationToken);
        var pending = await normalStorage.ScalarAsync("SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1 AND status = 0", cancellationToken: cancellationToken);
        var fullRows = await fullStorage.ScalarAsync("SELECT COUNT(DISTINCT dedup_key) FROM shopify_work_items WHERE kind = 1", cancellationToken: cancellationToken);
        var storedAll = rows == siteSent && distinct == siteSent && fullRows == fullSent;

        Report.Line("bare Kestrel (read body, 200)", $"{Report.Run(bareResult)} (round {median + 1})");
        Report.Line("site (MapShopifyWebhooks, SQLite, workers off)", $"{Report.Run(siteResult)} (round {median + 1})");
        Report.Line("ratio site/bare, requests/s (median round)", $"{ratio.ToString("0.000", CultureInfo.InvariantCulture)} (target >= 0.5: {Report.Verdict(ratio >= 0.5)}); rounds: {string.Join(", ", Enumerable.Range(0, Rounds).Select(i => (siteRuns[i].RequestsPerSecond / bareRuns[i].RequestsPerSecond).ToString("0.000", CultureInfo.InvariantCulture)))}");
        Report.Line("latency ratio site/bare, p50 / p99", $"{(siteResult.Percentile(50) / bareResult.Percentile(50)).ToString("0.00", CultureInfo.InvariantCulture)} / {(siteResult.Percentile(99) / bareResult.Percentile(99)).ToString("0.00", CultureInfo.InvariantCulture)}");
        Report.Line("site with SqliteSynchronous=Full", $"{Report.Run(fullResult)} (round {fullMedian + 1})");
        Report.Line("ratio site (Full)/bare, requests/s", fullRatio.ToString("0.000", CultureInfo.InvariantCulture));
        Console.WriteLine();
        Report.Line($"site at {Rate} requests/s for {RateSeconds} s", $"{Report.N(pacedFromSend.Requests)} sent in {pacedFromSend.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s, {pacedFromSend.Failures} not 200");
        Report.Line("  latency from send, p50 / p99 / max", $"{Report.Ms(pacedFromSend.Percentile(50))} / {Report.Ms(p99)} / {Report.Ms(pacedFromSend.Percentile(100))} (p99 target < 10 ms: {Report.Verdict(p99 < 10)})");
        Report.Line("  latency from schedule, p50 / p99 / max", $"{Report.Ms(pacedFromSchedule.Percentile(50))} / {Report.Ms(pacedFromSchedule.Percentile(99))} / {Report.Ms(pacedFromSchedule.Percentile(100))}");
        Console.WriteLine();
        Report.Line("deliveries sent to the default site", Report.N(siteSent));
        Report.Line("inbox rows stored (distinct webhook ids)", $"{Report.N(rows)} ({Report.N(distinct)}), {Report.N(pending)} pending; Full site {Report.N(fullRows)} of {Report.N(fullSent)}; {(storedAll ? "every delivery stored" : "MISSING DELIVERIES")}");

        var bare = bareResult;
        var site = siteResult;
        var full = fullResult;
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
            ["stored_all"] = storedAll ? 1 : 0,
            ["rounds"] = Rounds,
        });
    }

    /// <summary>The index whose value is the median of the values (the lower middle one for an even count).</summary>
    private static int Median(IEnumerable<int> indexes, Func<int, double> value)
    {
        var ordered = indexes.OrderBy(value).ToList();
        return ordered[(ordered.Count - 1) / 2];
    }
}
