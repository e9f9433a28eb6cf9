using System.Diagnostics;
using System.Globalization;

namespace OrchardShopify.Bench.Ingest;

/// <summary>
/// Two site processes on one PostgreSQL database, both receiving deliveries and applying them, against one site process
/// doing the same alone. Each node is a process of its own (this program started again in <c>node</c> mode), warmed up
/// on a database of its own before it is measured. Apply: the same number of stored <c>customers/create</c>
/// deliveries (new customers) applied by one node, then by two nodes started together; the ratio of the rates. Then
/// an open loop at 1,000 deliveries/s sent to both nodes in turn while both apply: acknowledgement latency, lag until
/// applied, backlog after the burst; beside it the same open loop against a site with its workers off.
/// </summary>
internal static class TwoNodeBenchmark
{
    private const int Connections = 32;
    private const double Rate = 1_000;
    private const string Protocol = "@@ ";
    private const int MaxWarmUpRounds = 6;
    private const int QuietJitMethods = 500;
    private static readonly TimeSpan ApplyLimit = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(120);

    public static async Task RunAsync(int count, int warmUp, int rateSeconds, string admin, CancellationToken cancellationToken)
    {
        Console.WriteLine($"Two nodes on one PostgreSQL database: {Report.N(count)} stored customers/create deliveries (new customer each) applied by one site process, then by two started together; each process first warmed up in rounds of {Report.N(warmUp)} deliveries on a database of its own; then {Rate} deliveries/s for {rateSeconds} s sent to both nodes in turn");
        Console.WriteLine();
        var next = 0;
        Delivery[] Fresh(int n)
        {
            var deliveries = Deliveries.Create(next, n);
            next += n;
            return deliveries;
        }

        Console.WriteLine("one node");
        var one = await ApplyRoundAsync(admin, 1, Fresh(count), () => Fresh(warmUp), keepRunning: false, cancellationToken);
        Console.WriteLine();
        Console.WriteLine("two nodes");
        var two = await ApplyRoundAsync(admin, 2, Fresh(count), () => Fresh(warmUp), keepRunning: true, cancellationToken);
        var ratio = two.Rate / one.Rate;
        var windowRatio = two.WindowRate / one.WindowRate;

        // Both nodes keep running on the two-node database: the open loop goes to each in turn, and both apply.
        RunResult paced, pacedSchedule;
        long backlogAtEnd;
        double drainAfterBurst;
        List<(long Received, long Processed)> lags;
        (double PausedMs, long Collections) pacedGc;
        var sent = Fresh((int)(Rate * rateSeconds));
        await using (var storage = two.Storage)
        {
            var clients = two.Nodes.Select(n => LoadGenerator.CreateClient(n.Address!, Connections)).ToList();
            try
            {
                var gcBefore = await GcAsync(two.Nodes, cancellationToken);
                var burstStart = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                (paced, pacedSchedule) = await LoadGenerator.FixedRateAsync(clients, sent, Rate, cancellationToken);
                var gcAfter = await GcAsync(two.Nodes, cancellationToken);
                pacedGc = (gcAfter.PausedMs - gcBefore.PausedMs, gcAfter.Collections - gcBefore.Collections);
                backlogAtEnd = await storage.BacklogAsync(cancellationToken);
                drainAfterBurst = await DrainAsync(storage, cancellationToken);
                lags = await storage.PairsAsync($"SELECT received_at, processed_at FROM shopify_work_items WHERE kind = 1 AND status = 2 AND received_at >= {burstStart}", cancellationToken);
            }
            finally
            {
                foreach (var client in clients)
                {
                    client.Dispose();
                }

                foreach (var node in two.Nodes)
                {
                    await node.DisposeAsync();
                }
            }

            // Baseline in the same run: the same open loop against a site with its workers off (verify + store only) on
            // a database of its own, in this process: what the machine acknowledges at this rate when nothing applies.
            RunResult baseline;
            await using (var offStorage = await BenchStorage.PostgresAsync("two-nodes-off", admin))
            await using (var off = await Server.StartSiteAsync(offStorage, workersEnabled: false))
            using (var offClient = LoadGenerator.CreateClient(off.Address, Connections))
            {
                await LoadGenerator.ClosedLoopAsync(offClient, Fresh(2_000), Connections, cancellationToken);
                (baseline, _) = await LoadGenerator.FixedRateAsync(offClient, Fresh((int)(Rate * rateSeconds)), Rate, cancellationToken);
            }

            var applied = await storage.ScalarAsync("SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1 AND status = 2", cancellationToken: cancellationToken);
            var users = await storage.ScalarAsync("SELECT COUNT(*) FROM \"AspNetUsers\"", identity: true, cancellationToken: cancellationToken);
            var lagMs = lags.Select(l => (double)(l.Processed - l.Received)).Order().ToArray();
            double LagPercentile(double p) => lagMs.Length == 0 ? double.NaN : lagMs[Math.Clamp((int)Math.Ceiling(p / 100 * lagMs.Length) - 1, 0, lagMs.Length - 1)];
            var ackP99 = paced.Percentile(99);
            var expected = count + paced.Requests - paced.Failures;
            var complete = one.Complete && two.Complete && applied == expected && users == expected;

            Console.WriteLine();
            Report.Line("apply, one node", Describe(one));
            Report.Line("apply, two nodes", Describe(two));
            Report.Line("ratio two nodes / one node", $"{ratio.ToString("0.00", CultureInfo.InvariantCulture)} from the start of the nodes, {windowRatio.ToString("0.00", CultureInfo.InvariantCulture)} first to last processed_at (target >= 1.6: {Report.Verdict(ratio >= 1.6)})");
            Report.Line("processor ceiling for two nodes", $"{Cores(one.CeilingRatio)} x one node: one node and PostgreSQL kept {Cores(one.NodeCores + one.PostgresCores)} of the {Environment.ProcessorCount} processors busy; at the same processor time per customer all {Environment.ProcessorCount} give at most that much");
            Report.Line("target apply >= 2,000 customers/s on one node", Report.Verdict(one.Rate >= 2000));
            Report.Line($"two nodes, {Rate} deliveries/s for {rateSeconds} s", $"{Report.N(paced.Requests)} sent in {paced.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s, {paced.Failures} not 200");
            Report.Line("  ack latency p50 / p99 / max", $"{Report.Ms(paced.Percentile(50))} / {Report.Ms(ackP99)} / {Report.Ms(paced.Percentile(100))} (p99 target < 20 ms: {Report.Verdict(ackP99 < 20)})");
            Report.Line("  ack latency from schedule, p50 / p99", $"{Report.Ms(pacedSchedule.Percentile(50))} / {Report.Ms(pacedSchedule.Percentile(99))}");
            Report.Line("  baseline: a site with workers off, same rate", $"ack p50 {Report.Ms(baseline.Percentile(50))}, p99 {Report.Ms(baseline.Percentile(99))}, {baseline.Failures} not 200");
            Report.Line("  GC in the nodes meanwhile", $"{Report.N(pacedGc.Collections)} collections, pauses {pacedGc.PausedMs.ToString("0", CultureInfo.InvariantCulture)} ms in all ({(pacedGc.PausedMs / Math.Max(1, pacedGc.Collections)).ToString("0.0", CultureInfo.InvariantCulture)} ms each on average; every thread of a node stops)");
            Report.Line("  lag received -> applied, p50 / p99", $"{Report.Ms(LagPercentile(50))} / {Report.Ms(LagPercentile(99))} ({Report.N(lagMs.Length)} deliveries)");
            Report.Line("  backlog at the burst's end", $"{Report.N(backlogAtEnd)}; empty {drainAfterBurst.ToString("0.00", CultureInfo.InvariantCulture)} s after it");
            Report.Line("applied (work items succeeded), users", $"{Report.N(applied)}, {Report.N(users)} of {Report.N(expected)}; {(complete ? "every delivery applied once" : "MISSING DELIVERIES")}");

            BenchResults.Save("two-nodes", new Dictionary<string, double>
            {
                ["customers"] = count,
                ["warm_up"] = warmUp,
                ["one_rate"] = one.Rate,
                ["one_window_rate"] = one.WindowRate,
                ["one_cpu_us_per_customer"] = one.CpuPerCustomer,
                ["one_jit_methods"] = one.JitMethods,
                ["one_node_cores"] = one.NodeCores,
                ["one_postgres_cores"] = one.PostgresCores,
                ["one_machine_cores"] = one.MachineCores,
                ["ceiling_ratio"] = one.CeilingRatio,
                ["two_rate"] = two.Rate,
                ["two_window_rate"] = two.WindowRate,
                ["two_cpu_us_per_customer"] = two.CpuPerCustomer,
                ["two_jit_methods"] = two.JitMethods,
                ["two_node_cores"] = two.NodeCores,
                ["two_postgres_cores"] = two.PostgresCores,
                ["two_machine_cores"] = two.MachineCores,
                ["ratio"] = ratio,
                ["window_ratio"] = windowRatio,
                ["paced_rate"] = Rate,
                ["paced_seconds"] = rateSeconds,
                ["paced_p50_ms"] = paced.Percentile(50),
                ["paced_p99_ms"] = ackP99,
                ["paced_max_ms"] = paced.Percentile(100),
                ["paced_failures"] = paced.Failures,
                ["baseline_p50_ms"] = baseline.Percentile(50),
                ["baseline_p99_ms"] = baseline.Percentile(99),
                ["paced_gc_collections"] = pacedGc.Collections,
                ["paced_gc_pause_ms"] = pacedGc.PausedMs,
                ["lag_p50_ms"] = LagPercentile(50),
                ["lag_p99_ms"] = LagPercentile(99),
                ["backlog_end"] = backlogAtEnd,
                ["drain_s"] = drainAfterBurst,
                ["complete"] = complete ? 1 : 0,
            });
        }
    }

