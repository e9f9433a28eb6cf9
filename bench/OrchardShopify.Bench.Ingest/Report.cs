using System.Globalization;

namespace OrchardShopify.Bench.Ingest;

internal static class Report
{
    public static void Line(string label, string value) => Console.WriteLine($"{label,-47}{value}");

    public static string N(double value, int decimals = 0) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Ms(double value) => $"{value.ToString("0.00", CultureInfo.InvariantCulture)} ms";

    public static string Run(RunResult run) =>
        $"{N(run.RequestsPerSecond)} requests/s, p50 {Ms(run.Percentile(50))}, p99 {Ms(run.Percentile(99))} ({N(run.Requests)} in {run.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s, {run.Failures} not 200){(run.Cpu > TimeSpan.Zero ? $", {N(run.CpuMicrosecondsPerRequest)} us CPU per request" : "")}{(run.JitMethods > 0 ? $", {N(run.JitMethods)} JIT compilations" : "")}";

    public static string Verdict(bool met) => met ? "met" : "NOT met";

    /// <summary>The folder holding OrchardShopify.sln, found upwards from the program's folder.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "OrchardShopify.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException("OrchardShopify.sln was not found above " + AppContext.BaseDirectory);
    }

    public static string TempFolder(string name)
    {
        var folder = Path.Combine(Path.GetTempPath(), "orchardshopify-bench", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static void Delete(string folder)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temp folder is the OS's to clean.
        }
    }
}
