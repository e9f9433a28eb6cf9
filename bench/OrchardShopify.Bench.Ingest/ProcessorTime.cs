using System.Globalization;

namespace OrchardShopify.Bench.Ingest;

/// <summary>
/// Processor time on the machine from Linux's <c>/proc</c>: every processor's busy time (<c>/proc/stat</c>, all
/// processes, other people's included) and the PostgreSQL server's (every process named <c>postgres</c>, plus what its
/// exited children used, as the postmaster counts it). A snapshot is taken before and after a phase; the difference
/// says how many of the machine's processors the phase kept busy, and how many of them the database server.
/// Elsewhere than Linux both are unknown (NaN).
/// </summary>
internal readonly record struct ProcessorTime(double MachineBusySeconds, double PostgresSeconds)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ: 100 on every Linux architecture .NET runs on

    public static ProcessorTime Now() => new(MachineBusy(), Postgres());

    /// <summary>Processors kept busy between <paramref name="before"/> and this snapshot, over <paramref name="seconds"/>.</summary>
    public (double Machine, double Postgres) CoresSince(ProcessorTime before, double seconds)
        => ((MachineBusySeconds - before.MachineBusySeconds) / seconds, (PostgresSeconds - before.PostgresSeconds) / seconds);

    private static double MachineBusy()
    {
        try
        {
            // cpu  user nice system idle iowait irq softirq steal ...: busy is everything but idle and iowait.
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var ticks = fields.Skip(1).Take(8).Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            return (ticks.Sum() - ticks[3] - ticks[4]) / TicksPerSecond;
        }
        catch (IOException)
        {
            return double.NaN;
        }
        catch (UnauthorizedAccessException)
        {
            return double.NaN;
        }
    }

    private static double Postgres()
    {
        if (!Directory.Exists("/proc"))
        {
            return double.NaN;
        }

        // pid (comm) state ppid ... utime stime cutime cstime: after the comm, field n (1-based) is rest[n - 3].
        var processes = new List<(int Pid, int Parent, double Own, double Children)>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var close = stat.LastIndexOf(')');
                if (stat[(stat.IndexOf('(') + 1)..close] != "postgres")
                {
                    continue;
                }

                var rest = stat[(close + 2)..].Split(' ');
                double Field(int n) => double.Parse(rest[n - 3], CultureInfo.InvariantCulture);
                processes.Add((pid, (int)Field(4), Field(14) + Field(15), Field(16) + Field(17)));
            }
            catch (IOException)
            {
                // The process exited meanwhile: its time is in its parent's children's time.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        if (processes.Count == 0)
        {
            return double.NaN;
        }

        // Every process's own time, and the postmaster's (the one whose parent is not a server process) waited-for
        // children's: its connections' backends that have exited.
        var pids = processes.Select(p => p.Pid).ToHashSet();
        return processes.Sum(p => p.Own + (pids.Contains(p.Parent) ? 0 : p.Children)) / TicksPerSecond;
    }
}
