using OrchardShopify.Core.Customers;

namespace OrchardShopify.Core.Ports;

/// <summary>
/// (store, Shopify customer id) ⇄ user id, with what was last applied and sent. Look-ups both ways
/// are indexed; (store, customer) and (store, user) are each unique.
/// </summary>
public interface ICustomerLinkStore
{
    Task<CustomerLink?> FindByCustomerAsync(string storeHandle, long customerId, CancellationToken cancellationToken);

    Task<IReadOnlyList<CustomerLink>> FindByUserAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Inserts the link unless (store, customer) or (store, user) is already linked; then returns the
    /// existing link that won, so concurrent linkers converge on one.
    /// </summary>
    Task<LinkAttempt> TryAddAsync(CustomerLink link, CancellationToken cancellationToken);

    /// <summary>Replaces the stored link for (store, customer).</summary>
    Task UpdateAsync(CustomerLink link, CancellationToken cancellationToken);

    Task<bool> RemoveAsync(string storeHandle, long customerId, CancellationToken cancellationToken);

    /// <summary>Removes every link of a store (<c>shop/redact</c>), and its deleted customers, and returns the links removed.</summary>
    Task<IReadOnlyList<CustomerLink>> RemoveStoreAsync(string storeHandle, CancellationToken cancellationToken);

    /// <summary>
    /// Remembers that Shopify deleted the customer (<c>customers/delete</c>, <c>customers/redact</c>), so a delivery of
    /// it that arrives afterwards (Shopify retries for hours and does not keep order) links no user. Shopify never
    /// reuses a customer id. Remembering again keeps the first time.
    /// </summary>
    /// <param name="userId">
    /// The user the customer was linked to, or null. Remembered per user until <see cref="ForgetDeletedForUserAsync"/>, so an
    /// ordinary save of that user does not create or match a customer again (<see cref="FindDeletedForUserAsync"/>).
    /// </param>
    Task MarkDeletedAsync(string storeHandle, long customerId, string? userId, DateTimeOffset deletedAt, CancellationToken cancellationToken);

    /// <summary>When the customer's deletion was recorded (<see cref="MarkDeletedAsync"/>), or null.</summary>
    Task<DateTimeOffset?> FindDeletedAsync(string storeHandle, long customerId, CancellationToken cancellationToken);

    /// <summary>The user's customer in the store that Shopify deleted or redacted, while remembered for the user; else null.</summary>
    Task<DeletedCustomer?> FindDeletedForUserAsync(string storeHandle, string userId, CancellationToken cancellationToken);

    /// <summary>Forgets that Shopify deleted the user's customers in the store (a deliberate send linked the user again).</summary>
    Task ForgetDeletedForUserAsync(string storeHandle, string userId, CancellationToken cancellationToken);
}

/// <summary>One link and the sync's memory of it.</summary>
/// <param name="AppliedUpdatedAt">Shopify's <c>updated_at</c> of the newest state applied or pushed.</param>
/// <param name="AppliedTriggeredAt">X-Shopify-Triggered-At of the delivery that set <paramref name="AppliedUpdatedAt"/>, for ties.</param>
/// <param name="SyncedProfile">The profile both sides agreed on last (after an inbound apply or an outbound push).</param>
public sealed record CustomerLink(
    string StoreHandle,
    long CustomerId,
    string UserId,
    DateTimeOffset LinkedAt,
    DateTimeOffset? AppliedUpdatedAt = null,
    DateTimeOffset? AppliedTriggeredAt = null,
    CustomerProfile? SyncedProfile = null)
{
    /// <summary>
    /// The customer's commerce signals in this store as Shopify last reported them (never sent to Shopify); null until a
    /// webhook, catch-up, import or reconciliation carried them.
    /// </summary>
    public CustomerSignals? Signals { get; init; }
}

public sealed record LinkAttempt(bool Added, CustomerLink Link);

/// <summary>A customer Shopify deleted or redacted, and when that was recorded.</summary>
public sealed record DeletedCustomer(string StoreHandle, long CustomerId, DateTimeOffset DeletedAt);
