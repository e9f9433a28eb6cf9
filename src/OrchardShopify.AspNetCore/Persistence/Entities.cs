namespace OrchardShopify.AspNetCore.Persistence;

internal enum WorkKind
{
    InboundDelivery = 1,
    OutboundPush = 2,
}

internal enum WorkStatus
{
    Pending = 0,
    Processing = 1,
    Succeeded = 2,
    DeadLetter = 3,
}

/// <summary>
/// One unit of durable work: a verified webhook delivery waiting to be applied, or a user push.
/// Times are UTC Unix milliseconds so claims compare plain integers on every provider.
/// </summary>
internal sealed class WorkItem
{
    public long Id { get; set; }

    public WorkKind Kind { get; set; }

    /// <summary>X-Shopify-Webhook-Id for deliveries (unique per kind); null for pushes.</summary>
    public string? DedupKey { get; set; }

    public required string StoreHandle { get; set; }

    public required string Topic { get; set; }

    public string? EventId { get; set; }

    public long? TriggeredAt { get; set; }

    public string? ApiVersion { get; set; }

    /// <summary>
    /// The delivery's payload: kept in <see cref="WorkItemBodyRow"/>'s table, not in this row, and filled in by a claim
    /// (<see cref="WorkQueue.ClaimAsync"/>). Null for pushes and once erased.
    /// </summary>
    public byte[]? Body { get; set; }

    public long? CustomerId { get; set; }

    public string? UserId { get; set; }

    public WorkStatus Status { get; set; }

    public int Attempts { get; set; }

    public long NextAttemptAt { get; set; }

    public string? LeaseOwner { get; set; }

    public long? LeaseExpiresAt { get; set; }

    public string? LastError { get; set; }

    public string? Outcome { get; set; }

    public long ReceivedAt { get; set; }

    public long? ProcessedAt { get; set; }
}

/// <summary>
/// A delivery's payload, in a table of its own (keyed by the work item's id, deleted with it). The work-item row, which
/// every claim, completion and retry rewrites, then holds only the item's state: on PostgreSQL a rewritten row is a new
/// row version, and a customer's payload (about 2 KB) is just small enough to be stored in the row rather than apart.
/// </summary>
internal sealed class WorkItemBodyRow
{
    public const string Table = "shopify_work_item_bodies";

    public long Id { get; set; }

    public required byte[] Body { get; set; }
}

internal sealed class CustomerLinkRow
{
    public required string StoreHandle { get; set; }

    public long CustomerId { get; set; }

    public required string UserId { get; set; }

    public long LinkedAt { get; set; }

    public long? AppliedUpdatedAt { get; set; }

    public long? AppliedTriggeredAt { get; set; }

    public bool HasSyncedProfile { get; set; }

    public string? SyncedFirstName { get; set; }

    public string? SyncedLastName { get; set; }

    public string? SyncedEmail { get; set; }

    public string? SyncedPhone { get; set; }

    /// <summary>The customer's commerce signals as JSON (<see cref="CustomerSignalsJson"/>), or null when none were read yet.</summary>
    public string? Signals { get; set; }
}

/// <summary>A customer Shopify deleted, remembered so a delivery of it that arrives late links no user.</summary>
internal sealed class DeletedCustomerRow
{
    public const string Table = "shopify_deleted_customers";

    public required string StoreHandle { get; set; }

    public long CustomerId { get; set; }

    public long DeletedAt { get; set; }

    /// <summary>The user the customer was linked to, until a deliberate send links the user again.</summary>
    public string? UserId { get; set; }
}

internal sealed class SyncLogRow
{
    public long Id { get; set; }

    public long At { get; set; }

    public string Direction { get; set; } = "";

    public required string StoreHandle { get; set; }

    public required string Topic { get; set; }

    public long? CustomerId { get; set; }

    public string? UserId { get; set; }

    public required string Outcome { get; set; }

    public string? Detail { get; set; }

    public string? WebhookId { get; set; }

    public int? Attempt { get; set; }
}

internal static class UnixTime
{
    public static long From(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    public static long? From(DateTimeOffset? value) => value?.ToUnixTimeMilliseconds();

    public static DateTimeOffset To(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    public static DateTimeOffset? To(long? value) => value is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(value.Value);
}
