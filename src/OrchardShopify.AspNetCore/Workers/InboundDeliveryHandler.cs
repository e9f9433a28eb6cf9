using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>Applies stored deliveries with the engine and drops the customers' cached Shopify data.</summary>
internal sealed class InboundDeliveryHandler(StoreRegistry stores, InboundCustomerSync inbound, CustomerViewCache cache, SyncDatabase database) : IWorkItemHandler, IBulkWorkItemHandler
{
    public WorkKind Kind => WorkKind.InboundDelivery;

    public async Task<WorkResult> HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        var store = stores.FindByHandle(item.StoreHandle)
            ?? throw new PermanentWorkException($"Store '{item.StoreHandle}' is no longer configured or is disabled.");
        if (item.Body is not { } body)
        {
            // Only an erasure (customers/redact, shop/redact) removes a body: the data it carried must not come back.
            return new WorkResult(EfSyncLog.RedactedOutcome, item.CustomerId, item.UserId);
        }

        var delivery = new WebhookDelivery(item.Topic, store, item.DedupKey ?? $"item-{item.Id}", item.EventId, UnixTime.To(item.TriggeredAt), item.ApiVersion, body);

        var result = await inbound.ApplyAsync(delivery, cancellationToken);
        await DropBodyOfDeletedCustomerAsync(item, result, cancellationToken);

        // Topics the sync ignores (orders/…) still name a customer: recorded, so its erasure finds them, and its cached data goes.
        var customerId = result.CustomerId ?? CustomerPayloadParser.FindCustomerId(item.Topic, body);
        if (customerId is { } id)
        {
            cache.Invalidate(store.Handle, id);
        }

        return new WorkResult(InboundResult.OutcomeName(result.Outcome), customerId, result.UserId);
    }

    /// <summary>The run's deliveries of customers new to the site, applied at once (<see cref="InboundCustomerSync.ApplyNewCustomersAsync"/>).</summary>
    public async Task<IReadOnlyList<WorkResult?>> HandleBulkAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken)
    {
        var results = new WorkResult?[items.Count];
        var deliveries = new List<WebhookDelivery>(items.Count);
        var indexes = new List<int>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            // Items whose store or body is gone fail one by one, with their reason.
            var item = items[i];
            if (stores.FindByHandle(item.StoreHandle) is { } store && item.Body is { } body)
            {
                deliveries.Add(new WebhookDelivery(item.Topic, store, item.DedupKey ?? $"item-{item.Id}", item.EventId, UnixTime.To(item.TriggeredAt), item.ApiVersion, body));
                indexes.Add(i);
            }
        }

        var applied = await inbound.ApplyNewCustomersAsync(deliveries, cancellationToken);
        for (var j = 0; j < applied.Count; j++)
        {
            if (applied[j] is { CustomerId: { } customerId } result)
            {
                await DropBodyOfDeletedCustomerAsync(items[indexes[j]], result, cancellationToken);
                cache.Invalidate(deliveries[j].Store.Handle, customerId);
                results[indexes[j]] = new WorkResult(InboundResult.OutcomeName(result.Outcome), customerId, result.UserId);
            }
        }

        return results;
    }

    /// <summary>
    /// A delivery that arrives after Shopify deleted (or redacted) its customer is skipped, and its stored body – the
    /// deleted customer's data – goes with it, in the worker's transaction: a late retry does not bring the data back
    /// into the sync's storage.
    /// </summary>
    private async Task DropBodyOfDeletedCustomerAsync(WorkItem item, InboundResult result, CancellationToken cancellationToken)
    {
        if (result is { Outcome: InboundOutcome.Skipped, Reason: InboundSkipReasons.CustomerDeleted })
        {
            await using var unit = await database.JoinToWriteAsync(cancellationToken);
            await unit.Db.WorkItemBodies.Where(b => b.Id == item.Id).ExecuteDeleteAsync(cancellationToken);
        }
    }

    public bool IsPermanent(Exception exception) => exception is CustomerPayloadException or PermanentWorkException or ShopifyUserErrorException;

    public long? CustomerOf(WorkItem item) => item.Body is { } body ? CustomerPayloadParser.FindCustomerId(item.Topic, body) : null;
}
