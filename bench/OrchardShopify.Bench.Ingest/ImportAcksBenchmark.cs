using System.Diagnostics;
using System.Globalization;
using OrchardShopify.AspNetCore.Backfill;
using OrchardShopify.AspNetCore.Jobs;

namespace OrchardShopify.Bench.Ingest;

/// <summary>
/// Webhooks acknowledged while an admin's "Sync now" runs: the site as deployed (workers on, users created from
/// Shopify) imports a store of the emulator's customers while an open loop sends it 1,000 new customers/s, and the
/// same open loop against the same site with no import running is the baseline (run first, in the same process). On
/// SQLite files or on a scratch PostgreSQL database. Reports the acknowledgements' latency both ways, the deliveries'
/// lag until applied, the import's own time and that every delivery and every customer was applied.
/// </summary>
internal static class ImportAcksBenchmark
{
    private const double Rate = 1_000;
    private const int WarmUp = 10_000;

    public static async Task RunAsync(int customers, int seconds, string? postgres, CancellationToken cancellationToken)
    {
        var resultName = postgres is null ? "import-acks" : "import-acks-postgres";
        await using var storage = postgres is null ? BenchStorage.Sqlite(resultName) : await BenchStorage.PostgresAsync(resultName, postgres);
        var ackTarget = postgres is null ? 10 : 20;
        Console.WriteLine($"Acknowledgements during an import on {storage.Kind}: {Rate} new customers/create deliveries/s for {seconds} s to the site as deployed (workers on), first with nothing else running, then while \"Sync now\" imports {customers} customers from the emulator");
        var port = ImportBenchmark.FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var emulator = ImportBenchmark.StartEmulator(url, customers);
        try
        {
            await ImportBenchmark.WaitForEmulatorAsync(url, emulator, TimeSpan.FromMinutes(Math.Max(2, customers / 100_000)), cancellationToken);
            var next = 0;
            Delivery[] Fresh(int count)
            {
                var deliveries = Deliveries.Create(next, count);
                next += count;
                return deliveries;
            }

            var paced = (int)(Rate * seconds);
            var warmUp = Fresh(WarmUp);
            var quiet = Fresh(paced);
            var busy = Fresh(paced);
            await using var site = await Server.StartSiteAsync(storage, workersEnabled: true, new Dictionary<string, string?>
            {
                ["Shopify:Stores:uk:ApiBaseUrl"] = $"{url}/shops/{Deliveries.Domain}/",
                ["Shopify:Stores:uk:AccessToken"] = "shpat_emulator",
            });
            using var client = LoadGenerator.CreateClient(site.Address, 32);
            var imports = site.Services.GetRequiredService<CustomerImportService>();

            await LoadGenerator.ClosedLoopAsync(client, warmUp, 32, cancellationToken);
            await DeployedBenchmark.DrainAsync(storage, cancellationToken);

            // The baseline: the open loop with nothing else running.
            var quietStart = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var (quietAcks, _) = await LoadGenerator.FixedRateAsync(client, quiet, Rate, cancellationToken);
            var quietDrain = await DeployedBenchmark.DrainAsync(storage, cancellationToken);
            var quietLags = await LagsAsync(storage, quietStart, cancellationToken);

            // The import: the open loop starts once the export is ready and the customers are being applied.
            var clock = Stopwatch.StartNew();
            var started = await imports.StartAsync("uk", new CustomerImportRequest(CustomerImportMode.All), cancellationToken);
            var wait = imports.WaitAsync(started.Id);
            while (!wait.IsCompleted && (await imports.GetAsync(started.Id, cancellationToken))?.Progress.Stage is not ("applying" or "finished"))
            {
                await Task.WhenAny(wait, Task.Delay(20, cancellationToken));
            }

            var applyingAt = clock.Elapsed.TotalSeconds;
            var busyStart = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var (busyAcks, _) = await LoadGenerator.FixedRateAsync(client, busy, Rate, cancellationToken);
            var importedDuringLoop = (await imports.GetAsync(started.Id, cancellationToken))?.Progress.Processed ?? 0;
            var overlapped = !wait.IsCompleted;
            if (await Task.WhenAny(wait, Task.Delay(ImportBenchmark.Limit(customers), cancellationToken)) != wait)
            {
                await imports.CancelAsync(started.Id, cancellationToken);
            }

            await wait;
            var importSeconds = clock.Elapsed.TotalSeconds;
            var busyDrain = await DeployedBenchmark.DrainAsync(storage, cancellationToken);
            var busyLags = await LagsAsync(storage, busyStart, cancellationToken);
            var status = await imports.GetAsync(started.Id, cancellationToken) ?? throw new InvalidOperationException("The import's status is gone.");
            var progress = status.Progress;

            var sent = WarmUp + (2 * paced);
            var users = await storage.ScalarAsync("SELECT COUNT(*) FROM \"AspNetUsers\"", identity: true, cancellationToken);
            var applied = await storage.ScalarAsync("SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1 AND status = 2", cancellationToken: cancellationToken);
            var complete = status.Status == SyncJobStatus.Succeeded && progress.Processed == customers && progress.Failed == 0;
            var everything = applied == sent && users == sent + customers && complete;
            static string S(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);
            static double P(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

            Console.WriteLine();
            Report.Line("no import running", $"{Report.N(quietAcks.Requests)} sent, {quietAcks.Failures} not 200; ack p50 / p99 / max {Report.Ms(quietAcks.Percentile(50))} / {Report.Ms(quietAcks.Percentile(99))} / {Report.Ms(quietAcks.Percentile(100))}; lag received -> applied p50 / p99 {Report.Ms(P(quietLags, 50))} / {Report.Ms(P(quietLags, 99))}; all applied {S(quietDrain)} s after");
            Report.Line("during the import", $"{Report.N(busyAcks.Requests)} sent, {busyAcks.Failures} not 200; ack p50 / p99 / max {Report.Ms(busyAcks.Percentile(50))} / {Report.Ms(busyAcks.Percentile(99))} / {Report.Ms(busyAcks.Percentile(100))} (p99 < {ackTarget} ms as at 1,000/s without an import: {Report.Verdict(overlapped && busyAcks.Percentile(99) < ackTarget)}); lag received -> applied p50 / p99 {Report.Ms(P(busyLags, 50))} / {Report.Ms(P(busyLags, 99))}; all applied {S(busyDrain)} s after the import");
            Report.Line("  ratio of ack p99, import / none", (busyAcks.Percentile(99) / quietAcks.Percentile(99)).ToString("0.00", CultureInfo.InvariantCulture));
            Report.Line("  the import meanwhile", $"{(overlapped ? "still running at the open loop's end" : "FINISHED BEFORE THE OPEN LOOP ENDED")}: {Report.N(importedDuringLoop)} of {Report.N(customers)} customers applied by then");
            Report.Line("import (Sync now -> finished)", $"{S(importSeconds)} s with the webhooks arriving (export ready after {S(applyingAt)} s); {Report.N(progress.Processed)} customers, created {Report.N(progress.Created)}, failed {Report.N(progress.Failed)}; job {status.Status}{(status.Error is null ? "" : ": " + status.Error)}");
            Report.Line("deliveries sent / applied; users", $"{Report.N(sent)} / {Report.N(applied)}; {Report.N(users)} ({(everything ? "every delivery and every customer applied" : "MISSING DELIVERIES OR CUSTOMERS")})");

            BenchResults.Save(resultName, new Dictionary<string, double>
            {
                ["customers"] = customers,
                ["rate"] = Rate,
                ["seconds"] = seconds,
                ["quiet_p50_ms"] = quietAcks.Percentile(50),
                ["quiet_p99_ms"] = quietAcks.Percentile(99),
                ["quiet_max_ms"] = quietAcks.Percentile(100),
                ["quiet_lag_p99_ms"] = P(quietLags, 99),
                ["busy_p50_ms"] = busyAcks.Percentile(50),
                ["busy_p99_ms"] = busyAcks.Percentile(99),
                ["busy_max_ms"] = busyAcks.Percentile(100),
                ["busy_lag_p50_ms"] = P(busyLags, 50),
                ["busy_lag_p99_ms"] = P(busyLags, 99),
                ["failures"] = quietAcks.Failures + busyAcks.Failures,
                ["ack_target_ms"] = ackTarget,
                ["overlapped"] = overlapped ? 1 : 0,
                ["imported_during_loop"] = importedDuringLoop,
                ["import_seconds"] = importSeconds,
                ["export_ready_seconds"] = applyingAt,
                ["complete"] = everything ? 1 : 0,
            });
        }
        finally
        {
            ImportBenchmark.Stop(emulator);
        }
    }

    /// <summary>Milliseconds from receipt to applied of the deliveries received since <paramref name="from"/>, sorted.</summary>
    private static async Task<double[]> LagsAsync(BenchStorage storage, long from, CancellationToken cancellationToken)
    {
        var pairs = await storage.PairsAsync($"SELECT received_at, processed_at FROM shopify_work_items WHERE kind = 1 AND status = 2 AND received_at >= {from}", cancellationToken);
        return [.. pairs.Select(p => (double)(p.B - p.A)).Order()];
    }
}
