using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>Applies one stored delivery with the engine and drops the customer's cached Shopify data.</summary>
internal sealed class InboundDeliveryHandler(StoreRegistry stores, InboundCustomerSync inbound, CustomerViewCache cache) : IWorkItemHandler
{
    public WorkKind Kind => WorkKind.InboundDelivery;

    public async Task<WorkResult> HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        var store = stores.FindByHandle(item.StoreHandle)
            ?? throw new PermanentWorkException($"Store '{item.StoreHandle}' is no longer configured or is disabled.");
        var body = item.Body ?? throw new PermanentWorkException("The delivery's body was erased.");
        var delivery = new WebhookDelivery(item.Topic, store, item.DedupKey ?? $"item-{item.Id}", item.EventId, UnixTime.To(item.TriggeredAt), item.ApiVersion, body);

        var result = await inbound.ApplyAsync(delivery, cancellationToken);
        if (result.CustomerId is { } customerId)
        {
            cache.Invalidate(store.Handle, customerId);
        }

        return new WorkResult(InboundResult.OutcomeName(result.Outcome), result.CustomerId, result.UserId);
    }

    public bool IsPermanent(Exception exception) => exception is CustomerPayloadException or PermanentWorkException or ShopifyUserErrorException;
}
