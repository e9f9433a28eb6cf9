using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Diagnostics;
using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>
/// Claims due items of one kind and hands them to the handler. On shutdown it stops claiming, and an
/// item interrupted half-way is released without counting the attempt.
/// </summary>
internal sealed partial class SyncWorker(
    IWorkItemHandler handler,
    WorkQueue queue,
    WorkSignals signals,
    EfSyncLog syncLog,
    ShopifySyncMetrics metrics,
    IOptionsMonitor<ShopifyHostOptions> options,
    TimeProvider time,
    ILogger<SyncWorker> logger) : BackgroundService
{
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{handler.Kind}/{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        Log.Started(logger, handler.Kind, Owner);
        while (!stoppingToken.IsCancellationRequested)
        {
            int claimed;
            try
            {
                claimed = await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The worker must outlive a database outage; it logs and tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.ClaimFailed(logger, ex, handler.Kind);
                claimed = 0;
            }

            if (claimed == 0)
            {
                try
                {
                    await signals.WaitAsync(handler.Kind, options.CurrentValue.Queue.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Claims one batch and works it.</summary>
    /// <returns>How many items were claimed.</returns>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var items = await queue.ClaimAsync(handler.Kind, Owner, options.CurrentValue.Queue.BatchSize, cancellationToken);
        foreach (var item in items)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                await queue.ReleaseAsync(item, Owner, CancellationToken.None);
                continue;
            }

            await ProcessAsync(item, cancellationToken);
        }

        return items.Count;
    }

    private async Task ProcessAsync(WorkItem item, CancellationToken cancellationToken)
    {
        try
        {
            var result = await handler.HandleAsync(item, cancellationToken);
            if (await queue.CompleteAsync(item, Owner, result.Outcome, result.CustomerId, result.UserId, CancellationToken.None))
            {
                metrics.Processed(handler.Kind, item.StoreHandle, item.Topic, result.Outcome, time.GetUtcNow() - UnixTime.To(item.ReceivedAt));
            }
            else
            {
                Log.LeaseLost(logger, handler.Kind, item.Id);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await queue.ReleaseAsync(item, Owner, CancellationToken.None);
        }
#pragma warning disable CA1031 // Every failure is recorded on the item and retried or dead-lettered.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var permanent = handler.IsPermanent(ex);
            var error = $"{ex.GetType().Name}: {ex.Message}";
            var status = await queue.FailAsync(item, Owner, error, permanent, CancellationToken.None);
            var deadLettered = status == WorkStatus.DeadLetter;
            metrics.Failed(handler.Kind, item.StoreHandle, item.Topic, deadLettered);
            Log.ItemFailed(logger, handler.Kind, item.Id, item.StoreHandle, item.Topic, item.Attempts, deadLettered, ex.GetType().Name);
            await syncLog.AppendAsync(
                new SyncLogRow
                {
                    At = UnixTime.From(time.GetUtcNow()),
                    Direction = handler.Kind == WorkKind.InboundDelivery ? "inbound" : "outbound",
                    StoreHandle = item.StoreHandle,
                    Topic = item.Topic,
                    CustomerId = item.CustomerId,
                    UserId = item.UserId,
                    Outcome = deadLettered ? "deadlettered" : "failed",
                    Detail = error.Length > 2000 ? error[..2000] : error,
                    WebhookId = item.DedupKey,
                    Attempt = item.Attempts,
                },
                CancellationToken.None);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Shopify {Kind} worker {Owner} started")]
        public static partial void Started(ILogger logger, WorkKind kind, string owner);

        [LoggerMessage(Level = LogLevel.Error, Message = "Shopify {Kind} worker could not claim work; trying again")]
        public static partial void ClaimFailed(ILogger logger, Exception exception, WorkKind kind);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify {Kind} item {ItemId}: the lease expired before it finished; another worker owns it now")]
        public static partial void LeaseLost(ILogger logger, WorkKind kind, long itemId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify {Kind} item {ItemId} ({Store}, {Topic}) failed on attempt {Attempt} ({Error}); dead-lettered: {DeadLettered}")]
        public static partial void ItemFailed(ILogger logger, WorkKind kind, long itemId, string store, string topic, int attempt, bool deadLettered, string error);
    }
}
