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

        var ticks = 0d;
        var found = false;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out _))
            {
                continue;
            }

            try
            {
                // pid (comm) state ppid ... field 14 utime, 15 stime, 16 cutime, 17 cstime (1-based, counted after the comm).
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                var close = stat.LastIndexOf(')');
                var comm = stat[(stat.IndexOf('(') + 1)..close];
                if (comm != "postgres")
                {
                    continue;
                }

                var rest = stat[(close + 2)..].Split(' ');
                found = true;

                // rest[0] is field 3 (state): field n is rest[n - 3].
                ticks += double.Parse(rest[11], CultureInfo.InvariantCulture) + double.Parse(rest[12], CultureInfo.InvariantCulture);
                var parent = int.Parse(rest[1], CultureInfo.InvariantCulture);
                if (!IsPostgres(parent))
                {
                    // The postmaster: its waited-for children are its connections' backends that have exited.
                    ticks += double.Parse(rest[13], CultureInfo.InvariantCulture) + double.Parse(rest[14], CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // The process exited meanwhile: its time is in its parent's children's time.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found ? ticks / TicksPerSecond : double.NaN;
    }

    private static bool IsPostgres(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')] == "postgres";
        }
        catch (IOException)
        {
            return false;
        }
    }
}
