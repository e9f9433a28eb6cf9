using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Settings;
using OrchardShopify.AspNetCore.Statistics;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Postgres;

/// <summary>Jobs, settings and statistics of two nodes sharing one database, on SQLite and on PostgreSQL.</summary>
public sealed class AdminOperationsAcrossNodesTests
{
    [Fact]
    public async Task On_sqlite_one_job_per_store_runs_across_nodes_and_settings_and_statistics_are_shared()
    {
        await using var scratch = new ScratchSqliteDatabase();
        await RunAsync(ShopifyStorageProvider.Sqlite, $"Data Source={scratch.File}");
    }

    [PostgresFact]
    public async Task On_postgres_one_job_per_store_runs_across_nodes_and_settings_and_statistics_are_shared()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        await RunAsync(ShopifyStorageProvider.PostgreSql, database.ConnectionString);
    }

    private static async Task RunAsync(ShopifyStorageProvider provider, string connectionString)
    {
        static void Fast(Dictionary<string, string?> s) => s["Shopify:Settings:RefreshInterval"] = "00:00:00.100";
        await using var first = new SyncNode(provider, connectionString, configure: Fast);
        await using var second = new SyncNode(provider, connectionString, configure: Fast);
        await first.StartAsync(workers: true);
        await second.StartAsync(workers: true);
        var firstJobs = first.Get<SyncJobHost>();
        var secondJobs = second.Get<SyncJobHost>();
        firstJobs.HeartbeatInterval = secondJobs.HeartbeatInterval = TimeSpan.FromMilliseconds(50);

        // A job on the first node holds the store: the second node cannot start one, but can cancel it.
        var running = await firstJobs.StartAsync("import", "uk", null, new WaitingJob(), CancellationToken.None);
        var conflict = await Assert.ThrowsAsync<SyncJobConflictException>(() => secondJobs.StartAsync("reconcile", "uk", null, new WaitingJob(), CancellationToken.None));
        Assert.Equal(running, conflict.RunningJobId);
        Assert.True(await secondJobs.CancelAsync(running, CancellationToken.None));
        await firstJobs.WaitAsync(running);
        Assert.Equal(SyncJobStatus.Canceled, (await secondJobs.GetAsync(running, CancellationToken.None))!.Status);
        var next = await secondJobs.StartAsync("reconcile", "uk", null, new WaitingJob(finishAtOnce: true), CancellationToken.None);
        await secondJobs.WaitAsync(next);
        Assert.Equal(SyncJobStatus.Succeeded, (await firstJobs.LatestAsync("uk", null, CancellationToken.None))!.Status);

        await first.Get<ShopifySettingsService>().SaveAsync(new Dictionary<string, string?> { ["CreateUsersFromShopify"] = "true" }, CancellationToken.None);
        await TestSite.EventuallyAsync(() => Task.FromResult(second.Stores.Options.CreateUsersFromShopify), "the other node applies the saved setting");

        await first.Get<EfSyncLog>().AppendAsync(new SyncLogRow { At = UnixTime.From(DateTimeOffset.UtcNow), StoreHandle = "uk", Direction = "inbound", Topic = "customers/update", Outcome = "failed" }, CancellationToken.None);
        var chart = await second.Get<DeliveryStatisticsService>().GetAsync(24, null, CancellationToken.None);
        Assert.Equal(1, Assert.Single(chart.Stores).Failures);

        await first.StopAsync();
        await second.StopAsync();
    }

    /// <summary>Runs until canceled, or finishes at once when told to.</summary>
    private sealed class WaitingJob(bool finishAtOnce = false) : ISyncJob
    {
        public object Snapshot() => new { waiting = true };

        public async Task<object> RunAsync(CancellationToken cancellationToken)
        {
            if (!finishAtOnce)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return new { done = true };
        }
    }
}
