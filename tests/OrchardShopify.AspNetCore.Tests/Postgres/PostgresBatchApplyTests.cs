using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;
using OrchardShopify.Testing.Hosting.Postgres;
using OrchardShopify.Testing.Hosting.Sites;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.AspNetCore.Tests.Postgres;

/// <summary>
/// The inbound worker on PostgreSQL with Identity users in the same database: a claimed batch is applied in one
/// transaction (users, claims, links, log rows and the items' outcomes commit together), and a customer's lock taken
/// in it is held until that commit.
/// </summary>
public sealed class PostgresBatchApplyTests
{
    [PostgresFact]
    public async Task New_customers_delivered_on_postgres_are_created_linked_and_finished_in_one_transaction()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var folder = SyncSite.NewFolder();
        var burst = CustomerBurst.Generate(new ShopifyWebhookSigner(SyncSite.ShopDomain, SyncSite.WebhookSecret), customers: 30, versions: 1, prefix: "batch");

        // Stored with the workers off, so one claim of the next node takes all of them.
        await using (var receiving = await SyncSite.StartAsync(Options(database, folder, workers: false)))
        {
            var results = await DeliverySender.SendAsync(receiving.Http, burst.Deliveries, senders: 4, CancellationToken.None);
            Assert.All(results, r => Assert.True(r.Acknowledged, $"{r.Delivery.WebhookId}: {r.StatusCode} {r.Error}"));
        }

        await using var applying = await SyncSite.StartAsync(Options(database, folder, workers: true), createIdentitySchema: false);
        await SyncSite.EventuallyAsync(async () => await applying.State.UnfinishedInboundAsync() == 0, "the node has applied the deliveries", TimeSpan.FromSeconds(60));

        var items = await applying.State.WorkItemsAsync();
        Assert.Equal(30, items.Count);
        Assert.All(items, i => Assert.Equal((WorkItemRow.Succeeded, 1, "created"), (i.Status, i.Attempts, i.Outcome)));
        var users = await applying.State.UsersAsync();
        Assert.Equal(30, users.Count);
        var links = await applying.State.LinksAsync();
        Assert.Equal(burst.Final.Keys.Order(), links.Select(l => l.CustomerId).Order());
        foreach (var link in links)
        {
            var user = Assert.Single(users, u => u.Id == link.UserId);
            Assert.Equal(burst.Final[link.CustomerId].Email, user.Email);
            Assert.Equal(link.CustomerId.ToString(System.Globalization.CultureInfo.InvariantCulture), user.Claim("shopify_id"));
        }

