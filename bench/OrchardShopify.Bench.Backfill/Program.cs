// Bulk import of a store's customers ("Sync now") against the Shopify emulator, each run in its own process so
// that its peak memory is its own:
//
//   emulator  the emulator with N customers in one shop (a child process; prints its address)
//   stream    baseline: the bulk export of every customer, downloaded and parsed, nothing applied
//   import    CustomerImportService over the ASP.NET Core host as a site sets it up (Identity users and the sync on
//             SQLite): the first import creates and links every customer, the second finds them unchanged
//
//   dotnet run -c Release --project bench/OrchardShopify.Bench.Backfill -- [customers]      (default 100000)
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OrchardShopify.Bench.Backfill;

var mode = args.Length > 0 && !char.IsDigit(args[0][0]) ? args[0] : "all";
switch (mode)
{
    case "emulator":
        await Runs.EmulatorAsync(int.Parse(args[1], CultureInfo.InvariantCulture));
        return 0;
    case "stream":
    case "import":
        var result = await Runs.MeasureAsync(mode, new Uri(args[1]));
        Console.WriteLine(JsonSerializer.Serialize(result, Runs.Json));
        return 0;
    case "all":
        return await Orchestrator.RunAsync(args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000);
    default:
        Console.Error.WriteLine("usage: [customers] | emulator <customers> | stream <emulator url> | import <emulator url>");
        return 2;
}

internal static class Orchestrator
{
    public static async Task<int> RunAsync(int customers)
    {
        Console.WriteLine($"{Environment.ProcessorCount} processors, .NET {Environment.Version}");
        Console.WriteLine($"Bulk import of {customers:N0} customers from the Shopify emulator (separate process), each run in its own process");
        var clock = Stopwatch.StartNew();
        using var emulator = Child("emulator", customers.ToString(CultureInfo.InvariantCulture));
        var url = await emulator.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("The emulator did not start.");
        Console.WriteLine($"emulator ready in {clock.Elapsed.TotalSeconds:0.0} s at {url}");
        Console.WriteLine();

        var stream = await RunChildAsync("stream", url);
        var import = await RunChildAsync("import", url);
        emulator.StandardInput.Close();
        await emulator.WaitForExitAsync();

        Line("baseline: export + download + parse", Describe(stream.First));
        Line("import, first run (create + link)", Describe(import.First));
        Line("  created / linked / unchanged / failed", $"{import.First.Created:N0} / {import.First.Linked:N0} / {import.First.Unchanged:N0} / {import.First.Failed:N0}");
        Line("import, second run (nothing to change)", Describe(import.Second!));
        Line("  created / linked / unchanged / failed", $"{import.Second!.Created:N0} / {import.Second.Linked:N0} / {import.Second.Unchanged:N0} / {import.Second.Failed:N0}");
        Line("users / links after both runs", $"{import.Users:N0} / {import.Links:N0}");
        Line("ratio first import / baseline (time)", $"{import.First.Seconds / stream.First.Seconds:0.00}");
        Line("ratio second import / baseline (time)", $"{import.Second.Seconds / stream.First.Seconds:0.00}");
        Line("peak working set: baseline / import", $"{stream.PeakMb:0} MB / {import.PeakMb:0} MB (each process, managed heap capped at 64 MB)");
        Line("managed memory held at the end", $"{stream.LiveMb:0} MB / {import.LiveMb:0} MB (after a full collection)");
        var met = import.First.Seconds < 15 && import.Second.Seconds < 15 && import.PeakMb < 200 && import.First.Processed == customers;
        Line("target < 15 s per run and < 200 MB", met ? "met" : "NOT met");
        return 0;
    }

    private static async Task<Measurement> RunChildAsync(string mode, string url)
    {
        using var child = Child(mode, url);
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"{mode} failed: {await child.StandardError.ReadToEndAsync()}");
        }

        var diagnostics = await child.StandardError.ReadToEndAsync();
        if (diagnostics.Length > 0)
        {
            Console.Write(diagnostics);
        }

        return JsonSerializer.Deserialize<Measurement>(output.Trim().Split('\n')[^1], Runs.Json)!;
    }

    private static Process Child(string mode, string argument)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardInput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(Orchestrator).Assembly.Location);
        }

        info.ArgumentList.Add(mode);
        info.ArgumentList.Add(argument);
        if (mode != "emulator")
        {
            // The measured runs get a managed heap of at most 64 MB: holding every customer would fail, not just be slow.
            info.Environment["DOTNET_GCHeapHardLimit"] = "0x4000000";
        }

        return Process.Start(info)!;
    }

    private static string Describe(RunFigures run) => $"{run.Processed:N0} customers in {run.Seconds:0.00} s ({run.Processed / run.Seconds:N0}/s)";

    private static void Line(string label, string value) => Console.WriteLine($"{label,-47}{value}");
}
