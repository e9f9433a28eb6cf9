using OrchardShopify.Core.Customers;

namespace OrchardShopify.Core.Ports;

/// <summary>
/// Optional capability of an <see cref="IUserDirectory"/>: look up and create many users at once, so a run of
/// customers new to the site is applied with a few statements instead of several per customer
/// (<see cref="Sync.InboundCustomerSync.ApplyNewCustomersAsync"/>). Whatever the directory declines is applied one
/// by one through <see cref="IUserDirectory"/>.
/// </summary>
public interface IBulkUserDirectory
{
    /// <summary>
    /// Which of <paramref name="emails"/> (trimmed; matched as <see cref="IUserDirectory.FindByEmailAsync"/> matches) and
    /// of the E.164 <paramref name="phones"/> belong to a user, returned as given.
    /// </summary>
    /// <returns>Null when the directory cannot answer in bulk (then nothing is applied in bulk).</returns>
    Task<TakenContacts?> FindTakenAsync(IReadOnlyCollection<string> emails, IReadOnlyCollection<string> phones, CancellationToken cancellationToken);

    /// <summary>
    /// Creates one user without a password per entry, with its Shopify id stored as
    /// <see cref="IUserDirectory.SetShopifyIdAsync"/> stores it. All created users are written together: when the
    /// write fails the method throws and none of them exists.
    /// </summary>
    /// <returns>
    /// Per entry, the created user, or null when this entry was not created (the host's validation refused it; it is
    /// then applied one by one, which reports why). Null overall when the directory cannot create in bulk.
    /// </returns>
    Task<IReadOnlyList<SyncUser?>?> CreateLinkedAsync(IReadOnlyList<NewLinkedUser> users, CancellationToken cancellationToken);
}

/// <summary>Emails and phones that already belong to users.</summary>
public sealed record TakenContacts(IReadOnlySet<string> Emails, IReadOnlySet<string> Phones);

/// <param name="StoreHandle">The store whose id is stored: null for <c>shopify_id</c>, else <c>shopify_ids[StoreHandle]</c>.</param>
/// <param name="EmailConfirmed">Whether the new user's email counts as confirmed (<see cref="IUserDirectory.CreateAsync"/>).</param>
public sealed record NewLinkedUser(CustomerProfile Profile, string? StoreHandle, long CustomerId, bool EmailConfirmed = false);

/// <summary>Optional capability of an <see cref="ICustomerLinkStore"/>: look up and add many links at once.</summary>
public interface IBulkCustomerLinkStore
{
    /// <summary>Which of the customers of the store are linked or deleted (<see cref="ICustomerLinkStore.MarkDeletedAsync"/>): those are left to the one-by-one rules.</summary>
    Task<IReadOnlySet<long>> FindLinkedAsync(string storeHandle, IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken);

    /// <summary>
    /// Adds links whose customers were found unlinked under the customers' sync locks and whose users were just
    /// created. Throws (adding none) when one of them exists after all.
    /// </summary>
    Task AddNewAsync(IReadOnlyList<CustomerLink> links, CancellationToken cancellationToken);
}

/// <summary>Optional capability of an <see cref="ISyncLog"/>: record many entries in one write.</summary>
public interface IBulkSyncLog
{
    ValueTask RecordManyAsync(IReadOnlyList<SyncLogEntry> entries, CancellationToken cancellationToken);
}
