namespace OrchardShopify.Core.Ports;

/// <summary>Where user changes wait to be pushed to Shopify. Durable in hosts; retried with backoff.</summary>
public interface IOutboundSyncQueue
{
    ValueTask EnqueueAsync(OutboundPush push, CancellationToken cancellationToken);
}

/// <summary>Push one user to one store.</summary>
public sealed record OutboundPush(string UserId, string StoreHandle, DateTimeOffset RequestedAt);