    /// <summary>The nodes' GC pauses (milliseconds) and collections since they started on the measured database, summed.</summary>
    private static async Task<(double PausedMs, long Collections)> GcAsync(IEnumerable<NodeProcess> nodes, CancellationToken cancellationToken)
    {
        var (paused, collections) = (0.0, 0L);
        foreach (var node in nodes)
        {
            node.Send("stats");
            var fields = (await node.WaitForAsync("stats", cancellationToken)).Split(' ');
            paused += double.Parse(fields[2], CultureInfo.InvariantCulture);
            collections += long.Parse(fields[3], CultureInfo.InvariantCulture);
        }

        return (paused, collections);
    }

    private static string Describe(ApplyRound round)
        => $"{Report.N(round.Rate)} customers/s ({Report.N(round.Finished)} in {round.Seconds.ToString("0.00", CultureInfo.InvariantCulture)} s from the nodes' start{(round.Complete ? "" : ", STOPPED AT THE TIME LIMIT")}); "
            + $"first to last processed_at {Report.N(round.WindowRate)}/s; node processes' CPU {Report.N(round.CpuPerCustomer)} us per customer, {Report.N(round.JitMethods)} JIT compilations; "
            + $"processors busy {Cores(round.MachineCores)} of {Environment.ProcessorCount} (node processes {Cores(round.NodeCores)}, PostgreSQL {Cores(round.PostgresCores)}, other processes {Cores(round.MachineCores - round.NodeCores - round.PostgresCores)})";

