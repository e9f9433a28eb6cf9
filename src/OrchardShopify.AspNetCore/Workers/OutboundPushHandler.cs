using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>Runs the configured <see cref="IShopifyUserUpdateJob"/> for one queued push.</summary>
internal sealed class OutboundPushHandler(IServiceScopeFactory scopes, TimeProvider time, CustomerViewCache cache, ShopifySyncEventDispatcher events) : IWorkItemHandler
{
    public WorkKind Kind => WorkKind.OutboundPush;

    public async Task<WorkResult> HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        var userId = item.UserId ?? throw new PermanentWorkException("The push names no user.");
        await using var scope = scopes.CreateAsyncScope();
        var job = scope.ServiceProvider.GetRequiredService<IShopifyUserUpdateJob>();
        var result = await job.RunAsync(new OutboundPush(userId, item.StoreHandle, time.GetUtcNow(), Deliberate: item.Topic == DurableOutboundQueue.SendTopic), cancellationToken);
        if (result.CustomerId is { } customerId)
        {
            cache.Invalidate(item.StoreHandle, customerId);
        }

        // Raised once the worker has stored the item's outcome; a failure that is retried raises nothing until it is final.
        ShopifySyncEventKind? kind = result.Outcome switch
        {
            OutboundOutcome.Updated or OutboundOutcome.Linked or OutboundOutcome.Created => ShopifySyncEventKind.Pushed,
            OutboundOutcome.Rejected or OutboundOutcome.ValidationFailed => ShopifySyncEventKind.PushFailed,
            _ => null,
        };
        if (kind is { } raised)
        {
            await events.RaiseAsync(
                new ShopifySyncEvent(raised, item.StoreHandle, result.CustomerId, userId, result.Changed, null, time.GetUtcNow())
                {
                    Detail = raised == ShopifySyncEventKind.PushFailed ? result.Detail : null,
                },
                cancellationToken);
        }

        return new WorkResult(result.Outcome.ToString().ToLowerInvariant(), result.CustomerId, userId);
    }

    public bool IsPermanent(Exception exception) => exception is PermanentWorkException or ShopifyApiException { IsTransient: false };

    /// <summary>A push names a user; its customer is only known once it has been worked.</summary>
    public long? CustomerOf(WorkItem item) => item.CustomerId;
}
