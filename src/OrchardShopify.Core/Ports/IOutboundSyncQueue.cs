namespace OrchardShopify.Core.Ports;

/// <summary>Where user changes wait to be pushed to Shopify. Durable in hosts; retried with backoff.</summary>
public interface IOutboundSyncQueue
{
    ValueTask EnqueueAsync(OutboundPush push, CancellationToken cancellationToken);
}

/// <summary>Push one user to one store.</summary>
/// <param name="Deliberate">
/// An administrator asked for this push (Send to Shopify, the admin API's push, a reconciliation fix), not an ordinary
/// save of the user: it may create the user's customer again after Shopify deleted or redacted it.
/// </param>
public sealed record OutboundPush(string UserId, string StoreHandle, DateTimeOffset RequestedAt, bool Deliberate = false);
