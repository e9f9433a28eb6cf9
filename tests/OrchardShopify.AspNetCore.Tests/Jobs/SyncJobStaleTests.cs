using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Tests.Support;

namespace OrchardShopify.AspNetCore.Tests.Jobs;

/// <summary>A running job whose heartbeat could not be stored.</summary>
public sealed class SyncJobStaleTests
{
    [Fact]
    public async Task A_job_running_here_whose_heartbeat_is_stale_keeps_the_store_busy_on_its_node_and_reads_as_interrupted_on_another()
    {
        await using var scratch = new ScratchSqliteDatabase();
        await using var here = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={scratch.File}");
        await using var other = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={scratch.File}");
        await here.StartAsync(workers: false);
        await other.StartAsync(workers: false);
        var jobs = here.Get<SyncJobHost>();

        // No heartbeat is stored while the job runs (as when the database stays busy or unreachable for a while).
        jobs.HeartbeatInterval = TimeSpan.FromHours(1);
        jobs.StaleAfter = TimeSpan.FromMilliseconds(500);
        var first = new WaitingJob();
        var id = await jobs.StartAsync("import", "uk", null, first, CancellationToken.None);
        await first.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(1));

        // On its node the job still runs: a second import of the store is refused, and the first reads as running.
        var second = new WaitingJob();
        var refused = await Assert.ThrowsAsync<SyncJobConflictException>(() => jobs.StartAsync("import", "uk", null, second, CancellationToken.None));
        Assert.Equal(id, refused.RunningJobId);
        Assert.False(second.Started.Task.IsCompleted);
        Assert.Equal(SyncJobStatus.Running, (await jobs.GetAsync(id, CancellationToken.None))!.Status);

        // Another node cannot tell a node that stopped from one whose heartbeat was not stored: it takes the job as
        // interrupted once its heartbeat is a minute (here half a second) old.
        var elsewhere = other.Get<SyncJobHost>();
        elsewhere.StaleAfter = TimeSpan.FromMilliseconds(500);
        Assert.Equal(SyncJobStatus.Interrupted, (await elsewhere.GetAsync(id, CancellationToken.None))!.Status);

        first.Finish.SetResult();
        await jobs.WaitAsync(id);
        await here.StopAsync();
        await other.StopAsync();
    }

    /// <summary>Runs until told to finish.</summary>
    private sealed class WaitingJob : ISyncJob
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Finish { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public object Snapshot() => new { started = Started.Task.IsCompleted };

        public async Task<object> RunAsync(CancellationToken cancellationToken)
        {
            Started.SetResult();
            await Finish.Task.WaitAsync(cancellationToken);
            return Snapshot();
        }
    }
}
