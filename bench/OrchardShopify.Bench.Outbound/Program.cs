// Pushes customer updates through the GraphQL Admin client (IShopifyCustomerApi.UpdateCustomerAsync) against the
// in-process emulator enforcing the Standard plan's cost bucket (2,000 points, 100 points/s restored), with many
// parallel callers sharing the client's process-wide throttle bucket, and reports how much of the rate limit the
// client used and how often Shopify had to refuse a call.
//
//   dotnet run -c Release --project bench/OrchardShopify.Bench.Outbound [-- <updates> <parallel callers>]
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Bench.Outbound;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Emulator;
using OrchardShopify.Emulator.Throttling;

const string Shop = "uk-demo.myshopify.com";
var updates = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
var callers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
var limits = PlanLimits.For(ShopifyPlan.Standard);

await using var emulator = await ShopifyEmulator.StartAsync(
    new EmulatorOptions { Plan = ShopifyPlan.Standard, CustomersPerShop = updates, Shops = [Shop] },
    CancellationToken.None).ConfigureAwait(false);

var meter = new CostMeter();
var services = new ServiceCollection();
services.AddLogging();
services.AddShopifyAdminApi();
services.AddSingleton(meter);
services.AddTransient<CostMeteringHandler>();
services.AddHttpClient<ShopifyAdminClient>().AddHttpMessageHandler<CostMeteringHandler>();
services.Configure<ShopifySyncOptions>(options => options.Stores["uk"] = new StoreOptions
{
    ShopDomain = Shop,
    AccessToken = emulator.Options.AccessToken,
    ApiBaseUrl = new Uri(emulator.BaseUrl, $"shops/{Shop}/"),
});
services.AddSingleton<StoreRegistry>();

await using var provider = services.BuildServiceProvider();
var store = provider.GetRequiredService<StoreRegistry>().Stores.Single();
var api = provider.GetRequiredService<IShopifyCustomerApi>();
var customers = emulator.Shops[Shop].Snapshot().Take(updates).ToList();
var marker = "Bench" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
var failures = 0;

Console.WriteLine($"Pushing {customers.Count} customer updates with {callers} parallel callers; emulator plan Standard (bucket {limits.BucketSize}, restore {limits.RestoreRate} points/s)");
meter.Start();
var clock = Stopwatch.StartNew();
await Parallel.ForEachAsync(
    customers.Select((customer, index) => (customer, index)),
    new ParallelOptions { MaxDegreeOfParallelism = callers },
    async (item, cancellationToken) =>
    {
        var (customer, index) = item;
        var profile = new CustomerProfile(customer.FirstName, $"{marker}-{index}", customer.Email, customer.Phone);
        try
        {
            await api.UpdateCustomerAsync(store, customer.Id, profile, ProfileFields.LastName, cancellationToken).ConfigureAwait(false);
        }
        catch (ShopifyApiException failure)
        {
            Interlocked.Increment(ref failures);
            Console.Error.WriteLine(failure.Message);
        }
    }).ConfigureAwait(false);
clock.Stop();

var total = clock.Elapsed;
var samples = meter.Samples;
var served = samples.Where(s => !s.Throttled && s.Status == 200).ToList();
static double Points(CostSample s) => s.Actual ?? s.Requested ?? 0;
var points = served.Sum(Points);
var applied = emulator.Shops[Shop].Snapshot().Count(c => c.LastName?.StartsWith(marker + "-", StringComparison.Ordinal) == true);

// The bucket "first empties" at the first response that left less than one more call's requested cost.
var empty = served.FirstOrDefault(s => s.Available is { } a && s.Requested is { } r && a < r);
var throttledTotal = samples.Count(s => s.Throttled);
var throttledAfterWarmUp = samples.Count(s => s.Throttled && s.At > TimeSpan.FromSeconds(1));
var rateLimited = samples.Count(s => s.Status == 429);
var serverBucket = emulator.State.Throttle.Peek(Shop + "|" + emulator.Options.AccessToken);