    private static string Cores(double cores) => double.IsNaN(cores) ? "unknown" : cores.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>
    /// Stores <paramref name="deliveries"/> in a new database through a site with its workers off, starts
    /// <paramref name="nodes"/> node processes (each warmed up on a database of its own), then lets them all start
    /// applying at once and times them until every delivery is finished.
    /// </summary>
    private static async Task<ApplyRound> ApplyRoundAsync(string admin, int nodes, Delivery[] deliveries, Func<Delivery[]> warmUp, bool keepRunning, CancellationToken cancellationToken)
    {
        var storage = await BenchStorage.PostgresAsync("two-nodes", admin);
        var processes = new List<NodeProcess>();
        var warmUps = new List<BenchStorage>();
        try
        {
            await using (var site = await Server.StartSiteAsync(storage, workersEnabled: false))
            using (var client = LoadGenerator.CreateClient(site.Address, Connections))
            {
                Report.Line("  stored, workers off", Report.Run(await LoadGenerator.ClosedLoopAsync(client, deliveries, Connections, cancellationToken)));
            }

            var stored = await storage.BacklogAsync(cancellationToken);
            for (var i = 0; i < nodes; i++)
            {
                var own = await BenchStorage.PostgresAsync("two-nodes-warm-up", admin);
                warmUps.Add(own);
                processes.Add(NodeProcess.Start($"node {i + 1}", storage.Postgres!, own.Postgres!, warmUp()));
            }

            foreach (var node in processes)
            {
                await node.WaitForAsync("warm", cancellationToken);
            }

            var cpu = processes.Sum(p => p.Cpu.TotalMilliseconds);
            var machine = ProcessorTime.Now();
            var clock = Stopwatch.StartNew();
            foreach (var node in processes)
            {
                node.Send("go");
            }

            foreach (var node in processes)
            {
                node.Address = new Uri(await node.WaitForAsync("address", cancellationToken));
            }

            long finished;
            while ((finished = await storage.ScalarAsync("SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1 AND status IN (2, 3)", cancellationToken: cancellationToken)) < stored
                && clock.Elapsed < ApplyLimit)
            {
                await Task.Delay(50, cancellationToken);
            }

            clock.Stop();
            var (machineCores, postgresCores) = ProcessorTime.Now().CoresSince(machine, clock.Elapsed.TotalSeconds);
            cpu = processes.Sum(p => p.Cpu.TotalMilliseconds) - cpu;
            var jit = 0L;
            foreach (var node in processes)
            {
                node.Send("stats");
                jit += long.Parse((await node.WaitForAsync("stats", cancellationToken)).Split(' ')[0], CultureInfo.InvariantCulture);
            }

            var first = await storage.ScalarAsync("SELECT MIN(processed_at) FROM shopify_work_items WHERE kind = 1", cancellationToken: cancellationToken);
            var last = await storage.ScalarAsync("SELECT MAX(processed_at) FROM shopify_work_items WHERE kind = 1", cancellationToken: cancellationToken);
            var round = new ApplyRound(
                storage,
                processes,
                finished,
                clock.Elapsed.TotalSeconds,
                finished / clock.Elapsed.TotalSeconds,
                last > first ? finished / ((last - first) / 1000.0) : double.NaN,
                cpu * 1000 / Math.Max(1, finished),
                cpu / 1000 / clock.Elapsed.TotalSeconds,
                postgresCores,
                machineCores,
                jit,
                finished == stored);
            Report.Line($"  applied by {nodes} node{(nodes == 1 ? "" : "s")}", Describe(round));
            if (keepRunning)
            {
                return round;
            }

            foreach (var node in processes)
            {
                await node.DisposeAsync();
            }

            await storage.DisposeAsync();
            return round;
        }
        catch
        {
            foreach (var node in processes)
            {
                await node.DisposeAsync();
            }

            await storage.DisposeAsync();
            throw;
        }
        finally
        {
            foreach (var own in warmUps)
            {
                await own.DisposeAsync();
            }
        }
    }

