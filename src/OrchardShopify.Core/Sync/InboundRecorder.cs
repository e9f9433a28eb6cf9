using Microsoft.Extensions.Logging;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// What follows a delivery's apply, one by one (<see cref="InboundCustomerSync"/>) or together
/// (<see cref="InboundNewCustomerBatch"/>): its sync log row, its log line, and its event to the site's handlers.
/// </summary>
internal sealed partial class InboundRecorder(ISyncLog log, TimeProvider time, ILogger logger, ShopifySyncEventDispatcher? events)
{
    /// <summary>Records and raises one delivery's result.</summary>
    public async Task RecordAsync(WebhookDelivery delivery, InboundResult result, CancellationToken cancellationToken)
    {
        await log.RecordAsync(EntryOf(delivery, result, time.GetUtcNow()), cancellationToken);
        Log.Applied(logger, delivery.Topic, delivery.Store.Handle, result.CustomerId, result.Outcome);
        await RaiseAsync(delivery, result, cancellationToken);
    }

    /// <summary>Records the deliveries applied together (in one call when the log can take many), then raises their events in order.</summary>
    public async Task RecordAllAsync(IReadOnlyList<(WebhookDelivery Delivery, InboundResult Result)> applied, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var entries = applied.Select(a => EntryOf(a.Delivery, a.Result, at)).ToList();
        if (log is IBulkSyncLog bulk)
        {
            await bulk.RecordManyAsync(entries, cancellationToken);
        }
        else
        {
            foreach (var entry in entries)
            {
                await log.RecordAsync(entry, cancellationToken);
            }
        }

        foreach (var (delivery, result) in applied)
        {
            Log.Applied(logger, delivery.Topic, delivery.Store.Handle, result.CustomerId, result.Outcome);
        }

        foreach (var (delivery, result) in applied)
        {
            await RaiseAsync(delivery, result, cancellationToken);
        }
    }

    /// <summary>The log line of a customer read from Shopify and applied; the sync log row is the caller's.</summary>
    public void StateApplied(InboundCustomerState state, InboundResult result)
        => Log.StateApplied(logger, state.CustomerId, state.Store.Handle, state.Source, result.Outcome);

    private static SyncLogEntry EntryOf(WebhookDelivery delivery, InboundResult result, DateTimeOffset at)
        => new(at, SyncDirection.Inbound, delivery.Store.Handle, delivery.Topic, result.CustomerId, result.UserId, InboundResult.OutcomeName(result.Outcome), result.Detail, delivery.WebhookId);

    /// <summary>
    /// Raises the applied outcome of a delivery (created, linked, updated, unlinked, redacted) to the site's handlers, once
    /// its writes are stored (the host may hold it until its transaction commits). Echoes, stale, unchanged, skipped and
    /// ignored deliveries raise nothing, so a duplicate delivery or Shopify's report of our own push raises no event.
    /// Imports and reconciliation (<see cref="InboundCustomerSync.ApplyCustomerStateAsync"/>) raise nothing either: they
    /// are an administrator's bulk operations, not a customer's action.
    /// </summary>
    private Task RaiseAsync(WebhookDelivery delivery, InboundResult result, CancellationToken cancellationToken)
    {
        ShopifySyncEventKind? kind = result.Outcome switch
        {
            InboundOutcome.Created => ShopifySyncEventKind.Created,
            InboundOutcome.Linked => ShopifySyncEventKind.Linked,
            InboundOutcome.Updated => ShopifySyncEventKind.Updated,
            InboundOutcome.Unlinked => ShopifySyncEventKind.Unlinked,
            InboundOutcome.Redacted => ShopifySyncEventKind.Redacted,
            _ => null,
        };
        if (events is null || kind is not { } raised)
        {
            return Task.CompletedTask;
        }

        return events.RaiseAsync(
            new ShopifySyncEvent(raised, delivery.Store.Handle, result.CustomerId, result.UserId, result.Changed, delivery.WebhookId, time.GetUtcNow()),
            cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Shopify {Topic} for store {Store}, customer {CustomerId}: {Outcome}")]
        public static partial void Applied(ILogger logger, string topic, string store, long? customerId, InboundOutcome outcome);

        [LoggerMessage(Level = LogLevel.Information, Message = "Shopify customer {CustomerId} of store {Store} read by {Source}: {Outcome}")]
        public static partial void StateApplied(ILogger logger, long customerId, string store, CustomerStateSource source, InboundOutcome outcome);
    }
}
