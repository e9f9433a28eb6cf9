namespace OrchardShopify.Core.Ports;

/// <summary>Records what the sync did with every delivery and push, for the admin and for audits.</summary>
public interface ISyncLog
{
    ValueTask RecordAsync(SyncLogEntry entry, CancellationToken cancellationToken);

    /// <summary>Removes what the log holds about one customer (GDPR redaction).</summary>
    ValueTask EraseCustomerAsync(string storeHandle, long customerId, CancellationToken cancellationToken);

    /// <summary>Removes what the log holds about a store's customers (<c>shop/redact</c>).</summary>
    ValueTask EraseStoreAsync(string storeHandle, CancellationToken cancellationToken);
}

public enum SyncDirection
{
    Inbound,
    Outbound,
}

/// <param name="Outcome">What happened, e.g. <c>created</c>, <c>linked</c>, <c>skipped</c>.</param>
/// <param name="Detail">Why, for skips and errors. Never holds secrets.</param>
public sealed record SyncLogEntry(
    DateTimeOffset At,
    SyncDirection Direction,
    string StoreHandle,
    string Topic,
    long? CustomerId,
    string? UserId,
    string Outcome,
    string? Detail = null,
    string? WebhookId = null);
