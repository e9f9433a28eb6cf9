using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Tests.Jobs;

/// <summary>Canceling a job that keeps the SQLite database busy.</summary>
public sealed class SyncJobCancelTests
{
    [Fact]
    public async Task A_job_holding_the_sqlite_write_lock_is_stopped_by_a_cancel_on_its_node_and_is_stored_as_canceled()
    {
        // An import writes batch after batch; here the job holds the write lock until it is canceled (or 15 s have
        // passed). A cancel that stored its request before stopping the job would wait for the lock, and get it only
        // once the job had finished: too late to cancel anything.
        await using var scratch = new ScratchSqliteDatabase();
        await using var node = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={scratch.File}", configure: s => s["Shopify:Storage:SqliteBusyTimeout"] = "00:00:30");
        await node.StartAsync(workers: false);
        var jobs = node.Get<SyncJobHost>();
        var job = new LockHoldingJob(node.Get<SyncDatabase>());

        var id = await jobs.StartAsync("import", "uk", null, job, CancellationToken.None);
        await job.Holding.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var accepted = await jobs.CancelAsync(id, CancellationToken.None);
        await jobs.WaitAsync(id);

        Assert.True(accepted);
        Assert.False(job.Finished);
        var stored = await jobs.GetAsync(id, CancellationToken.None);
        Assert.Equal((SyncJobStatus.Canceled, "Canceled."), (stored!.Status, stored.Error));
        Assert.False(await jobs.CancelAsync(id, CancellationToken.None));
        await node.StopAsync();
    }

    /// <summary>Holds the database's write lock in a transaction until canceled, or commits after 15 s.</summary>
    private sealed class LockHoldingJob(SyncDatabase database) : ISyncJob
    {
        public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Finished { get; private set; }

        public object Snapshot() => new { finished = Finished };

        public async Task<object> RunAsync(CancellationToken cancellationToken)
        {
            await using var db = await database.OpenAsync(cancellationToken);
            // Microsoft.Data.Sqlite begins IMMEDIATE transactions: the write lock is taken here.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            Holding.SetResult();
            await Task.Delay(TimeSpan.FromSeconds(15), cancellationToken);
            await transaction.CommitAsync(CancellationToken.None);
            Finished = true;
            return Snapshot();
        }
    }
}
