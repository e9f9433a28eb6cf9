using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.Bench.Ingest;

/// <summary>
/// Bulk import: every customer of the Shopify emulator (run as a separate process, so its data is not this process's
/// memory) exported with a bulk operation and streamed as JSONL (<see cref="BulkCustomerExport"/>), then applied with the
/// inbound rules (<see cref="InboundCustomerSync"/>, as a customers/update delivery) to Identity users on SQLite, in the
/// host's batch transactions (<see cref="WorkBatch"/>, the inbound worker's), 200 customers each (as the import service), the new ones among
/// them together (<see cref="InboundCustomerSync.ApplyNewCustomersAsync"/>) as the worker applies a batch.
/// </summary>
internal static class ImportBenchmark
{
    private const int Chunk = 200;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);

    public static async Task RunAsync(int customers, CancellationToken cancellationToken)
    {
        Console.WriteLine($"Bulk import: {customers} customers from the emulator (bulk operation, JSONL), applied with the inbound rules to Identity users on SQLite, {Chunk} per transaction");
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        using var emulator = StartEmulator(url, customers);
        try
        {
            await WaitForEmulatorAsync(url, emulator, cancellationToken);
            await using var storage = BenchStorage.Sqlite("import");
            await using var site = await Server.StartSiteAsync(storage, workersEnabled: false, new Dictionary<string, string?>
            {
                ["Shopify:Stores:uk:ApiBaseUrl"] = $"{url}/shops/{Deliveries.Domain}/",
                ["Shopify:Stores:uk:AccessToken"] = "shpat_emulator",
            });
            var services = site.Services;
            var store = services.GetRequiredService<StoreRegistry>().FindByHandle("uk")!;
            var export = services.GetRequiredService<BulkCustomerExport>();
            var database = services.GetRequiredService<SyncDatabase>();
            var users = services.GetRequiredService<IUserDirectory>();
            var inbound = services.GetRequiredService<InboundCustomerSync>();

            using var sampler = new MemorySampler();
            var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
            var failures = 0;
            var exported = 0;
            double? firstRowSeconds = null;
            var chunk = new List<ShopifyCustomer>(Chunk);
            var clock = Stopwatch.StartNew();
            await foreach (var row in export.ExportAsync(store, cancellationToken))
            {
                firstRowSeconds ??= clock.Elapsed.TotalSeconds;
                if (row is not BulkCustomerRow customer)
                {
                    continue;
                }

                exported++;
                chunk.Add(customer.Customer);
                if (chunk.Count == Chunk)
                {
                    failures += await ApplyAsync(chunk, store, database, users, inbound, outcomes, cancellationToken);
                    chunk.Clear();
                    if (clock.Elapsed > Limit)
                    {
                        break;
                    }
                }
            }

            failures += await ApplyAsync(chunk, store, database, users, inbound, outcomes, cancellationToken);
            clock.Stop();
            sampler.Stop();

            var applied = outcomes.Values.Sum();
            var userCount = await storage.ScalarAsync("SELECT COUNT(*) FROM \"AspNetUsers\"", identity: true, cancellationToken);
            var claims = await storage.ScalarAsync("SELECT COUNT(*) FROM \"AspNetUserClaims\" WHERE \"ClaimType\" = 'shopify_id'", identity: true, cancellationToken);
            var links = await storage.ScalarAsync("SELECT COUNT(*) FROM shopify_customer_links", cancellationToken: cancellationToken);
            var complete = exported == customers && applied == customers;
            var seconds = clock.Elapsed.TotalSeconds;
            var peakMb = Process.GetCurrentProcess().PeakWorkingSet64 / 1024d / 1024d;

            Console.WriteLine();
            Report.Line("customers exported / applied", $"{Report.N(exported)} / {Report.N(applied)} of {Report.N(customers)} ({failures} failed{(complete ? "" : ", STOPPED AT THE TIME LIMIT")})");
            Report.Line("outcomes", string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {Report.N(o.Value)}")));
            Report.Line("total time (export, download, apply)", $"{seconds.ToString("0.00", CultureInfo.InvariantCulture)} s (target < 15 s: {Report.Verdict(complete && seconds < 15)})");
            Report.Line("  first row after", $"{(firstRowSeconds ?? 0).ToString("0.00", CultureInfo.InvariantCulture)} s (bulk operation run and polled)");
            Report.Line("  apply rate", $"{Report.N(applied / seconds)} customers/s");
            Report.Line("peak working set of the process", $"{Report.N(peakMb)} MB (target < 200 MB: {Report.Verdict(peakMb < 200)})");
            Report.Line("  managed heap, largest sampled", $"{Report.N(sampler.PeakManagedBytes / 1024d / 1024d)} MB");
            Report.Line("Identity users / shopify_id claims / links", $"{Report.N(userCount)} / {Report.N(claims)} / {Report.N(links)}");

            BenchResults.Save("import", new Dictionary<string, double>
            {
                ["customers"] = customers,
                ["exported"] = exported,
                ["applied"] = applied,
                ["failures"] = failures,
                ["seconds"] = seconds,
                ["first_row_seconds"] = firstRowSeconds ?? 0,
                ["rate"] = applied / seconds,
                ["peak_working_set_mb"] = peakMb,
                ["peak_managed_mb"] = sampler.PeakManagedBytes / 1024d / 1024d,
                ["users"] = userCount,
                ["links"] = links,
                ["complete"] = complete ? 1 : 0,
            });
        }
        finally
        {
            if (!emulator.HasExited)
            {
                emulator.Kill(entireProcessTree: true);
            }
        }
    }

    /// <returns>How many customers failed (their writes rolled back).</returns>
    private static async Task<int> ApplyAsync(List<ShopifyCustomer> customers, ShopifyStore store, SyncDatabase database, IUserDirectory users, InboundCustomerSync inbound, Dictionary<string, int> outcomes, CancellationToken cancellationToken)
    {
        if (customers.Count == 0)
        {
            return 0;
        }

        var failures = 0;
        await using var batch = await WorkBatch.TryBeginAsync(database, users, cancellationToken)
            ?? throw new InvalidOperationException("The site's users cannot join a batch transaction.");
        batch.Enter();
        try
        {
            // As the inbound worker does: the customers new to the site together, then the others one by one.
            var deliveries = customers.Select(c => Delivery(store, c)).ToList();
            var together = await inbound.ApplyNewCustomersAsync(deliveries, cancellationToken);
            for (var i = 0; i < deliveries.Count; i++)
            {
                if (together[i] is { } created)
                {
                    Count(outcomes, created);
                    continue;
                }

                await batch.BeginItemAsync(cancellationToken);
                try
                {
                    var result = await inbound.ApplyAsync(deliveries[i], cancellationToken);
                    await batch.EndItemAsync(true);
                    Count(outcomes, result);
                }
#pragma warning disable CA1031 // A failed customer is counted; its writes are undone and the others go on.
                catch (Exception)
#pragma warning restore CA1031
                {
                    await batch.EndItemAsync(false);
                    failures++;
                }
            }

            await batch.CommitAsync(cancellationToken);
        }
        finally
        {
            WorkBatch.Leave();
        }

        return failures;
    }

    private static void Count(Dictionary<string, int> outcomes, InboundResult result)
    {
        var name = InboundResult.OutcomeName(result.Outcome);
        outcomes[name] = outcomes.GetValueOrDefault(name) + 1;
    }

    /// <summary>The exported customer as the customers/update payload the inbound rules read.</summary>
    private static WebhookDelivery Delivery(ShopifyStore store, ShopifyCustomer customer)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("id", customer.Id);
            json.WriteString("email", customer.Profile.Email);
            json.WriteString("first_name", customer.Profile.FirstName);
            json.WriteString("last_name", customer.Profile.LastName);
            json.WriteString("phone", customer.Profile.Phone);
            json.WriteString("updated_at", customer.UpdatedAt);
            json.WriteEndObject();
        }

        var id = customer.Id.ToString(CultureInfo.InvariantCulture);
        return new WebhookDelivery(ShopifyTopics.CustomersUpdate, store, $"import-{id}", null, null, null, buffer.ToArray());
    }

    private static Process StartEmulator(string url, int customers)
    {
        var dll = Path.Combine(Report.RepositoryRoot(), "tools", "OrchardShopify.Emulator", "bin", "Release", "net10.0", "OrchardShopify.Emulator.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the emulator first: dotnet build -c Release tools/OrchardShopify.Emulator ({dll} is missing).");
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { dll, "--urls", url, "--customers", customers.ToString(CultureInfo.InvariantCulture), "--shops", Deliveries.Domain })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The emulator did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine("emulator: " + e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForEmulatorAsync(string url, Process emulator, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (emulator.HasExited)
            {
                throw new InvalidOperationException($"The emulator exited with code {emulator.ExitCode}.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"{url}/_emulator/health"), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Report.Line("emulator ready after", $"{clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s (its own process)");
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException("The emulator did not answer within 2 minutes.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Samples the managed heap every 50 ms (the working set's peak is the OS's own figure).</summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;

        public MemorySampler()
        {
            _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));
        }

        public long PeakManagedBytes => Interlocked.Read(ref _peak);

        public void Stop()
        {
            _timer.Change(Timeout.Infinite, Timeout.Infinite);
            Sample();
        }

        public void Dispose() => _timer.Dispose();

        private void Sample()
        {
            var heap = GC.GetTotalMemory(false);
            long current;
            while (heap > (current = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, heap, current) != current)
            {
            }
        }
    }
}
