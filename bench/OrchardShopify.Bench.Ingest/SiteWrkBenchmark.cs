using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.Bench.Ingest;

/// <summary>
/// The sample site (<c>src/OrchardShopify.Web</c>, built in Release) as it is deployed for one store, driven by
/// <c>wrk -t2 -c32</c> with signed <c>customers/create</c> deliveries, each a new customer with its own webhook id, in
/// alternating 10-second rounds against a receiver written with Shopify's official Node library
/// (<c>bench/wrk/receiver.mjs</c>: validate, append to a file, answer 200) and against the same site with
/// <c>Shopify:Enabled=false</c> (verify and store only). Each site is a process of its own on its own data folder;
/// after each round of a site, the next round waits until that site has processed everything it acknowledged, so every
/// round starts on a quiet machine.
/// </summary>
internal static class SiteWrkBenchmark
{
    private const int Threads = 2;
    private const int Connections = 32;

    /// <summary>Deliveries written per round: more than the fastest target answers in a round.</summary>
    private const int PerRound = 300_000;

    public static async Task<int> RunAsync(int rounds, int seconds, CancellationToken cancellationToken)
    {
        var root = Report.RepositoryRoot();
        var site = Path.Combine(root, "src", "OrchardShopify.Web", "bin", "Release", "net10.0", "OrchardShopify.Web.dll");
        var wrkFolder = Path.Combine(root, "bench", "wrk");
        if (!File.Exists(site))
        {
            Console.Error.WriteLine($"Build the sample site first: dotnet build -c Release src/OrchardShopify.Web ({site} is missing).");
            return 2;
        }

        if (!Directory.Exists(Path.Combine(wrkFolder, "node_modules", "@shopify", "shopify-api")))
        {
            Console.Error.WriteLine("Install the Node receiver's library first: npm ci --prefix bench/wrk");
            return 2;
        }

        if (!Which("wrk"))
        {
            Console.Error.WriteLine("wrk is not installed (Debian: apt-get install wrk).");
            return 2;
        }

        Console.WriteLine($"The sample site under wrk -t{Threads} -c{Connections}: {rounds} rounds of {seconds} s per target (after a warm-up round), customers/create deliveries each with a new customer and webhook id");
        var folder = Report.TempFolder("site-wrk");
        var processes = new List<Process>();
        try
        {
            var nodePort = FreePort();
            var offPort = FreePort();
            var onPort = FreePort();
            var offData = Path.Combine(folder, "off");
            var onData = Path.Combine(folder, "on");
            var onLog = new SiteLog();
            var offLog = new SiteLog();
            processes.Add(Start("node", [Path.Combine(wrkFolder, "receiver.mjs"), nodePort.ToString(CultureInfo.InvariantCulture), Deliveries.Secret, Path.Combine(folder, "node-received.jsonl")], wrkFolder, [], null));
            processes.Add(Start("dotnet", [site, "--urls", $"http://127.0.0.1:{offPort}"], Path.GetDirectoryName(site)!, SiteSettings(offData, enabled: false), offLog));
            processes.Add(Start("dotnet", [site, "--urls", $"http://127.0.0.1:{onPort}"], Path.GetDirectoryName(site)!, SiteSettings(onData, enabled: true), onLog));
            foreach (var port in new[] { nodePort, offPort, onPort })
            {
                await WaitForPortAsync(port, processes, cancellationToken);
            }

            var targets = new (string Name, int Port)[] { ("node", nodePort), ("off", offPort), ("on", onPort) };
            var results = targets.ToDictionary(t => t.Name, _ => new List<WrkResult>());
            var drains = new List<double>();
            var offDrains = new List<double>();
            var sentOn = 0L;
            var first = 0;
            for (var round = 0; round <= rounds; round++)
            {
                var file = Path.Combine(folder, "deliveries.txt");
                WriteDeliveries(file, first, PerRound);
                first += PerRound;
                foreach (var (name, port) in targets)
                {
                    var result = await WrkAsync(port, file, round == 0 ? Math.Max(3, seconds / 2) : seconds, cancellationToken);
                    // Each round starts on a quiet machine: a site's round is followed by the work it deferred (the
                    // sync-off site too moves its inbox into the work queue and records each delivery in the sync log)
                    // before the next target's round begins, so neither site's deferred work runs in the other's round.
                    if (name is "on" or "off")
                    {
                        if (name == "on")
                        {
                            sentOn += result.Requests;
                        }

                        var drained = await DrainAsync(name == "on" ? onData : offData, cancellationToken);
                        if (round > 0)
                        {
                            (name == "on" ? drains : offDrains).Add(drained);
                        }
                    }

                    if (round > 0)
                    {
                        results[name].Add(result);
                    }

                    Console.WriteLine($"round {(round == 0 ? "warm-up" : round.ToString(CultureInfo.InvariantCulture)),-8} {Label(name),-34} {Report.N(result.RequestsPerSecond),8} requests/s  p50 {Report.Ms(result.P50Ms),9}  p99 {Report.Ms(result.P99Ms),9}  non-2xx {result.Non2xx}, errors {result.Errors}");
                }
            }

            // wrk counts the answers it read before a round's end; the site also stored what was in flight then. The
            // site's users are the customers plus its administrator.
            var users = Count(Path.Combine(onData, "site.db"), "SELECT count(*) FROM AspNetUsers") - 1;
            var links = Count(Path.Combine(onData, "shopify-sync.db"), "SELECT count(*) FROM shopify_customer_links");
            var stored = Count(Path.Combine(onData, "shopify-sync.db"), "SELECT count(*) FROM shopify_work_items");
            var created = Count(Path.Combine(onData, "shopify-sync.db"), "SELECT count(*) FROM shopify_work_items WHERE processed_at IS NOT NULL AND outcome = 'created'");
            var appliedAll = stored >= sentOn && created == stored && users == stored && links == stored;
            var ratios = results["on"].Zip(results["off"], (on, off) => on.RequestsPerSecond / off.RequestsPerSecond).ToList();
            var versusNode = results["on"].Zip(results["node"], (on, node) => on.RequestsPerSecond / node.RequestsPerSecond).ToList();
            var median = Median(ratios);
            var medianIndex = ratios.IndexOf(median);
            var failures = results.Values.SelectMany(r => r).Sum(r => r.Non2xx + r.Errors);
            var siteErrors = onLog.Errors + offLog.Errors;

            Console.WriteLine();
            Report.Line("sync on / sync off, per round", string.Join(", ", ratios.Select(r => r.ToString("0.000", CultureInfo.InvariantCulture))));
            Report.Line("sync on / sync off, median round", $"{median:0.000} (target ≥ 0.9: {Report.Verdict(median >= 0.9)})");
            Report.Line("sync on / Node receiver, per round", string.Join(", ", versusNode.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture))));
            Report.Line("sync on, median round", $"{Report.N(Median(results["on"].Select(r => r.RequestsPerSecond).ToList()))} requests/s (target ≥ 4,000 and ≥ 1.5 × the Node receiver: {Report.Verdict(Median(results["on"].Select(r => r.RequestsPerSecond).ToList()) >= 4000 && Median(versusNode) >= 1.5)})");
            Report.Line("applied after each round (sync on)", $"{string.Join(", ", drains.Select(d => d.ToString("0.0", CultureInfo.InvariantCulture)))} s after the round's end");
            Report.Line("processed after each round (sync off)", $"{string.Join(", ", offDrains.Select(d => d.ToString("0.0", CultureInfo.InvariantCulture)))} s after the round's end (moved and recorded, before the next round)");
            Report.Line("sync on: answered / stored / created", $"{Report.N(sentOn)} answered 200 in the rounds, {Report.N(stored)} stored (with those in flight at a round's end), {Report.N(created)} applied as created");
            Report.Line("sync on: users / links", $"{Report.N(users)} / {Report.N(links)} (besides the administrator; every delivery applied: {(appliedAll ? "yes" : "NO")})");
            Report.Line("failed requests; sites' logged errors", $"{failures}; {siteErrors}{(siteErrors > 0 ? " (first: " + (onLog.FirstError ?? offLog.FirstError) + ")" : "")}");