        // Rows written or last changed by one transaction share its id (xmin): the users, their claims, the links, the
        // log rows and the items' outcomes, all of one commit.
        var transactions = await ScalarAsync(
            database.ConnectionString,
            """
            SELECT COUNT(DISTINCT x) FROM (
              SELECT xmin::text AS x FROM shopify_work_items
              UNION ALL SELECT xmin::text FROM "AspNetUsers"
              UNION ALL SELECT xmin::text FROM "AspNetUserClaims"
              UNION ALL SELECT xmin::text FROM shopify_customer_links
              UNION ALL SELECT xmin::text FROM shopify_sync_log) AS written
            """);
        Assert.Equal(1, transactions);
    }

    [PostgresFact]
    public async Task A_batch_of_new_customers_is_written_by_a_few_prepared_statements_run_once_per_table_and_run()
    {
        var (prepared, _, _) = await ApplyOnOnePreparingConnectionAsync(customers: 30, "prepared", new Dictionary<string, string?>());

        long Executions(string start) => prepared.Where(p => p.Statement.StartsWith(start, StringComparison.Ordinal)).Sum(p => p.Generic + p.Custom);

        // One claim takes the 30 stored items: 90 claims (names and Shopify id) in runs of 64, 16, 4, 4, 1 and 1 rows,
        // 30 users, links and log rows in runs of 16, 4, 4, 4, 1 and 1 (one row per statement would be 90 and 30
        // executions); the 30 outcomes one statement.
        Assert.InRange(Executions("INSERT INTO \"AspNetUserClaims\""), 1, 8);
        Assert.InRange(Executions("INSERT INTO \"AspNetUsers\""), 1, 8);
        Assert.InRange(Executions("INSERT INTO shopify_customer_links"), 1, 8);
        Assert.InRange(Executions("INSERT INTO shopify_sync_log"), 1, 8);
        Assert.InRange(Executions("UPDATE shopify_work_items AS w SET status = 2"), 1, 2);
        Assert.Equal(0, Executions("UPDATE shopify_work_items SET status = 2"));
    }

    [PostgresFact]
    public async Task On_a_new_database_each_batch_looks_its_emails_up_with_a_plan_for_its_own_values()
    {
        // Claims of 5: eight batches. The server plans a prepared statement once for any values after five runs; made
        // while the user table is nearly empty (never analyzed), that plan reads the whole table once it has grown.
        var (prepared, planning, diagnostics) = await ApplyOnOnePreparingConnectionAsync(
            customers: 40,
            "plans",
            new Dictionary<string, string?> { ["Shopify:Queue:BatchSize"] = "5", ["Shopify:Queue:Concurrency"] = "1" });

        // Each batch looks its new customers' emails up twice (which are taken; which are free for the validators):
        // every run was planned for its values, and afterwards the connection plans (and scans) as the server is configured to.
        // Fewer runs, or none, would mean batches worked one by one, or statements prepared on another physical
        // connection than the one read here: the connection's statements and their runs, the database's sessions and
        // the node's warnings (a batch that could not begin or be worked at once says why) tell which.
        var lookUps = prepared.Where(p => p.Statement.Contains("\"NormalizedEmail\" = ANY", StringComparison.Ordinal)).ToList();
        Assert.True(lookUps.Count == 1, $"{lookUps.Count} email look-ups were prepared on the connection read (1 expected).{Environment.NewLine}{diagnostics}");
        var emails = lookUps[0];
        Assert.Equal(0, emails.Generic);
        Assert.True(emails.Custom is >= 12 and <= 1_000, $"The email look-up ran {emails.Custom} times on the connection read (12 to 1,000 expected).{Environment.NewLine}{diagnostics}");
        Assert.Equal("plan_cache_mode auto, enable_seqscan on", planning);

        // The batches' writes keep their prepared plans: the outcomes of each claim of 5, the same statement each time,
        // run with the plan made for any values once the server has chosen it (after five runs): six runs show it.
        var outcomes = Assert.Single(prepared, p => p.Statement.StartsWith("UPDATE shopify_work_items AS w SET status = 2", StringComparison.Ordinal) && p.Generic + p.Custom >= 6);
        Assert.True(outcomes.Generic > 0, $"the outcomes' statement was planned for its values at each of its {outcomes.Custom} runs");
    }

    /// <summary>
    /// Stores <paramref name="customers"/> new customers' deliveries with the workers off, then has a node with
    /// <paramref name="settings"/> apply them on one pooled sync connection that prepares every statement at its first
    /// use: every statement of the batches runs on it, and the server's list of the statements prepared on it (with how
    /// often each ran with a plan for any values and with one for its values) and its <c>plan_cache_mode</c> and <c>enable_seqscan</c> are read on
    /// it afterwards; with them, for a failure to show, that list, the database's sessions and what the node logged at
    /// warning level and above.
    /// </summary>
    private static async Task<(List<(string Statement, long Generic, long Custom)> Prepared, string Planning, string Diagnostics)> ApplyOnOnePreparingConnectionAsync(
        int customers, string prefix, Dictionary<string, string?> settings)
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var folder = SyncSite.NewFolder();
        var burst = CustomerBurst.Generate(new ShopifyWebhookSigner(SyncSite.ShopDomain, SyncSite.WebhookSecret), customers, versions: 1, prefix);
        await using (var receiving = await SyncSite.StartAsync(Options(database, folder, workers: false)))
        {
            var results = await DeliverySender.SendAsync(receiving.Http, burst.Deliveries, senders: 4, CancellationToken.None);
            Assert.All(results, r => Assert.True(r.Acknowledged, $"{r.Delivery.WebhookId}: {r.StatusCode} {r.Error}"));
        }

        var sync = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 1, MaxAutoPrepare = 100, AutoPrepareMinUsages = 1 }.ConnectionString;
        settings["Shopify:Queue:WorkersEnabled"] = "true";
        settings["Shopify:Queue:InboundWorkers"] = "1";
        settings["Shopify:Storage:ConnectionString"] = sync;
        var logs = new FakeLogCollector();
        var options = new SyncSiteOptions { Folder = folder, PostgresConnectionString = database.ConnectionString, Settings = settings, Logs = logs };
        List<(string Statement, long Generic, long Custom)> prepared = [];
        await using var applying = await SyncSite.StartAsync(options, createIdentitySchema: false);
        await SyncSite.EventuallyAsync(async () => await applying.State.UnfinishedInboundAsync() == 0, "the node has applied the deliveries", TimeSpan.FromSeconds(60));
        Assert.Equal(customers, (await applying.State.UsersAsync()).Count);
        Assert.Equal(burst.Final.Keys.Order(), (await applying.State.LinksAsync()).Select(l => l.CustomerId).Order());
        Assert.All(await applying.State.WorkItemsAsync(), i => Assert.Equal((WorkItemRow.Succeeded, "created"), (i.Status, i.Outcome)));

        await using var connection = new NpgsqlConnection(SyncDatabase.PostgresConnectionString(sync));
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                prepared.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
            }
        }

        var sessions = new List<string>();
        await using (var command = new NpgsqlCommand("SELECT pid, pid = pg_backend_pid(), backend_start, state, left(query, 80) FROM pg_stat_activity WHERE datname = current_database() ORDER BY backend_start", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                sessions.Add($"  {reader.GetInt32(0)}{(reader.GetBoolean(1) ? " (the connection read)" : "")} since {reader.GetDateTime(2):HH:mm:ss.fff}, {(reader.IsDBNull(3) ? "-" : reader.GetString(3))}: {(reader.IsDBNull(4) ? "" : reader.GetString(4).ReplaceLineEndings(" "))}");
            }
        }

        await using var mode = new NpgsqlCommand("SELECT 'plan_cache_mode ' || current_setting('plan_cache_mode') || ', enable_seqscan ' || current_setting('enable_seqscan')", connection);
        var planning = (string)(await mode.ExecuteScalarAsync())!;
        var warnings = logs.GetSnapshot()
            .Where(r => r.Level >= LogLevel.Warning)
            .Select(r => $"  {r.Timestamp:HH:mm:ss.fff} {r.Level} {r.Category}: {r.Message}{(r.Exception is null ? "" : $" ({r.Exception.GetType().Name}: {r.Exception.Message})")}")
            .ToList();
        var diagnostics = $"The connection's prepared statements (runs with a plan for any values / for their values):{Environment.NewLine}"
            + string.Join(Environment.NewLine, prepared.Select(p => $"  {p.Generic} / {p.Custom}: {p.Statement[..Math.Min(p.Statement.Length, 120)].ReplaceLineEndings(" ")}"))
            + $"{Environment.NewLine}The database's sessions:{Environment.NewLine}{string.Join(Environment.NewLine, sessions)}"
            + $"{Environment.NewLine}The node's warnings and errors ({warnings.Count}):{Environment.NewLine}{string.Join(Environment.NewLine, warnings)}";
        return (prepared, planning, diagnostics);
    }

    [PostgresFact]
    public async Task While_the_user_table_has_no_statistics_each_batch_finds_its_emails_and_phones_by_index()
    {
        // A new site's first bulk import, or its first minute: the user table has grown but has not been analyzed
        // (automatic analysis is turned off here so that it cannot happen during the run). Without statistics the
        // server guesses that each email of a batch matches a share of the table, and a batch's look-ups would read the
        // whole user table, as many times as there are batches.
        const int Customers = 3_000;
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var folder = SyncSite.NewFolder();
        var burst = CustomerBurst.Generate(new ShopifyWebhookSigner(SyncSite.ShopDomain, SyncSite.WebhookSecret), Customers, versions: 1, prefix: "scan");
        await using (var receiving = await SyncSite.StartAsync(Options(database, folder, workers: false)))
        {
            var results = await DeliverySender.SendAsync(receiving.Http, burst.Deliveries, senders: 8, CancellationToken.None);
            Assert.All(results, r => Assert.True(r.Acknowledged, $"{r.Delivery.WebhookId}: {r.StatusCode} {r.Error}"));
        }

        await ScalarAsync(database.ConnectionString, "ALTER TABLE \"AspNetUsers\" SET (autovacuum_enabled = false); SELECT 0");
        var logs = new FakeLogCollector();
        await using (var applying = await SyncSite.StartAsync(Options(database, folder, workers: true) with { Logs = logs }, createIdentitySchema: false))
        {
            await SyncSite.EventuallyAsync(async () => await applying.State.UnfinishedInboundAsync() == 0, "the node has applied the deliveries", TimeSpan.FromSeconds(60));
        }

        Assert.Empty(logs.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).Select(r => $"{r.Level} {r.Category}: {r.Message} {r.Exception}"));

        // The node's sessions report their counts as they end.
        NpgsqlConnection.ClearAllPools();
        await SyncSite.EventuallyAsync(
            async () => await ScalarAsync(database.ConnectionString, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()") == 0,
            "the node's sessions have ended",
            TimeSpan.FromSeconds(30));
        var scanned = await ScalarAsync(database.ConnectionString, "SELECT seq_tup_read FROM pg_stat_user_tables WHERE relname = 'AspNetUsers'");
        var analyzed = await ScalarAsync(database.ConnectionString, "SELECT analyze_count + autoanalyze_count FROM pg_stat_user_tables WHERE relname = 'AspNetUsers'");
        Assert.Equal(0, analyzed);
        Assert.True(scanned < Customers, $"sequential scans read {scanned} rows of the user table while its {Customers} users were created");

        await using var site = await SyncSite.StartAsync(Options(database, folder, workers: false), createIdentitySchema: false);
        Assert.All(await site.State.WorkItemsAsync(), i => Assert.Equal((WorkItemRow.Succeeded, "created"), (i.Status, i.Outcome)));
        Assert.Equal(Customers, (await site.State.UsersAsync()).Count);
        Assert.Equal(burst.Final.Keys.Order(), (await site.State.LinksAsync()).Select(l => l.CustomerId).Order());
    }

    [PostgresFact]
    public async Task A_customer_locked_by_a_batch_stays_locked_for_other_flows_until_the_batch_commits()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        await using var site = await SyncSite.StartAsync(Options(database, SyncSite.NewFolder(), workers: false));
        var locks = Assert.IsType<PostgresSyncLock>(site.Services.GetRequiredService<ISyncLock>());
        var key = SyncLockKeys.Customer(SyncSite.Store, CustomerBurst.FirstCustomerId);

        // The batch takes its customers' locks as it begins (in its transaction, before anything is written).
        var batch = await WorkBatch.TryBeginAsync(site.Services.GetRequiredService<SyncDatabase>(), site.Services.GetRequiredService<IUserDirectory>(), locks, [key], CancellationToken.None);
        Assert.NotNull(batch);
        Task<IAsyncDisposable> waiting;
        await using (batch)
        {
            batch.Enter();
            try
            {
                // The applier finds the lock held; asked for again in the batch's transaction it is given at once.
                Assert.True(HeldSyncLocks.Holds(key));
                await (await locks.AcquireAsync(key, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10))).DisposeAsync();
            }
            finally
            {
                WorkBatch.Leave();
            }

            // Another flow (a push, a reconciliation, another node) asking for the same customer waits for the commit.
            using (ExecutionContext.SuppressFlow())
            {
                waiting = Task.Run(async () => await locks.AcquireAsync(key, CancellationToken.None));
            }

            await Task.Delay(500);
            Assert.False(waiting.IsCompleted, "another flow took the customer's lock before the batch holding its writes committed");
            await batch.CommitAsync(CancellationToken.None);
        }

        await using (await waiting.WaitAsync(TimeSpan.FromSeconds(30)))
        {
        }
    }

    private static SyncSiteOptions Options(ScratchPostgresDatabase database, string folder, bool workers) => new()
    {
        Folder = folder,
        PostgresConnectionString = database.ConnectionString,
        // One inbound worker (the default, stated): these tests follow one claim's transaction, which a second worker would split.
        Settings = new Dictionary<string, string?> { ["Shopify:Queue:WorkersEnabled"] = workers ? "true" : "false", ["Shopify:Queue:InboundWorkers"] = "1" },
    };

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
