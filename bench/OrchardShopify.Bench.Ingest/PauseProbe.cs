using System.Diagnostics;
using System.Globalization;

namespace OrchardShopify.Bench.Ingest;

/// <summary>
/// How steadily the machine runs code: one thread per processor does nothing but read the clock, and every gap between
/// two readings is time that thread did not run – taken by another thread or process, or by the machine under the
/// operating system (a virtual processor paused by its host, which the guest's counters do not show). A request in
/// flight during such a pause waits it out, so under saturating load the benchmarks' tails (p99) hold these pauses too.
/// bench/run.sh runs it before and after the other benchmarks; the page's machine table gives what it saw.
/// </summary>
internal static class PauseProbe
{
    /// <param name="resultName">Name of the figures for bench/run.sh's report.</param>
    public static void Run(int seconds, string resultName)
    {
        var threads = Environment.ProcessorCount;
        var results = new (double MaxMs, int Over10, int Over50, double PausedMs)[threads];
        var limit = Stopwatch.Frequency * seconds;
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() => results[i] = Spin(limit)) { IsBackground = true, Name = "pause probe " + i }).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());

        Console.WriteLine($"Pauses: {threads} threads (one per processor) reading the clock for {seconds} s, nothing else of the benchmark running");
        for (var i = 0; i < threads; i++)
        {
            var (maxMs, over10, over50, pausedMs) = results[i];
            Report.Line($"thread {i}", $"longest gap {maxMs.ToString("0.0", CultureInfo.InvariantCulture)} ms; gaps > 10 ms: {over10} ({Report.N(pausedMs)} ms in all), of them > 50 ms: {over50}");
        }

        BenchResults.Save(resultName, new Dictionary<string, double>
        {
            ["seconds"] = seconds,
            ["threads"] = threads,
            ["longest_ms"] = results.Max(r => r.MaxMs),
            ["over10"] = results.Sum(r => r.Over10),
            ["over50"] = results.Sum(r => r.Over50),
            ["paused_ms"] = results.Sum(r => r.PausedMs),
            ["over50_min_per_thread"] = results.Min(r => r.Over50),
            ["over50_max_per_thread"] = results.Max(r => r.Over50),
        });
    }

    private static (double MaxMs, int Over10, int Over50, double PausedMs) Spin(long limit)
    {
        var start = Stopwatch.GetTimestamp();
        var last = start;
        long longest = 0;
        int over10 = 0, over50 = 0;
        double pausedMs = 0;
        var ten = Stopwatch.Frequency / 100;
        var fifty = Stopwatch.Frequency / 20;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            var gap = now - last;
            last = now;
            if (gap > longest)
            {
                longest = gap;
            }

            if (gap > ten)
            {
                over10++;
                pausedMs += gap * 1000d / Stopwatch.Frequency;
                if (gap > fifty)
                {
                    over50++;
                }
            }

            if (now - start > limit)
            {
                return (longest * 1000d / Stopwatch.Frequency, over10, over50, pausedMs);
            }
        }
    }
}
