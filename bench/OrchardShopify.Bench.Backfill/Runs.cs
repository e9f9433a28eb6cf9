using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.Backfill;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Users;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Emulator;

namespace OrchardShopify.Bench.Backfill;

/// <summary>The site's users: ASP.NET Core Identity on SQLite, with the phone index the sync recommends.</summary>
internal sealed class BenchIdentityDb(DbContextOptions<BenchIdentityDb> options) : IdentityDbContext<IdentityUser>(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.HasShopifyLookupIndexes<IdentityUser>();
    }
}

internal sealed record RunFigures(long Processed, double Seconds, long Created, long Linked, long Unchanged, long Failed);

internal sealed record Measurement(RunFigures First, RunFigures? Second, double PeakMb, double LiveMb, long Users, long Links);

internal static class Runs
{
    public const string Shop = "uk-demo.myshopify.com";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task EmulatorAsync(int customers)
    {
        await using var emulator = await ShopifyEmulator.StartAsync(
            new EmulatorOptions { Shops = [Shop], CustomersPerShop = customers, Plan = OrchardShopify.Emulator.Throttling.ShopifyPlan.Plus },
            CancellationToken.None);
        Console.WriteLine(emulator.BaseUrl.AbsoluteUri);

        // Runs until the orchestrator closes standard input.
        await Console.In.ReadToEndAsync();
    }

    public static async Task<Measurement> MeasureAsync(string mode, Uri emulator)
    {
        var folder = Path.Combine(Path.GetTempPath(), "orchardshopify-bench", $"backfill-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            await using var provider = Services(emulator, folder);
            await using (var scope = provider.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<BenchIdentityDb>().Database.EnsureCreatedAsync();
            }

            foreach (var hosted in provider.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None);
            }

            Measurement result;
            if (mode == "stream")
            {
                var export = provider.GetRequiredService<BulkCustomerExport>();
                var store = provider.GetRequiredService<StoreRegistry>().Stores[0];
                var clock = Stopwatch.StartNew();
                long rows = 0;
                var id = await export.StartAsync(store, BulkCustomerFields.Profiles, CancellationToken.None);
                var operation = await export.WaitForCompletionAsync(store, id, CancellationToken.None);
                var exported = clock.Elapsed.TotalSeconds;
                await foreach (var row in export.ReadAsync(store, operation.Url!, CancellationToken.None))
                {
                    rows += row is BulkCustomerRow ? 1 : 0;
                }

                Console.Error.WriteLine($"export ready after {exported:0.00} s, read in {clock.Elapsed.TotalSeconds - exported:0.00} s");

                result = new Measurement(new RunFigures(rows, clock.Elapsed.TotalSeconds, 0, 0, 0, 0), null, PeakMb(), LiveMb(), 0, 0);
            }
            else
            {
                var first = await ImportAsync(provider);
                var second = await ImportAsync(provider);
                result = new Measurement(first, second, PeakMb(), LiveMb(), await CountAsync(folder, "identity.db", "AspNetUsers"), await CountAsync(folder, "sync.db", "shopify_customer_links"));
            }

            foreach (var hosted in provider.GetServices<IHostedService>().Reverse())
            {
                await hosted.StopAsync(CancellationToken.None);
            }

            return result;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<RunFigures> ImportAsync(ServiceProvider provider)
    {
        var imports = provider.GetRequiredService<CustomerImportService>();
        var clock = Stopwatch.StartNew();
        var started = await imports.StartAsync("uk", new CustomerImportRequest(), CancellationToken.None);
        await imports.WaitAsync(started.Id);
        var elapsed = clock.Elapsed.TotalSeconds;
        var done = (await imports.GetAsync(started.Id, CancellationToken.None))!;
        if (done.Status != SyncJobStatus.Succeeded)
        {
            throw new InvalidOperationException($"The import ended {done.Status}: {done.Error}");
        }

        var p = done.Progress;
        return new RunFigures(p.Processed, elapsed, p.Created, p.Linked, p.Unchanged, p.Failed);
    }

    private static ServiceProvider Services(Uri emulator, string folder)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Shopify:CreateUsersFromShopify"] = "true",
            ["Shopify:Stores:uk:ShopDomain"] = Shop,
            ["Shopify:Stores:uk:WebhookSecret"] = "emulator-secret",
            ["Shopify:Stores:uk:AccessToken"] = "shpat_emulator",
            ["Shopify:Stores:uk:ApiBaseUrl"] = new Uri(emulator, $"shops/{Shop}").AbsoluteUri,
            ["Shopify:Storage:ConnectionString"] = $"Data Source={Path.Combine(folder, "sync.db")}",
            ["Shopify:Backfill:Parallelism"] = Environment.GetEnvironmentVariable("BENCH_PARALLELISM") ?? "4",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(configuration);
        services.AddDbContext<BenchIdentityDb>(o => o.UseSqlite($"Data Source={Path.Combine(folder, "identity.db")}"));
        services.AddIdentityCore<IdentityUser>(o => o.User.RequireUniqueEmail = true).AddEntityFrameworkStores<BenchIdentityDb>();
        services.AddShopifyCustomerSync(configuration.GetSection("Shopify")).UseIdentityUsers<IdentityUser>();
        services.Configure<ShopifyAdminClientOptions>(o =>
        {
            o.BulkPollInitialDelay = TimeSpan.FromMilliseconds(250);
            o.BulkPollMaxDelay = TimeSpan.FromSeconds(1);
        });
        return services.BuildServiceProvider();
    }

    private static async Task<long> CountAsync(string folder, string file, string table)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, file)}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Managed memory still reachable after a full collection: what the process holds, not what the GC has not reclaimed yet.</summary>
    private static double LiveMb() => GC.GetTotalMemory(forceFullCollection: true) / (1024.0 * 1024.0);

    private static double PeakMb() => Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
}
