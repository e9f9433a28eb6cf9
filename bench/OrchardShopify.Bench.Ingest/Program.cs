// Two benchmarks of the ASP.NET Core host on SQLite, each against a baseline in the same process:
//
//   ingest  webhook intake (verify + store in the inbox, workers off) against a bare Kestrel endpoint that only
//           reads the body, then a fixed-rate run at 1,000 requests/s against the site.
//   apply   10,000 stored customers/create deliveries applied by the site's workers (users created and linked)
//           against the engine alone (InboundCustomerSync over the in-memory ports of tests/OrchardShopify.Testing).
//
//   dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- ingest [deliveries] [connections]
//   dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- apply [deliveries]
using System.Globalization;
using System.Runtime;
using OrchardShopify.Bench.Ingest;

var mode = args.Length > 0 ? args[0] : "";
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

// Everything is bounded: a run that has not finished in 15 minutes is cancelled.
using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
Console.WriteLine($"{Environment.ProcessorCount} processors, .NET {Environment.Version}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC");
switch (mode)
{
    case "ingest":
        await IngestBenchmark.RunAsync(Arg(1, 20_000), Arg(2, 32), timeout.Token);
        return 0;
    case "apply":
        await ApplyBenchmark.RunAsync(Arg(1, 10_000), timeout.Token);
        return 0;
    default:
        Console.Error.WriteLine("usage: ingest [deliveries] [connections] | apply [deliveries]");
        return 2;
}