            double Pick(string name, Func<WrkResult, double> value) => value(results[name][medianIndex]);
            BenchResults.Save("site-wrk", new Dictionary<string, double>
            {
                ["ratio"] = median,
                ["on_rps"] = Pick("on", r => r.RequestsPerSecond),
                ["on_p50_ms"] = Pick("on", r => r.P50Ms),
                ["on_p99_ms"] = Pick("on", r => r.P99Ms),
                ["off_rps"] = Pick("off", r => r.RequestsPerSecond),
                ["off_p50_ms"] = Pick("off", r => r.P50Ms),
                ["off_p99_ms"] = Pick("off", r => r.P99Ms),
                ["node_rps"] = Pick("node", r => r.RequestsPerSecond),
                ["node_p50_ms"] = Pick("node", r => r.P50Ms),
                ["node_p99_ms"] = Pick("node", r => r.P99Ms),
                ["on_vs_node"] = Median(versusNode),
                ["ratio_min"] = ratios.Min(),
                ["ratio_max"] = ratios.Max(),
                ["rounds"] = rounds,
                ["seconds"] = seconds,
                ["drain_s"] = Median(drains),
                ["off_drain_s"] = Median(offDrains),
                ["failures"] = failures,
                ["site_errors"] = siteErrors,
                ["applied_all"] = appliedAll ? 1 : 0,
            });
            // Failed requests, logged errors and deliveries not applied are figures of the run (the page's verdicts say so).
            return 0;
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(CancellationToken.None);
                }

                process.Dispose();
            }

            Report.Delete(folder);
        }
    }

    private static string Label(string name) => name switch
    {
        "node" => "Node receiver, official library",
        "off" => "site, Shopify:Enabled=false",
        _ => "site, sync on (as deployed)",
    };

    /// <summary>The sample site configured for one real store, as docs/site.md sets it up; its data in its own folder.</summary>
    private static Dictionary<string, string> SiteSettings(string data, bool enabled) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Site__DataPath"] = data,
        ["Site__Demo__Enabled"] = "false",
        ["Site__AdminPassword"] = "Bench-admin-password-1!",
        ["Shopify__Enabled"] = enabled ? "true" : "false",
        ["Shopify__CreateUsersFromShopify"] = "true",
        ["Shopify__UpdateUsersInShopify"] = "true",
        ["Shopify__Stores__uk__ShopDomain"] = Deliveries.Domain,
        ["Shopify__Stores__uk__AccessToken"] = "shpat_bench_token",
        ["Shopify__Stores__uk__WebhookSecret"] = Deliveries.Secret,
    };

    /// <summary>
    /// Writes deliveries <paramref name="first"/> … for <c>bench/wrk/deliveries.lua</c>: "webhook id, signature, body" a
    /// line, the body Shopify's example customer (as in the other benchmarks) on one line, signed over its bytes.
    /// </summary>
    private static void WriteDeliveries(string file, int first, int count)
    {
        using var writer = new StreamWriter(file, append: false, new UTF8Encoding(false));
        const int Chunk = 10_000;
        for (var start = 0; start < count; start += Chunk)
        {
            foreach (var delivery in Deliveries.Create(first + start, Math.Min(Chunk, count - start)))
            {
                using var json = JsonDocument.Parse(delivery.Body);
                var body = JsonSerializer.SerializeToUtf8Bytes(json.RootElement);
                writer.Write(delivery.WebhookId);
                writer.Write('\t');
                writer.Write(WebhookSignature.Compute(body, Deliveries.Secret));
                writer.Write('\t');
                writer.Write(Encoding.UTF8.GetString(body));
                writer.Write('\n');
            }
        }
    }

    private static async Task<WrkResult> WrkAsync(int port, string deliveries, int seconds, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { $"-t{Threads}", $"-c{Connections}", $"-d{seconds}s", "-s", Path.Combine(Report.RepositoryRoot(), "bench", "wrk", "deliveries.lua"), $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["WRK_DELIVERIES"] = deliveries;
        start.Environment["WRK_THREADS"] = Threads.ToString(CultureInfo.InvariantCulture);
        start.Environment["WRK_SHOP"] = Deliveries.Domain;
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start");
        var output = await wrk.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = await wrk.StandardError.ReadToEndAsync(cancellationToken);
        await wrk.WaitForExitAsync(cancellationToken);
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no result (exit code {wrk.ExitCode}): {output} {errors}");
        var fields = line["RESULT ".Length..].Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => long.Parse(f[1], CultureInfo.InvariantCulture));
        if (fields["exhausted"] != 0)
        {
            throw new InvalidOperationException($"wrk sent every delivery of the file before the round's end: raise {nameof(PerRound)}");
        }

        return new WrkResult(fields["requests"], fields["duration_us"] / 1e6, fields["p50_us"] / 1e3, fields["p99_us"] / 1e3, fields["non2xx"], fields["errors"]);
    }

    /// <summary>Waits until the site with the sync on has applied every stored delivery; returns how long that took.</summary>
    private static async Task<double> DrainAsync(string data, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (Count(Path.Combine(data, "shopify-sync.inbox.db"), "SELECT count(*) FROM shopify_inbox")
               + Count(Path.Combine(data, "shopify-sync.db"), "SELECT count(*) FROM shopify_work_items WHERE processed_at IS NULL") > 0)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"the site in {data} did not process its deliveries within 5 minutes");
            }

            await Task.Delay(250, cancellationToken);
        }

        return clock.Elapsed.TotalSeconds;
    }

    private static long Count(string file, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static Process Start(string program, string[] arguments, string directory, Dictionary<string, string> environment, SiteLog? log)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException(program + " did not start");
        process.OutputDataReceived += (_, e) => log?.Read(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            log?.Read(e.Data);
            if (log is null && e.Data is not null)
            {
                Console.Error.WriteLine(program + ": " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForPortAsync(int port, List<Process> processes, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            if (processes.FirstOrDefault(p => p.HasExited) is { } exited)
            {
                throw new InvalidOperationException($"{exited.StartInfo.FileName} exited with code {exited.ExitCode} before it listened");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(200, cancellationToken);
            }
        }

        throw new TimeoutException($"nothing listened on port {port} within a minute");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(folder => File.Exists(Path.Combine(folder, program)));

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[(sorted.Count - 1) / 2];
    }

    private sealed record WrkResult(long Requests, double Seconds, double P50Ms, double P99Ms, long Non2xx, long Errors)
    {
        public double RequestsPerSecond => Requests / Seconds;
    }

    /// <summary>Counts the error and critical lines a site writes to its console (the default console format's "fail:" and "crit:").</summary>
    private sealed class SiteLog
    {
        private int _errors;

        public int Errors => Volatile.Read(ref _errors);

        public string? FirstError { get; private set; }

        public void Read(string? line)
        {
            if (line is not null && (line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal)))
            {
                FirstError ??= line;
                Interlocked.Increment(ref _errors);
            }
        }
    }
}
