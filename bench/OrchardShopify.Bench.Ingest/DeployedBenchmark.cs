using System.Diagnostics;
using System.Globalization;

namespace OrchardShopify.Bench.Ingest;

/// <summary>
/// Webhook intake as deployed: the site with its workers on (users created from Shopify), every delivery a new customer,
/// so the workers create, link and record a user for each while the site keeps acknowledging. Beside it the same site
/// with its workers off (verify + store only) as the baseline, measured in turns in the same process. Closed loop
/// rounds (each waits until the workers have applied everything before the next server's round), then an open loop at
/// a fixed rate: acknowledgement latency, the lag from acknowledgement to the user written, and the backlog after the
/// burst.
/// </summary>
internal static class DeployedBenchmark
{
    private const int WarmUp = 3_000;
    private const double Rate = 1_000;
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(120);

    public static async Task RunAsync(int measured, int connections, int rounds, int rateSeconds, CancellationToken cancellationToken)
    {
        Console.WriteLine($"Deployed ingest: {measured} signed customers/create deliveries per round, each a new customer ({connections} loopback connections), {rounds} rounds, site with workers on and off in turns; then {Rate} deliveries/s for {rateSeconds} s with workers on");
        Console.WriteLine();

        var next = 0;
        Delivery[] Fresh(int count)
        {
            var deliveries = Deliveries.Create(next, count);
            next += count;
            return deliveries;
        }

        await using var onStorage = BenchStorage.Sqlite("deployed-on");
        await using var offStorage = BenchStorage.Sqlite("deployed-off");
        var onRuns = new List<RunResult>();
        var offRuns = new List<RunResult>();
        var drains = new List<double>();
        long onSent = 0;
        RunResult paced, pacedSchedule;
        long backlogAtEnd;
        double drainAfterBurst;
        List<(long Received, long Processed)> lags;
        await using (var on = await Server.StartSiteAsync(onStorage, workersEnabled: true))
        await using (var off = await Server.StartSiteAsync(offStorage, workersEnabled: false))
        using (var onClient = LoadGenerator.CreateClient(on.Address, connections))
        using (var offClient = LoadGenerator.CreateClient(off.Address, connections))
        {
            await LoadGenerator.ClosedLoopAsync(offClient, Fresh(WarmUp), connections, cancellationToken);
            await LoadGenerator.ClosedLoopAsync(onClient, Fresh(WarmUp), connections, cancellationToken);
            onSent += WarmUp;
            await DrainAsync(onStorage, cancellationToken);

            for (var round = 1; round <= rounds; round++)
            {
                var o = await LoadGenerator.ClosedLoopAsync(offClient, Fresh(measured), connections, cancellationToken);
                await Task.Delay(500, cancellationToken);
                var w = await LoadGenerator.ClosedLoopAsync(onClient, Fresh(measured), connections, cancellationToken);
                onSent += measured;
                var drained = await DrainAsync(onStorage, cancellationToken);
                offRuns.Add(o);
                onRuns.Add(w);
                drains.Add(drained);
                Report.Line($"round {round}: workers off", Report.Run(o));
                Report.Line($"round {round}: workers on", $"{Report.Run(w)}; ratio {(w.RequestsPerSecond / o.RequestsPerSecond).ToString("0.000", CultureInfo.InvariantCulture)}; applied all {drained.ToString("0.0", CultureInfo.InvariantCulture)} s after the round");
            }

            var burstStart = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            (paced, pacedSchedule) = await LoadGenerator.FixedRateAsync(onClient, Fresh((int)(Rate * rateSeconds)), Rate, cancellationToken);
            onSent += paced.Requests;
            backlogAtEnd = await onStorage.BacklogAsync(cancellationToken);
            drainAfterBurst = await DrainAsync(onStorage, cancellationToken);
            lags = await onStorage.PairsAsync($"SELECT received_at, processed_at FROM shopify_work_items WHERE kind = 1 AND status = 2 AND received_at >= {burstStart}", cancellationToken);
        }

        Console.WriteLine();
        var median = Enumerable.Range(0, rounds).OrderBy(i => onRuns[i].RequestsPerSecond / offRuns[i].RequestsPerSecond).ElementAt((rounds - 1) / 2);
        var onResult = onRuns[median];
        var offResult = offRuns[median];
        var ratio = onResult.RequestsPerSecond / offResult.RequestsPerSecond;
        var lagMs = lags.Select(l => (double)(l.Processed - l.Received)).Order().ToArray();
        double LagPercentile(double p) => lagMs.Length == 0 ? double.NaN : lagMs[Math.Clamp((int)Math.Ceiling(p / 100 * lagMs.Length) - 1, 0, lagMs.Length - 1)];
        var users = await onStorage.ScalarAsync("SELECT COUNT(*) FROM AspNetUsers", identity: true, cancellationToken: cancellationToken);
        var applied = await onStorage.ScalarAsync("SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1 AND status = 2", cancellationToken: cancellationToken);
        var ackP99 = paced.Percentile(99);
        var lagP99 = LagPercentile(99);

        Report.Line("site, workers off (verify + store)", $"{Report.Run(offResult)} (round {median + 1})");
        Report.Line("site, workers on (as deployed)", $"{Report.Run(onResult)} (round {median + 1})");
        Report.Line("ratio on/off, requests/s (median round)", $"{ratio.ToString("0.000", CultureInfo.InvariantCulture)} (target >= 0.9: {Report.Verdict(ratio >= 0.9)}); rounds: {string.Join(", ", Enumerable.Range(0, rounds).Select(i => (onRuns[i].RequestsPerSecond / offRuns[i].RequestsPerSecond).ToString("0.000", CultureInfo.InvariantCulture)))}");
        Report.Line("workers on, closed loop requests/s", $"{Report.N(onResult.RequestsPerSecond)} (target >= 4,000: {Report.Verdict(onResult.RequestsPerSecond >= 4000)})");
        Report.Line("all applied after a closed-loop round, median", $"{drains.Order().ElementAt((drains.Count - 1) / 2).ToString("0.0", CultureInfo.InvariantCulture)} s");
        Console.WriteLine();
        Report.Line($"workers on, {Rate} deliveries/s for {rateSeconds} s", $"{Report.N(paced.Requests)} sent in {paced.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s, {paced.Failures} not 200");
        Report.Line("  ack latency p50 / p99 / max", $"{Report.Ms(paced.Percentile(50))} / {Report.Ms(ackP99)} / {Report.Ms(paced.Percentile(100))} (p99 target < 10 ms: {Report.Verdict(ackP99 < 10)})");
        Report.Line("  ack latency from schedule, p50 / p99", $"{Report.Ms(pacedSchedule.Percentile(50))} / {Report.Ms(pacedSchedule.Percentile(99))}");
        Report.Line("  lag received -> applied, p50 / p99", $"{Report.Ms(LagPercentile(50))} / {Report.Ms(lagP99)} ({Report.N(lagMs.Length)} deliveries; p99 target < 1 s: {Report.Verdict(lagP99 < 1000)})");
        Report.Line("  backlog at the burst's end", $"{Report.N(backlogAtEnd)}; empty {drainAfterBurst.ToString("0.00", CultureInfo.InvariantCulture)} s after it (target <= 2 s: {Report.Verdict(drainAfterBurst <= 2)})");
        Console.WriteLine();
        Report.Line("deliveries sent to the site with workers on", Report.N(onSent));
        Report.Line("applied (work items succeeded), users", $"{Report.N(applied)}, {Report.N(users)}; {(applied == onSent && users == onSent ? "every delivery applied" : "MISSING DELIVERIES")}");

        BenchResults.Save("deployed", new Dictionary<string, double>
        {
            ["off_rps"] = offResult.RequestsPerSecond,
            ["off_p50_ms"] = offResult.Percentile(50),
            ["off_p99_ms"] = offResult.Percentile(99),
            ["on_rps"] = onResult.RequestsPerSecond,
            ["on_p50_ms"] = onResult.Percentile(50),
            ["on_p99_ms"] = onResult.Percentile(99),
            ["ratio"] = ratio,
            ["rounds"] = rounds,
            ["round_deliveries"] = measured,
            ["connections"] = connections,
            ["drain_round_s"] = drains.Order().ElementAt((drains.Count - 1) / 2),
            ["paced_rate"] = Rate,
            ["paced_seconds"] = rateSeconds,
            ["paced_p50_ms"] = paced.Percentile(50),
            ["paced_p99_ms"] = ackP99,
            ["paced_max_ms"] = paced.Percentile(100),
            ["paced_failures"] = paced.Failures,
            ["lag_p50_ms"] = LagPercentile(50),
            ["lag_p99_ms"] = lagP99,
            ["backlog_end"] = backlogAtEnd,
            ["drain_s"] = drainAfterBurst,
            ["applied_all"] = applied == onSent && users == onSent ? 1 : 0,
        });
    }

    /// <summary>Seconds until nothing stored is left to apply (polled every 50 ms; gives up after <see cref="DrainLimit"/>).</summary>
    internal static async Task<double> DrainAsync(BenchStorage storage, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (await storage.BacklogAsync(cancellationToken) > 0 && clock.Elapsed < DrainLimit)
        {
            await Task.Delay(50, cancellationToken);
        }

        return clock.Elapsed.TotalSeconds;
    }
}