Console.WriteLine();
Console.WriteLine(Line("updates applied (emulator state)", $"{applied} of {customers.Count} ({failures} calls failed)"));
Console.WriteLine(Line("HTTP requests", $"{samples.Count} ({served.Count} served, {throttledTotal} THROTTLED, {rateLimited} HTTP 429)"));
Console.WriteLine(Line("total time", $"{total.TotalSeconds:0.00} s"));
Console.WriteLine(Line("points consumed (sum of actualQueryCost)", $"{points:0} (requested {served.Sum(s => s.Requested ?? 0):0}; {points / Math.Max(1, served.Count):0.0} per update)"));
Console.WriteLine(Line("achieved rate", $"{points / total.TotalSeconds:0.0} points/s"));
Console.WriteLine(Line("utilization, whole run", $"{points / total.TotalSeconds / limits.RestoreRate:0.000} (includes the initial full bucket of {limits.BucketSize})"));
Console.WriteLine(Line("utilization, whole run less initial bucket", $"{(points - limits.BucketSize) / total.TotalSeconds / limits.RestoreRate:0.000}"));
if (empty is not null)
{
    var after = served.Where(s => s.At > empty.At).ToList();
    var window = (after.Count > 0 ? after[^1].At : empty.At) - empty.At;
    var afterPoints = after.Sum(Points);
    var slack = after.Where(s => s.Available is not null).Select(s => s.Available!.Value).DefaultIfEmpty(0);
    Console.WriteLine(Line("bucket first empty at", $"{empty.At.TotalSeconds:0.00} s"));
    Console.WriteLine(Line("utilization after the bucket first emptied", $"{afterPoints / window.TotalSeconds / limits.RestoreRate:0.000} ({afterPoints:0} points in {window.TotalSeconds:0.00} s)"));
    Console.WriteLine(Line("server bucket after each call, once empty", $"mean {slack.Average():0.0}, max {slack.Max():0} points left unused"));
}
else
{
    Console.WriteLine(Line("bucket first empty at", "never (the run ended before the bucket emptied)"));
}

Console.WriteLine(Line("THROTTLED responses after the first second", $"{throttledAfterWarmUp}"));
Console.WriteLine(Line("emulator bucket at the end", $"{serverBucket.CurrentlyAvailable:0} of {serverBucket.MaximumAvailable}"));

static string Line(string label, string value) => $"{label,-46} {value}";

// Figures and the cumulative-points curve for bench/run.sh's report, when BENCH_RESULTS_DIR is set.
var resultsFolder = Environment.GetEnvironmentVariable("BENCH_RESULTS_DIR");
if (!string.IsNullOrWhiteSpace(resultsFolder))
{
    var cumulative = 0d;
    var curve = new List<double[]>();
    curve.Add([0d, 0d]);
    foreach (var sample in served.OrderBy(s => s.At))
    {
        cumulative += Points(sample);
        curve.Add([sample.At.TotalSeconds, cumulative]);
    }

    var afterEmpty = empty is null ? [] : served.Where(s => s.At > empty.At).ToList();
    var afterWindow = afterEmpty.Count > 0 ? (afterEmpty[^1].At - empty!.At).TotalSeconds : 0;
    var figures = new Dictionary<string, double>
    {
        ["updates"] = customers.Count,
        ["applied"] = applied,
        ["failures"] = failures,
        ["seconds"] = total.TotalSeconds,
        ["points"] = points,
        ["restore_rate"] = limits.RestoreRate,
        ["bucket"] = limits.BucketSize,
        ["utilization_whole"] = points / total.TotalSeconds / limits.RestoreRate,
        ["utilization_less_bucket"] = (points - limits.BucketSize) / total.TotalSeconds / limits.RestoreRate,
        ["utilization_after_empty"] = afterWindow > 0 ? afterEmpty.Sum(Points) / afterWindow / limits.RestoreRate : double.NaN,
        ["throttled"] = throttledTotal,
        ["throttled_after_warmup"] = throttledAfterWarmUp,
        ["http_429"] = rateLimited,
    };
    Directory.CreateDirectory(resultsFolder);
    var document = new Dictionary<string, object> { ["figures"] = figures, ["series"] = new Dictionary<string, double[][]> { ["points"] = [.. curve] } };
    File.WriteAllText(Path.Combine(resultsFolder, "outbound.json"), System.Text.Json.JsonSerializer.Serialize(document));
}
