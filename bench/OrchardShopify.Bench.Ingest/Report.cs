using System.Globalization;

namespace OrchardShopify.Bench.Ingest;

internal static class Report
{
    /// <summary>A label padded to a column, and its value (after one space at least, when the label is longer).</summary>
    public static void Line(string label, string value) => Console.WriteLine($"{label,-46} {value}");

    public static string N(double value, int decimals = 0) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Ms(double value) => $"{value.ToString("0.00", CultureInfo.InvariantCulture)} ms";

    public static string Run(RunResult run) =>
        $"{N(run.RequestsPerSecond)} requests/s, p50 {Ms(run.Percentile(50))}, p99 {Ms(run.Percentile(99))} ({N(run.Requests)} in {run.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s, {run.Failures} not 200){(run.Cpu > TimeSpan.Zero ? $", {N(run.CpuMicrosecondsPerRequest)} us CPU per request" : "")}{(run.JitMethods > 0 ? $", {N(run.JitMethods)} JIT compilations" : "")}";

    public static string Verdict(bool met) => met ? "met" : "NOT met";

    /// <summary>
    /// Whether the runtime recompiles hot methods with profile-guided optimization (Dynamic PGO, on by default): off when
    /// the process's environment (<c>DOTNET_TieredPGO=0</c>) or its runtime configuration (<c>&lt;TieredPGO&gt;false&lt;/TieredPGO&gt;</c>,
    /// <c>System.Runtime.TieredPGO</c>) turns it off, or tiered compilation is off.
    /// </summary>
    public static bool DynamicPgo { get; } = IsOn("TieredPGO", "System.Runtime.TieredPGO") && IsOn("TieredCompilation", "System.Runtime.TieredCompilation");

    private static bool IsOn(string variable, string property)
    {
        foreach (var prefix in (string[])["DOTNET_", "COMPlus_"])
        {
            if (Environment.GetEnvironmentVariable(prefix + variable) is { Length: > 0 } value)
            {
                return value.Trim() != "0";
            }
        }

        return AppContext.GetData(property) is not { } configured || !string.Equals(configured.ToString(), "false", StringComparison.OrdinalIgnoreCase);
    }

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
