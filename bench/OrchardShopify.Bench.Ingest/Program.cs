// Two benchmarks of the ASP.NET Core host on SQLite, each against a baseline in the same process:
//
//   ingest  webhook intake (verify + store in the inbox, workers off) against a bare Kestrel endpoint that only
//           reads the body, then a fixed-rate run at 1,000 requests/s against the site.
//   deployed  the site as deployed (workers on, a new customer per delivery) against the same site with its workers off,
//           closed loop in turns, then 1,000 deliveries/s: ack latency, lag until the user is written, backlog after.
//   apply   10,000 stored customers/create deliveries applied by the site's workers (users created and linked)
//           against the engine alone (InboundCustomerSync over the in-memory ports of tests/OrchardShopify.Testing);
//           on SQLite files, or on a scratch PostgreSQL database (apply-postgres).
//   import  100,000 customers imported from the Shopify emulator with "Sync now" (the site's import job: bulk operation,
//           JSONL streamed, inbound rules in the host's batch transactions): time (export ready, apply, download + parse)
//           and peak memory. A third argument names the result (bench/run.sh: import-large for the 1,000,000-customer run).
//
//   dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- ingest [deliveries] [connections]
//   dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- deployed [deliveries] [connections] [rounds] [seconds at 1,000/s]
//   dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- apply [deliveries]
//   dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- apply-postgres [deliveries]   (ORCHARDSHOPIFY_TEST_POSTGRES set)
//   two-nodes  two site processes on one PostgreSQL database applying stored deliveries against one such process, then
//           1,000 deliveries/s sent to both in turn while both apply (ack latency, lag, backlog).
//
//   import-acks  1,000 new customers/s sent to the site as deployed while "Sync now" imports the emulator's customers,
//           against the same open loop with no import running: ack latency, lag, the import's time; on SQLite files or
//           a scratch PostgreSQL database (import-acks-postgres).
//
//   pauses  one thread per processor reading the clock and nothing else: the longest gaps between two readings (time the
//           machine did not run that thread), which every request in flight meanwhile waits out. run.sh runs it before
//           and after the other benchmarks (pauses-start, pauses-end).
//
//   site-wrk  the sample site (src/OrchardShopify.Web, Release, its own processes) under wrk -t2 -c32, sync on against
//           Shopify:Enabled=false and against a receiver written with Shopify's official Node library, rounds in turns.
//
//   dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- import [customers] [result name]   (emulator built in Release)
//   dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- site-wrk [rounds] [seconds]   (site built in Release, wrk, npm ci --prefix bench/wrk)
//   dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- import-acks [customers] [seconds at 1,000/s]   (emulator built in Release; import-acks-postgres: ORCHARDSHOPIFY_TEST_POSTGRES set)
//   dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- pauses [seconds] [result name]
//   dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- two-nodes [deliveries] [warm-up deliveries per node] [seconds at 1,000/s]   (ORCHARDSHOPIFY_TEST_POSTGRES set)
using System.Globalization;
using System.Runtime;
using OrchardShopify.Bench.Ingest;

var mode = args.Length > 0 ? args[0] : "";
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

// The PostgreSQL runs' server login (allowed to create databases); null, saying so, when it is not set.
string? Postgres()
{
    var login = Environment.GetEnvironmentVariable("ORCHARDSHOPIFY_TEST_POSTGRES");
    if (string.IsNullOrWhiteSpace(login))
    {
        Console.Error.WriteLine($"{mode} needs ORCHARDSHOPIFY_TEST_POSTGRES: a PostgreSQL login allowed to create databases (bash scripts/postgres.sh prints one).");
        return null;
    }

    return login;
}

// Everything is bounded: a run that has not finished in 15 minutes (an import: 5 minutes more than its own limit) is cancelled.
// site-wrk waits after each round until the sites have processed what they acknowledged: its time grows with the rounds.
using var timeout = new CancellationTokenSource(mode switch
{
    "import" or "import-postgres" => ImportBenchmark.Limit(Arg(1, 100_000)) + TimeSpan.FromMinutes(5),
    "site-wrk" => TimeSpan.FromMinutes(10 + (6 * Arg(1, 5))),
    _ => TimeSpan.FromMinutes(15),
});
Console.WriteLine($"{Environment.ProcessorCount} processors, .NET {Environment.Version}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, Dynamic PGO {(Report.DynamicPgo ? "on" : "off")}");
switch (mode)
{
    case "ingest":
        await IngestBenchmark.RunAsync(Arg(1, 20_000), Arg(2, 32), timeout.Token);
        return 0;
    case "deployed":
        await DeployedBenchmark.RunAsync(Arg(1, 20_000), Arg(2, 32), Arg(3, 3), Arg(4, 10), timeout.Token);
        return 0;
    case "site-wrk":
        return await SiteWrkBenchmark.RunAsync(Arg(1, 5), Arg(2, 10), timeout.Token);
    case "apply":
        await ApplyBenchmark.RunAsync(Arg(1, 10_000), null, timeout.Token);
        return 0;
    case "apply-postgres":
        if (Postgres() is not { } postgres)
        {
            return 2;
        }

        await ApplyBenchmark.RunAsync(Arg(1, 10_000), postgres, timeout.Token);
        return 0;
    case "two-nodes":
        if (Postgres() is not { } server)
        {
            return 2;
        }

        await TwoNodeBenchmark.RunAsync(Arg(1, 10_000), Arg(2, 3_000), Arg(3, 10), server, timeout.Token);
        return 0;
    case "node":
        // A node process of the two-nodes benchmark: node <measured database> <warm-up database> <first warm-up delivery> <warm-up deliveries>.
        return await TwoNodeBenchmark.RunNodeAsync(args[1], args[2], Arg(3, 0), Arg(4, 0), timeout.Token);
    case "import":
        await ImportBenchmark.RunAsync(Arg(1, 100_000), args.Length > 2 ? args[2] : "import", timeout.Token);
        return 0;
    case "import-postgres":
        if (Postgres() is not { } importDatabase)
        {
            return 2;
        }

        await ImportBenchmark.RunAsync(Arg(1, 100_000), args.Length > 2 ? args[2] : "import-postgres", timeout.Token, importDatabase);
        return 0;
    case "import-acks":
        await ImportAcksBenchmark.RunAsync(Arg(1, 100_000), Arg(2, 10), null, timeout.Token);
        return 0;
    case "import-acks-postgres":
        if (Postgres() is not { } importServer)
        {
            return 2;
        }

        await ImportAcksBenchmark.RunAsync(Arg(1, 100_000), Arg(2, 10), importServer, timeout.Token);
        return 0;
    case "pauses":
        PauseProbe.Run(Arg(1, 30), args.Length > 2 ? args[2] : "pauses");
        return 0;
    default:
        Console.Error.WriteLine("usage: pauses [seconds] [result name] | ingest [deliveries] [connections] | deployed [deliveries] [connections] [rounds] [seconds] | apply [deliveries] | apply-postgres [deliveries] | import [customers] [result name] | two-nodes [deliveries] [warm-up] [seconds] | import-acks[-postgres] [customers] [seconds]");
        return 2;
}
