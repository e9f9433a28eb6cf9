using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using OrchardShopify.AspNetCore.Backfill;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.Bench.Ingest;

/// <summary>
/// Bulk import as a user runs it: "Sync now" (<see cref="CustomerImportService"/>, all customers) against the Shopify
/// emulator, run as a separate process so its data is not this process's memory. The site is the host of
/// docs/aspnetcore.md on SQLite (workers off). The import exports every customer with a bulk operation, streams the JSONL
/// and applies each customer with the inbound rules in the host's batch transactions (<see cref="CustomerImportJob"/>).
/// The headline is the whole import as the user sees it (started → finished); beside it: the time until the export was
/// ready (the bulk operation run and polled: Shopify's time on a real store), the apply (first row → finished, download and
/// parse overlapping it) with its rate, the download and parse of the same file alone (a second export read without
/// applying, after the import), and where the peak working set comes from.
/// </summary>
internal static class ImportBenchmark
{
    /// <summary>How long an import of <paramref name="customers"/> may run before it is canceled (and reported incomplete): 10 minutes per 200,000 customers, at least 10.</summary>
    public static TimeSpan Limit(int customers) => TimeSpan.FromMinutes(Math.Max(10, customers / 20_000));

    /// <param name="postgres">A PostgreSQL login allowed to create databases: the site on a scratch database; null: SQLite files.</param>
    public static async Task RunAsync(int customers, string resultName, CancellationToken cancellationToken, string? postgres = null)
    {
        Console.WriteLine($"Bulk import: {customers} customers from the emulator (bulk operation, JSONL), imported with \"Sync now\" (the site's import job) to Identity users on {(postgres is null ? "SQLite" : "PostgreSQL")}");
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var emulator = StartEmulator(url, customers);
        try
        {
            await WaitForEmulatorAsync(url, emulator, TimeSpan.FromMinutes(Math.Max(2, customers / 100_000)), cancellationToken);
            await using var storage = postgres is null ? BenchStorage.Sqlite(resultName) : await BenchStorage.PostgresAsync(resultName, postgres);
            await using var site = await Server.StartSiteAsync(storage, workersEnabled: false, new Dictionary<string, string?>
            {
                ["Shopify:Stores:uk:ApiBaseUrl"] = $"{url}/shops/{Deliveries.Domain}/",
                ["Shopify:Stores:uk:AccessToken"] = "shpat_emulator",
            });
            var services = site.Services;
            var store = services.GetRequiredService<StoreRegistry>().FindByHandle("uk")!;
            var imports = services.GetRequiredService<CustomerImportService>();
            var export = services.GetRequiredService<BulkCustomerExport>();

            GC.Collect();
            GC.WaitForPendingFinalizers();
            var idle = Process.GetCurrentProcess();
            var idleWorkingSetMb = idle.WorkingSet64 / 1024d / 1024d;
            var idleCommittedMb = GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes / 1024d / 1024d;
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
            var collectionsBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            using var sampler = new MemorySampler();
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var pausedBefore = GC.GetTotalPauseDuration();
            var jitMethodsBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
            var jitTimeBefore = System.Runtime.JitInfo.GetCompilationTime();

            var clock = Stopwatch.StartNew();
            var started = await imports.StartAsync("uk", new CustomerImportRequest(CustomerImportMode.All), cancellationToken);
            double? exportReadySeconds = null;
            var wait = imports.WaitAsync(started.Id);
            while (!wait.IsCompleted && clock.Elapsed < Limit(customers))
            {
                if (exportReadySeconds is null && (await imports.GetAsync(started.Id, cancellationToken))?.Progress.Stage is "applying" or "finished")
                {
                    exportReadySeconds = clock.Elapsed.TotalSeconds;
                }

                await Task.WhenAny(wait, Task.Delay(exportReadySeconds is null ? 20 : 200, cancellationToken));
            }

            if (!wait.IsCompleted)
            {
                await imports.CancelAsync(started.Id, cancellationToken);
                await wait;
            }

            clock.Stop();
            sampler.Stop();
            var cpuSeconds = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
            var pausedSeconds = (GC.GetTotalPauseDuration() - pausedBefore).TotalSeconds;
            var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethodsBefore;
            var jitSeconds = (System.Runtime.JitInfo.GetCompilationTime() - jitTimeBefore).TotalSeconds;
            var seconds = clock.Elapsed.TotalSeconds;
            var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1024d / 1024d;
            var allocatedMb = (GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore) / 1024d / 1024d;
            var collections = (GC.CollectionCount(0) - collectionsBefore.Item1, GC.CollectionCount(1) - collectionsBefore.Item2, GC.CollectionCount(2) - collectionsBefore.Item3);
            var status = await imports.GetAsync(started.Id, cancellationToken) ?? throw new InvalidOperationException("The import's status is gone.");
            var progress = status.Progress;
            var applySeconds = seconds - (exportReadySeconds ?? seconds);

            // The same export downloaded and parsed alone, nothing applied: what the apply overlapped.
            var parse = Stopwatch.StartNew();
            double? secondReady = null;
            var rows = 0L;
            await foreach (var row in export.ExportAsync(store, BulkCustomerFields.Profiles, cancellationToken))
            {
                secondReady ??= parse.Elapsed.TotalSeconds;
                rows += row is BulkCustomerRow ? 1 : 0;
            }

            var parseSeconds = parse.Elapsed.TotalSeconds - (secondReady ?? 0);
            Report.Line("second export ready after", $"{(secondReady ?? 0).ToString("0.00", CultureInfo.InvariantCulture)} s (the import's export again, for the download + parse figure)");

            var userCount = await storage.ScalarAsync("SELECT COUNT(*) FROM \"AspNetUsers\"", identity: true, cancellationToken);
            var claims = await storage.ScalarAsync("SELECT COUNT(*) FROM \"AspNetUserClaims\" WHERE \"ClaimType\" = 'shopify_id'", identity: true, cancellationToken);
            var links = await storage.ScalarAsync("SELECT COUNT(*) FROM shopify_customer_links", cancellationToken: cancellationToken);
            var logRows = await storage.ScalarAsync("SELECT COUNT(*) FROM shopify_sync_log", cancellationToken: cancellationToken);
            var applied = progress.Processed - progress.Failed;
            var complete = status.Status == OrchardShopify.AspNetCore.Jobs.SyncJobStatus.Succeeded && progress.Processed == customers;
            static string S(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

            Console.WriteLine();
            Report.Line("customers imported", $"{Report.N(progress.Processed)} of {Report.N(customers)} (created {Report.N(progress.Created)}, linked {Report.N(progress.Linked)}, updated {Report.N(progress.Updated)}, unchanged {Report.N(progress.Unchanged)}, skipped {Report.N(progress.Skipped)}, failed {Report.N(progress.Failed)}; job {status.Status}{(complete ? "" : ", INCOMPLETE")}{(status.Error is null ? "" : ": " + status.Error)})");
            Report.Line("whole import (Sync now → finished)", $"{S(seconds)} s (target < 15 s: {Report.Verdict(complete && seconds < 15)})");
            Report.Line("  export ready after", $"{S(exportReadySeconds ?? 0)} s (bulk operation run by the emulator and polled; Shopify's time on a real store)");
            Report.Line("  apply (first row → finished)", $"{S(applySeconds)} s, {Report.N(applied / Math.Max(applySeconds, 0.001))} customers/s (download and parse overlap it)");
            Report.Line("  processor time of the process", $"{S(cpuSeconds)} s over the {S(seconds)} s ({Report.N(cpuSeconds * 1_000_000 / Math.Max(customers, 1))} us per customer; 2 processors give {S(2 * seconds)} s)");
            Report.Line("  of which JIT compilation", $"{S(jitSeconds)} s ({Report.N(jitMethods)} methods compiled during the import; Dynamic PGO {(Report.DynamicPgo ? "on, the runtime's default" : "off")})");
            Report.Line("  GC pauses (all threads stopped)", $"{S(pausedSeconds)} s");
            Report.Line("  download + parse alone", $"{S(parseSeconds)} s for {Report.N(rows)} rows ({Report.N(rows / Math.Max(parseSeconds, 0.001))} rows/s; a second export read without applying)");
            Report.Line("peak working set of the process", $"{Report.N(peakMb)} MB (target < 200 MB: {Report.Verdict(peakMb < 200)}; the emulator's is its own process)");
            Report.Line("  site started, idle", $"{Report.N(idleWorkingSetMb)} MB working set before the import ({Report.N(idleCommittedMb)} MB of it GC heap committed)");
            if (sampler.AtPeak is var (resident, gcCommitted))
            {
                static string Mb(long bytes) => $"{Report.N(bytes / 1024d / 1024d)} MB";
                Report.Line("  resident near the peak, by kind", $"{Mb(resident.Total)} sampled: {Mb(resident.Anonymous)} anonymous memory ({Mb(gcCommitted)} of it GC heap committed; the rest native allocations such as SQLite's page caches, the runtime's own and thread stacks), {Mb(resident.RuntimeCode)} runtime code and type data (JIT-compiled code, stubs, loader heaps), {Mb(resident.Assemblies)} assemblies mapped from disk, {Mb(resident.NativeLibraries)} native libraries, {Mb(resident.OtherFiles)} other files");
            }

            Report.Line("  GC heap committed, largest sampled", $"{Report.N(sampler.PeakCommittedBytes / 1024d / 1024d)} MB (managed)");
            Report.Line("  managed heap, largest sampled", $"{Report.N(sampler.PeakManagedBytes / 1024d / 1024d)} MB");
            Report.Line("  managed heap after a collection, largest", $"{Report.N(sampler.PeakAfterCollectionBytes / 1024d / 1024d)} MB (what the collections left; the rest of the committed heap is room the GC gives allocations before its next collection, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC)");
            Report.Line("  allocated during the import", $"{Report.N(allocatedMb)} MB ({Report.N(allocatedMb * 1024 / Math.Max(customers, 1))} KB per customer; GCs gen0/1/2: {collections.Item1}/{collections.Item2}/{collections.Item3})");
            Report.Line("Identity users / shopify_id claims / links / log rows", $"{Report.N(userCount)} / {Report.N(claims)} / {Report.N(links)} / {Report.N(logRows)}");

            BenchResults.Save(resultName, new Dictionary<string, double>
            {
                ["customers"] = customers,
                ["exported"] = rows,
                ["applied"] = applied,
                ["failures"] = progress.Failed,
                ["seconds"] = seconds,
                ["first_row_seconds"] = exportReadySeconds ?? 0,
                ["export_ready_seconds"] = exportReadySeconds ?? 0,
                ["apply_seconds"] = applySeconds,
                ["cpu_seconds"] = cpuSeconds,
                ["jit_seconds"] = jitSeconds,
                ["jit_methods"] = jitMethods,
                ["gc_pause_seconds"] = pausedSeconds,
                ["parse_seconds"] = parseSeconds,
                ["rate"] = applied / Math.Max(applySeconds, 0.001),
                ["peak_working_set_mb"] = peakMb,
                ["idle_working_set_mb"] = idleWorkingSetMb,
                ["idle_committed_mb"] = idleCommittedMb,
                ["peak_committed_mb"] = sampler.PeakCommittedBytes / 1024d / 1024d,
                ["peak_managed_mb"] = sampler.PeakManagedBytes / 1024d / 1024d,
                ["peak_after_collection_mb"] = sampler.PeakAfterCollectionBytes / 1024d / 1024d,
                ["resident_sampled_mb"] = (sampler.AtPeak?.Memory.Total ?? 0) / 1024d / 1024d,
                ["resident_anonymous_mb"] = (sampler.AtPeak?.Memory.Anonymous ?? 0) / 1024d / 1024d,
                ["resident_gc_committed_mb"] = (sampler.AtPeak?.GcCommitted ?? 0) / 1024d / 1024d,
                ["resident_runtime_code_mb"] = (sampler.AtPeak?.Memory.RuntimeCode ?? 0) / 1024d / 1024d,
                ["resident_assemblies_mb"] = (sampler.AtPeak?.Memory.Assemblies ?? 0) / 1024d / 1024d,
                ["resident_native_libraries_mb"] = (sampler.AtPeak?.Memory.NativeLibraries ?? 0) / 1024d / 1024d,
                ["server_gc"] = System.Runtime.GCSettings.IsServerGC ? 1 : 0,
                ["dynamic_pgo"] = Report.DynamicPgo ? 1 : 0,
                ["allocated_mb"] = allocatedMb,
                ["users"] = userCount,
                ["links"] = links,
                ["complete"] = complete ? 1 : 0,
            });
        }
        finally
        {
            Stop(emulator);
        }
    }

    /// <summary>
    /// Stops the emulator as Ctrl+C or a service manager would (SIGTERM), so it deletes its bulk export files on the way
    /// out (775 MB for 1,000,000 customers, which a killed emulator leaves in the temporary folder); killed if it has not
    /// stopped within 30 s.
    /// </summary>
    internal static void Stop(Process emulator)
    {
        if (emulator.HasExited)
        {
            return;
        }

        if (!OperatingSystem.IsWindows())
        {
            using var terminate = Process.Start(new ProcessStartInfo("kill", ["-TERM", emulator.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            terminate?.WaitForExit();
            if (emulator.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                return;
            }
        }

        emulator.Kill(entireProcessTree: true);
    }

    internal static Process StartEmulator(string url, int customers)
    {
        var dll = Path.Combine(Report.RepositoryRoot(), "tools", "OrchardShopify.Emulator", "bin", "Release", "net10.0", "OrchardShopify.Emulator.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the emulator first: dotnet build -c Release tools/OrchardShopify.Emulator ({dll} is missing).");
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { dll, "--urls", url, "--customers", customers.ToString(CultureInfo.InvariantCulture), "--shops", Deliveries.Domain })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The emulator did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("emulator: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static async Task WaitForEmulatorAsync(string url, Process emulator, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (emulator.HasExited)
            {
                throw new InvalidOperationException($"The emulator exited with code {emulator.ExitCode}.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"{url}/_emulator/health"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Report.Line("emulator ready after", $"{clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s (its own process)");
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"The emulator did not answer within {limit.TotalMinutes} minutes.");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Samples the managed heap and the GC's committed memory every 50 ms (the working set's peak is the OS's own figure),
    /// and what the working set is made of (<see cref="ResidentMemory"/>) whenever it has grown by 2 MB since the last
    /// breakdown: the last one is taken near the peak.
    /// </summary>
    private sealed class MemorySampler : IDisposable
    {
        private const long BreakdownStep = 2L << 20;

        private readonly Timer _timer;
        private readonly Lock _lock = new();
        private long _peak;
        private long _peakCommitted;
        private long _peakAfterCollection;
        private long _brokenDownAt;

        public MemorySampler()
        {
            _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));
        }

        public long PeakManagedBytes => Interlocked.Read(ref _peak);

        public long PeakCommittedBytes => Interlocked.Read(ref _peakCommitted);

        /// <summary>The largest managed heap a collection left (what survived it, garbage of older generations not yet collected included).</summary>
        public long PeakAfterCollectionBytes => Interlocked.Read(ref _peakAfterCollection);

        /// <summary>The working set's breakdown at the largest working set sampled, with the GC's committed memory then; null where it cannot be read.</summary>
        public (ResidentMemory Memory, long GcCommitted)? AtPeak { get; private set; }

        public void Stop()
        {
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
            Sample();
        }

        public void Dispose() => _timer.Dispose();

        private static void Raise(ref long peak, long value)
        {
            long current;
            while (value > (current = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, value, current) != current)
            {
            }
        }

        private void Sample()
        {
            Raise(ref _peak, GC.GetTotalMemory(false));
            var info = GC.GetGCMemoryInfo(GCKind.Any);
            Raise(ref _peakCommitted, info.TotalCommittedBytes);
            Raise(ref _peakAfterCollection, info.HeapSizeBytes);
            lock (_lock)
            {
                if (Environment.WorkingSet >= _brokenDownAt + BreakdownStep && ResidentMemory.Read() is { } memory)
                {
                    _brokenDownAt = memory.Total;
                    AtPeak = (memory, GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes);
                }
            }
        }
    }
}
