using System.Diagnostics;
using System.Net;

namespace OrchardShopify.Bench.Ingest;

/// <summary>Latencies in milliseconds, one per request, with the run's wall time.</summary>
internal sealed class RunResult(double[] latenciesMs, int failures, TimeSpan elapsed, TimeSpan cpu = default, long jitMethods = 0)
{
    private readonly double[] _sorted = [.. latenciesMs.Order()];

    public int Requests => _sorted.Length;

    public int Failures { get; } = failures;

    public TimeSpan Elapsed { get; } = elapsed;

    /// <summary>Processor time of the whole process (load generator and server) during the run.</summary>
    public TimeSpan Cpu { get; } = cpu;

    /// <summary>Methods the JIT compiled in the process during the run (first compilations and recompilations of hot code).</summary>
    public long JitMethods { get; } = jitMethods;

    public double CpuMicrosecondsPerRequest => Cpu.TotalMilliseconds * 1000 / Math.Max(1, Requests);

    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    /// <summary>Nearest-rank percentile.</summary>
    public double Percentile(double p) => _sorted.Length == 0 ? double.NaN : _sorted[Math.Clamp((int)Math.Ceiling(p / 100 * _sorted.Length) - 1, 0, _sorted.Length - 1)];
}

/// <summary>Drives a server over loopback with <see cref="HttpClient"/>; the same code for the bare endpoint and the site.</summary>
internal static class LoadGenerator
{
    public static HttpClient CreateClient(Uri baseAddress, int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        UseProxy = false,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Closed loop: <paramref name="concurrency"/> callers, each sending its next delivery as soon as the previous one is answered.</summary>
    public static async Task<RunResult> ClosedLoopAsync(HttpClient client, IReadOnlyList<Delivery> deliveries, int concurrency, CancellationToken cancellationToken)
    {
        var latencies = new double[deliveries.Count];
        var next = -1;
        var failures = 0;
        var cpu = Environment.CpuUsage.TotalTime;
        var jit = System.Runtime.JitInfo.GetCompiledMethodCount();
        var clock = Stopwatch.StartNew();
        var callers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await Task.Yield();
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= deliveries.Count)
                {
                    return;
                }

                var start = Stopwatch.GetTimestamp();
                if (!await SendAsync(client, deliveries[i], cancellationToken))
                {
                    Interlocked.Increment(ref failures);
                }

                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }).ToArray();
        await Task.WhenAll(callers);
        clock.Stop();
        return new RunResult(latencies, failures, clock.Elapsed, Environment.CpuUsage.TotalTime - cpu, System.Runtime.JitInfo.GetCompiledMethodCount() - jit);
    }

    /// <summary>
    /// Open loop: delivery i is sent at i / rate seconds whatever the answers so far. Latency is measured from the
    /// moment the request is handed to the client; <paramref name="fromSchedule"/> also counts any lateness of the
    /// sender against its schedule.
    /// </summary>
    public static Task<(RunResult FromSend, RunResult FromSchedule)> FixedRateAsync(HttpClient client, IReadOnlyList<Delivery> deliveries, double rate, CancellationToken cancellationToken)
        => FixedRateAsync([client], deliveries, rate, cancellationToken);

    /// <summary>The open loop over several servers: delivery i goes to <paramref name="clients"/>[i % count].</summary>
    public static async Task<(RunResult FromSend, RunResult FromSchedule)> FixedRateAsync(IReadOnlyList<HttpClient> clients, IReadOnlyList<Delivery> deliveries, double rate, CancellationToken cancellationToken)
    {
        var fromSend = new double[deliveries.Count];
        var fromSchedule = new double[deliveries.Count];
        var failures = 0;
        var inFlight = new List<Task>(deliveries.Count);
        var clock = Stopwatch.StartNew();
        var origin = Stopwatch.GetTimestamp();
        for (var i = 0; i < deliveries.Count; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            while (clock.Elapsed < due)
            {
                await Task.Delay(1, cancellationToken);
            }

            var index = i;
            var scheduled = origin + (long)(due.TotalSeconds * Stopwatch.Frequency);
            inFlight.Add(Task.Run(
                async () =>
                {
                    var start = Stopwatch.GetTimestamp();
                    if (!await SendAsync(clients[index % clients.Count], deliveries[index], cancellationToken))
                    {
                        Interlocked.Increment(ref failures);
                    }

                    var end = Stopwatch.GetTimestamp();
                    fromSend[index] = Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
                    fromSchedule[index] = Stopwatch.GetElapsedTime(scheduled, end).TotalMilliseconds;
                },
                cancellationToken));
        }

        await Task.WhenAll(inFlight);
        clock.Stop();
        return (new RunResult(fromSend, failures, clock.Elapsed), new RunResult(fromSchedule, failures, clock.Elapsed));
    }

    private static async Task<bool> SendAsync(HttpClient client, Delivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            using var request = Deliveries.Request(delivery);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false; // the client's own timeout
        }
    }
}