    /// <summary>Seconds until nothing stored is left to apply (polled every 50 ms; gives up after <see cref="DrainLimit"/>).</summary>
    private static async Task<double> DrainAsync(BenchStorage storage, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (await storage.BacklogAsync(cancellationToken) > 0 && clock.Elapsed < DrainLimit)
        {
            await Task.Delay(50, cancellationToken);
        }

        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The node process (<c>node</c> mode): warms up on its own database the way it is measured (each round's deliveries
    /// stored by a site with workers off, then applied from the backlog by a new site with workers on), says <c>warm</c>,
    /// waits for <c>go</c>, starts a site with workers on over the measured database and says its address, answers
    /// <c>stats</c> with the JIT compilations, the GC's pauses (milliseconds, all threads stopped) and its collections since
    /// <c>go</c>, and runs until told to <c>stop</c> (or its input closes).
    /// </summary>
    public static async Task<int> RunNodeAsync(string measured, string warmUpDatabase, int first, int count, CancellationToken cancellationToken)
    {
        // Rounds of new customers until one leaves the JIT nearly idle (as the apply benchmark's warm-up).
        await using (var own = BenchStorage.Attach("node-warm-up", warmUpDatabase))
        {
            for (var round = 0; round < MaxWarmUpRounds; round++)
            {
                var jit = System.Runtime.JitInfo.GetCompiledMethodCount();
                await using (var site = await Server.StartSiteAsync(own, workersEnabled: false))
                using (var client = LoadGenerator.CreateClient(site.Address, Connections))
                {
                    await LoadGenerator.ClosedLoopAsync(client, Deliveries.Create(first + (round * count), count), Connections, cancellationToken);
                }

                var clock = Stopwatch.StartNew();
                await using (var site = await Server.StartSiteAsync(own, workersEnabled: true))
                {
                    await DrainAsync(own, cancellationToken);
                }

                var compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - jit;
                Console.WriteLine($"warm-up round {round + 1}: {Report.N(count / clock.Elapsed.TotalSeconds)} customers/s applied, {Report.N(compiled)} JIT compilations");
                if (compiled < QuietJitMethods)
                {
                    break;
                }
            }
        }

        Console.WriteLine(Protocol + "warm");
        if (await Console.In.ReadLineAsync(cancellationToken) != "go")
        {
            return 1;
        }

        var jitMethods = System.Runtime.JitInfo.GetCompiledMethodCount();
        var jitTime = System.Runtime.JitInfo.GetCompilationTime();
        var gcPaused = GC.GetTotalPauseDuration();
        var collections = GC.CollectionCount(0);
        await using var storage = BenchStorage.Attach("node", measured);
        await using (var site = await Server.StartSiteAsync(storage, workersEnabled: true))
        {
            Console.WriteLine(Protocol + "address " + site.Address);
            while (await Console.In.ReadLineAsync(cancellationToken) is { } line && line != "stop")
            {
                if (line == "stats")
                {
                    var methods = System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods;
                    var seconds = (System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalSeconds;
                    var paused = (GC.GetTotalPauseDuration() - gcPaused).TotalMilliseconds;
                    Console.WriteLine(Protocol + string.Create(CultureInfo.InvariantCulture, $"stats {methods} {seconds:0.00} {paused:0.0} {GC.CollectionCount(0) - collections}"));
                }
            }
        }

        return 0;
    }

    /// <param name="NodeCores">Processors the node processes kept busy, on average from their start to the last delivery finished.</param>
    /// <param name="PostgresCores">Processors the PostgreSQL server kept busy over the same time (NaN when unknown).</param>
    /// <param name="MachineCores">Processors busy over the same time, every process of the machine counted (NaN when unknown).</param>
    /// <param name="JitMethods">Methods the node processes' JIT compiled from their start on the measured database to the last delivery finished.</param>
    private sealed record ApplyRound(BenchStorage Storage, List<NodeProcess> Nodes, long Finished, double Seconds, double Rate, double WindowRate, double CpuPerCustomer, double NodeCores, double PostgresCores, double MachineCores, long JitMethods, bool Complete)
    {
        /// <summary>
        /// How many times this rate the machine's processors could give if the nodes and the database server got all of
        /// them at this round's processor time per customer: the most a second node can add on this machine.
        /// </summary>
        public double CeilingRatio => Environment.ProcessorCount / (NodeCores + PostgresCores);
    }

    /// <summary>A node process: its protocol lines are answered to <see cref="WaitForAsync"/>, its other output is echoed with its name.</summary>
    private sealed class NodeProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _name;
        private readonly System.Threading.Channels.Channel<string> _lines = System.Threading.Channels.Channel.CreateUnbounded<string>();

        private NodeProcess(Process process, string name)
        {
            _process = process;
            _name = name;
        }

        public Uri? Address { get; set; }

        public TimeSpan Cpu
        {
            get
            {
                _process.Refresh();
                return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
            }
        }

        public static NodeProcess Start(string name, string measured, string warmUpDatabase, Delivery[] warmUp)
        {
            var first = warmUp.Length == 0 ? 0 : (int)(warmUp[0].CustomerId - 5_000_000_000L);
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { typeof(TwoNodeBenchmark).Assembly.Location, "node", measured, warmUpDatabase, first.ToString(CultureInfo.InvariantCulture), warmUp.Length.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("The node process did not start.");
            var node = new NodeProcess(process, name);
            process.OutputDataReceived += (_, e) => node.Received(e.Data);
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    Console.WriteLine($"  [{name}] {line}");
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return node;
        }

        public void Send(string line)
        {
            _process.StandardInput.WriteLine(line);
            _process.StandardInput.Flush();
        }

        /// <returns>The rest of the next protocol line, which must start with <paramref name="word"/>.</returns>
        public async Task<string> WaitForAsync(string word, CancellationToken cancellationToken)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(TimeSpan.FromMinutes(5));
            string line;
            try
            {
                line = await _lines.Reader.ReadAsync(limit.Token);
            }
            catch (System.Threading.Channels.ChannelClosedException)
            {
                throw new InvalidOperationException($"{_name} ended (exit code {(_process.HasExited ? _process.ExitCode : -1)}) before saying '{word}'.");
            }

            return line == word ? "" : line.StartsWith(word + " ", StringComparison.Ordinal)
                ? line[(word.Length + 1)..]
                : throw new InvalidOperationException($"{_name} said '{line}', expected '{word}'.");
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                try
                {
                    Send("stop");
                    _process.StandardInput.Close();
                }
                catch (IOException)
                {
                    // It has just ended.
                }

                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await _process.WaitForExitAsync(limit.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }

            _process.Dispose();
        }

        private void Received(string? line)
        {
            if (line is null)
            {
                _lines.Writer.TryComplete();
            }
            else if (line.StartsWith(Protocol, StringComparison.Ordinal))
            {
                _lines.Writer.TryWrite(line[Protocol.Length..]);
            }
            else
            {
                Console.WriteLine($"  [{_name}] {line}");
            }
        }
    }
}
