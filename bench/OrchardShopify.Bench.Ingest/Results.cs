using System.Text.Json;

namespace OrchardShopify.Bench.Ingest;

/// <summary>
/// Figures of one benchmark as JSON for bench/run.sh's report (docs/benchmarks.md and its charts), written to
/// <c>$BENCH_RESULTS_DIR/{name}.json</c> when that variable is set.
/// </summary>
internal static class BenchResults
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void Save(string name, IReadOnlyDictionary<string, double> figures, IReadOnlyDictionary<string, double[][]>? series = null)
    {
        var folder = Environment.GetEnvironmentVariable("BENCH_RESULTS_DIR");
        if (string.IsNullOrWhiteSpace(folder))
        {
            return;
        }

        Directory.CreateDirectory(folder);
        var document = new Dictionary<string, object> { ["figures"] = figures, ["series"] = series ?? new Dictionary<string, double[][]>() };
        File.WriteAllText(Path.Combine(folder, name + ".json"), JsonSerializer.Serialize(document, Indented));
    }
}
