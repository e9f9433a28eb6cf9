using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;
using OrchardShopify.AspNetCore.Backfill;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Tests.Queue;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Emulator;
using OrchardShopify.Testing.Hosting.Postgres;
using OrchardShopify.Testing.Hosting.Sites;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.AspNetCore.Tests.Postgres;

/// <summary>
/// "Sync now" on PostgreSQL with Identity users in the same database: the import stores its customers a batch per
/// transaction, several batches at once (<see cref="ShopifyBackfillOptions.Parallelism"/>), each holding its customers'
/// locks as a node's workers do, on appliers' threads below the priority of the threads answering requests.
/// </summary>
public sealed class PostgresImportTests
{
    [PostgresFact]
    public async Task An_import_on_postgres_stores_its_customers_a_batch_per_transaction_on_low_priority_appliers_and_each_ends_with_one_user_and_one_link()
    {
        const int total = 600;
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        await using var emulator = await ShopifyEmulator.StartAsync(new EmulatorOptions { Shops = [SyncSite.ShopDomain], CustomersPerShop = total }, CancellationToken.None);
        var seeded = emulator.Shops[SyncSite.ShopDomain].Snapshot();

        // Site code that runs as each user is created or updated: a validator recording the user and the thread that calls it.
        var calls = new ConcurrentQueue<(string? Email, string? Thread, int Nice)>();
        await using var site = await StartSiteAsync(
            database,
            emulator,
            new Dictionary<string, string?> { ["Shopify:Queue:WorkersEnabled"] = "false" },
            services => services.AddScoped<IUserValidator<IdentityUser>>(_ => new ThreadRecordingValidator(calls)));

        // A user who already has a customer's email: linked, not duplicated (one by one, inside a batch's transaction).
        var existing = seeded[42];
        var owner = new IdentityUser { UserName = existing.Email, Email = existing.Email, EmailConfirmed = true };
        Assert.True((await site.WithUsersAsync(users => users.CreateAsync(owner))).Succeeded);
        calls.Clear();

        var imports = site.Services.GetRequiredService<CustomerImportService>();
        var started = await imports.StartAsync(SyncSite.Store, new CustomerImportRequest(CustomerImportMode.All), CancellationToken.None);
        await imports.WaitAsync(started.Id).WaitAsync(TimeSpan.FromMinutes(2));
        var status = await imports.GetAsync(started.Id, CancellationToken.None);

        Assert.NotNull(status);
        Assert.Equal(SyncJobStatus.Succeeded, status.Status);
        var progress = status.Progress;
        Assert.Equal((total, total - 1L, 1L, 0L, 0L), (progress.Processed, progress.Created, progress.Linked, progress.Skipped, progress.Failed));

        // Every customer has one user with its email and its Shopify id, and one link; the existing user was linked.
        var users = await site.State.UsersAsync();
        Assert.Equal(total, users.Count);
        var links = await site.State.LinksAsync();
        Assert.Equal(seeded.Select(c => c.Id).Order(), links.Select(l => l.CustomerId).Order());
        Assert.Equal(total, links.Select(l => l.UserId).Distinct().Count());
        foreach (var customer in seeded)
        {
            var user = Assert.Single(users, u => u.Id == Assert.Single(links, l => l.CustomerId == customer.Id).UserId);
            Assert.Equal(customer.Email, user.Email);
            Assert.Equal(customer.Id.ToString(CultureInfo.InvariantCulture), user.Claim("shopify_id"));
        }

        Assert.Equal(owner.Id, Assert.Single(links, l => l.CustomerId == existing.Id).UserId);
        Assert.Equal(total, (await site.State.SyncLogAsync()).Count(l => l.Outcome is "created" or "linked"));

        // Rows written by one transaction share its id (xmin): the new users went in batches (up to 200, however many the
        // download had delivered) per transaction, where storing them one by one took a transaction each.
        var transactions = await ScalarAsync(database.ConnectionString, $"SELECT COUNT(DISTINCT xmin::text) FROM \"AspNetUsers\" WHERE \"Id\" <> '{owner.Id}'");
        Assert.InRange(transactions, 1, total / 4);

        // The new users were created on the import's appliers' threads, at the workers' nice value, not on the thread
        // pool. (The linked user's update, when Shopify's values fill its blanks, is validated after Identity's own
        // look-up of it, whose wait continues on the thread pool: library code, outside the sync's.)
        var creations = calls.Where(c => !string.Equals(c.Email, existing.Email, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Equal(total - 1, creations.Count);
        Assert.All(creations, c => Assert.Equal("Shopify import applier", c.Thread));
        if (OperatingSystem.IsLinux())
        {
            Assert.All(creations, c => Assert.Equal(new ShopifyQueueOptions().WorkerNice, c.Nice));
        }
    }

    [PostgresFact]
    public async Task A_customer_created_in_Shopify_while_an_import_applies_on_postgres_gets_its_user_before_the_import_ends()
    {
        // Site code run as each user is created (a validator) takes a few milliseconds, so two appliers take several
        // seconds over the import. The inbound worker's delivery must not wait for the end of it.
        const int total = 1_600;
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        await using var emulator = await ShopifyEmulator.StartAsync(new EmulatorOptions { Shops = [SyncSite.ShopDomain], CustomersPerShop = total }, CancellationToken.None);
        await using var site = await StartSiteAsync(
            database,
            emulator,
            new Dictionary<string, string?> { ["Shopify:Backfill:Parallelism"] = "2" },
            services => services.AddScoped<IUserValidator<IdentityUser>>(_ => new SlowValidator(TimeSpan.FromMilliseconds(8))));

        var imports = site.Services.GetRequiredService<CustomerImportService>();
        var started = await imports.StartAsync(SyncSite.Store, new CustomerImportRequest(CustomerImportMode.All), CancellationToken.None);
        await SyncSite.EventuallyAsync(
            async () => (await imports.GetAsync(started.Id, CancellationToken.None))!.Progress.Processed >= 200,
            "the import has applied 200 customers",
            TimeSpan.FromSeconds(60));

        var createdAt = DateTimeOffset.UtcNow;
        var delivered = new ShopifyCustomerVersion(9_100_000_001, "ines.during-import@example.com", "Ines", "Duringimport", null, createdAt, createdAt);
        using (var request = new ShopifyWebhookSigner(SyncSite.ShopDomain, SyncSite.WebhookSecret).Customer("customers/create", delivered, "pg-during-import-1", createdAt).ToRequest())
        using (var acknowledged = await site.Http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        }

        IdentityUser? user = null;
        await SyncSite.EventuallyAsync(
            async () => (user = await site.WithUsersAsync(users => users.FindByEmailAsync(delivered.Email!))) is not null,
            "the delivered customer's user exists",
            TimeSpan.FromSeconds(60));
        var during = await imports.GetAsync(started.Id, CancellationToken.None);
        Assert.Equal(SyncJobStatus.Running, during!.Status);
        Assert.InRange(during.Progress.Processed, 200, total - 1);
        Assert.Equal(delivered.Id.ToString(CultureInfo.InvariantCulture), (await site.State.UsersAsync()).Single(u => u.Id == user!.Id).Claim("shopify_id"));

        await imports.WaitAsync(started.Id).WaitAsync(TimeSpan.FromMinutes(2));
        var done = await imports.GetAsync(started.Id, CancellationToken.None);
        Assert.Equal(SyncJobStatus.Succeeded, done!.Status);
        Assert.Equal((total, (long)total, 0L), (done.Progress.Processed, done.Progress.Created, done.Progress.Failed));
        Assert.Equal(total + 1, (await site.State.UsersAsync()).Count);
        Assert.Equal(total + 1, (await site.State.LinksAsync()).Count);
    }

    [PostgresFact]
    public async Task Two_stores_imported_at_once_on_postgres_give_a_customer_in_both_one_user_linked_to_each()
    {
        // A multi-store site: 120 people are customers of both stores, with the same email. Both stores are imported at
        // once, each with four appliers: their batches race to create the same users.
        const int seeded = 300;
        const int shared = 120;
        const string usDomain = "us-demo.myshopify.com";
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        await using var emulator = await ShopifyEmulator.StartAsync(new EmulatorOptions { Shops = [SyncSite.ShopDomain, usDomain], CustomersPerShop = seeded }, CancellationToken.None);
        var emails = Enumerable.Range(0, shared).Select(i => $"both.{i}@example.com").ToList();
        foreach (var domain in new[] { SyncSite.ShopDomain, usDomain })
        {
            foreach (var email in emails)
            {
                var (_, errors, _) = emulator.Shops[domain].Create(new Dictionary<string, object?> { ["firstName"] = "Both", ["lastName"] = email[5..^12], ["email"] = email });
                Assert.Empty(errors);
            }
        }

        await using var site = await StartSiteAsync(
            database,
            emulator,
            new Dictionary<string, string?>
            {
                ["Shopify:Queue:WorkersEnabled"] = "false",
                ["Shopify:MultiStore"] = "true",
                ["Shopify:Stores:us:ShopDomain"] = usDomain,
                ["Shopify:Stores:us:WebhookSecret"] = "whsec-us-3b9d",
                ["Shopify:Stores:us:AccessToken"] = emulator.Options.AccessToken,
                ["Shopify:Stores:us:ApiBaseUrl"] = new Uri(emulator.BaseUrl, $"shops/{usDomain}").AbsoluteUri,
            });

        var imports = site.Services.GetRequiredService<CustomerImportService>();
        var uk = await imports.StartAsync("uk", new CustomerImportRequest(CustomerImportMode.All), CancellationToken.None);
        var us = await imports.StartAsync("us", new CustomerImportRequest(CustomerImportMode.All), CancellationToken.None);
        await Task.WhenAll(imports.WaitAsync(uk.Id), imports.WaitAsync(us.Id)).WaitAsync(TimeSpan.FromMinutes(2));

        var progress = new List<CustomerImportSummary>();
        foreach (var id in new[] { uk.Id, us.Id })
        {
            var status = await imports.GetAsync(id, CancellationToken.None);
            Assert.Equal(SyncJobStatus.Succeeded, status!.Status);
            Assert.True(status.Progress.Failed == 0, string.Join("; ", status.Progress.Failures.Select(f => $"{f.Count} x {f.Reason}: {f.Description} ({string.Join(", ", f.ExampleCustomerIds)})")));
            Assert.Equal((seeded + shared, 0L, 0L), (status.Progress.Processed, status.Progress.Skipped, status.Progress.Failed));
            progress.Add(status.Progress);
        }

        // Nothing of the sync's went wrong: it logged no error. (Now and then, about one run in thirty here, a customer
        // applied on its own loses the race inside the user store's own save: EF Core then logs the refused insert before
        // the sync finds the user and links it.)
        Assert.Empty(site.Options.Logs!.GetSnapshot()
            .Where(e => e.Level >= LogLevel.Error && e.Category?.StartsWith("Microsoft.EntityFrameworkCore.", StringComparison.Ordinal) != true)
            .Select(e => $"{e.Category}: {e.Message}"));

        // Each shared person got one user, created by one store's import and linked by the other's.
        Assert.Equal(shared, progress.Sum(p => p.Linked));
        var users = await site.State.UsersAsync();
        var links = await site.State.LinksAsync();
        Assert.Equal((2 * seeded) + shared, users.Count);
        Assert.Equal(2 * (seeded + shared), links.Count);
        foreach (var email in emails)
        {
            var user = Assert.Single(users, u => string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase));
            var mine = links.Where(l => l.UserId == user.Id).ToList();
            Assert.Equal(["uk", "us"], mine.Select(l => l.Store).Order());
            Assert.Equal(emulator.Shops[SyncSite.ShopDomain].FindByEmail(email)!.Id, mine.Single(l => l.Store == "uk").CustomerId);
            Assert.Equal(emulator.Shops[usDomain].FindByEmail(email)!.Id, mine.Single(l => l.Store == "us").CustomerId);
        }
    }

    /// <summary>
    /// The site on <paramref name="database"/> with the store <c>uk</c> served by <paramref name="emulator"/> (its bulk
    /// operations polled every 50–200 ms), <paramref name="settings"/> added.
    /// </summary>
    private static Task<SyncSite> StartSiteAsync(ScratchPostgresDatabase database, ShopifyEmulator emulator, Dictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null)
    {
        settings["Shopify:Stores:uk:AccessToken"] = emulator.Options.AccessToken;
        settings["Shopify:Stores:uk:ApiBaseUrl"] = new Uri(emulator.BaseUrl, $"shops/{SyncSite.ShopDomain}").AbsoluteUri;
        return SyncSite.StartAsync(new SyncSiteOptions
        {
            Folder = SyncSite.NewFolder(),
            PostgresConnectionString = database.ConnectionString,
            Settings = settings,
            Logs = new FakeLogCollector(),
            ConfigureServices = services =>
            {
                services.Configure<ShopifyAdminClientOptions>(o =>
                {
                    o.BulkPollInitialDelay = TimeSpan.FromMilliseconds(50);
                    o.BulkPollMaxDelay = TimeSpan.FromMilliseconds(200);
                });
                configureServices?.Invoke(services);
            },
        });
    }

    private sealed class SlowValidator(TimeSpan delay) : IUserValidator<IdentityUser>
    {
        public async Task<IdentityResult> ValidateAsync(UserManager<IdentityUser> manager, IdentityUser user)
        {
            await Task.Delay(delay);
            return IdentityResult.Success;
        }
    }

    private sealed class ThreadRecordingValidator(ConcurrentQueue<(string? Email, string? Thread, int Nice)> calls) : IUserValidator<IdentityUser>
    {
        public Task<IdentityResult> ValidateAsync(UserManager<IdentityUser> manager, IdentityUser user)
        {
            calls.Enqueue((user.Email, Thread.CurrentThread.Name, OperatingSystem.IsLinux() ? WorkerThreadTests.NiceOf("/proc/thread-self/stat") : 0));
            return Task.FromResult(IdentityResult.Success);
        }
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
