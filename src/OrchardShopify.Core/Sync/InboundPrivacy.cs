using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// The deliveries that take data away or ask about it: <c>customers/delete</c> (unlink), <c>customers/redact</c>,
/// <c>shop/redact</c> and <c>customers/data_request</c>. Site users always stay; only the sync's own records go.
/// </summary>
internal sealed class InboundPrivacy(
    StoreRegistry stores,
    IUserDirectory users,
    ICustomerLinkStore links,
    ISyncLog log,
    TimeProvider time,
    ISyncLock customerLocks,
    TagRoleSync roles)
{
    /// <summary>customers/delete: forget this store's link and remember the deletion; the user stays, and other stores' links stay.</summary>
    public async Task<InboundResult> UnlinkAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
    {
        await using var held = await customerLocks.AcquireUnlessHeldAsync(SyncLockKeys.Customer(store.Handle, customerId), cancellationToken);

        // Remembered even when nothing is linked yet: the customer's create may still be on its way. With the linked user,
        // so that an ordinary save of the user does not create or match a customer again (the outbound job checks it).
        var link = await links.FindByCustomerAsync(store.Handle, customerId, cancellationToken);
        await links.MarkDeletedAsync(store.Handle, customerId, link?.UserId, time.GetUtcNow(), cancellationToken);
        if (link is null)
        {
            return new InboundResult(InboundOutcome.Skipped, CustomerId: customerId, Detail: "No user is linked to this customer.") { Reason = InboundSkipReasons.NotLinked };
        }

        await links.RemoveAsync(store.Handle, customerId, cancellationToken);
        using (EchoRules.SyncWrite())
        {
            if (await users.FindByIdAsync(link.UserId, cancellationToken) is not null)
            {
                await users.SetShopifyIdAsync(link.UserId, stores.MultiStore ? store.Handle : null, null, cancellationToken);
            }
        }

        // The roles this customer's tags granted go with the link (those another store's link still grants stay).
        await roles.ApplyAsync(link.UserId, stores.Options, cancellationToken);
        return new InboundResult(InboundOutcome.Unlinked, link.UserId, customerId);
    }

    /// <summary>customers/redact: unlink, and erase what the sync stored about the customer (link memory, log entries).</summary>
    public async Task<InboundResult> RedactAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
    {
        var unlinked = await UnlinkAsync(store, customerId, cancellationToken);
        await log.EraseCustomerAsync(store.Handle, customerId, cancellationToken);
        return new InboundResult(InboundOutcome.Redacted, unlinked.UserId, customerId, "Link and sync records erased; the site user remains.");
    }

    /// <summary>shop/redact (48 hours after uninstall): every link of the store and its log go; the users stay.</summary>
    /// <exception cref="CustomerPayloadException">The payload names another shop than the one the delivery came from.</exception>
    public async Task<InboundResult> RedactShopAsync(ShopifyStore store, ShopRedactPayload payload, CancellationToken cancellationToken)
    {
        if (payload.ShopDomain is not null && !string.Equals(payload.ShopDomain.Trim(), store.ShopDomain, StringComparison.OrdinalIgnoreCase))
        {
            throw new CustomerPayloadException("shop_domain", $"is '{payload.ShopDomain}' but the delivery came from '{store.ShopDomain}'.");
        }

        var removed = await links.RemoveStoreAsync(store.Handle, cancellationToken);
        using (EchoRules.SyncWrite())
        {
            foreach (var link in removed)
            {
                if (await users.FindByIdAsync(link.UserId, cancellationToken) is not null)
                {
                    await users.SetShopifyIdAsync(link.UserId, stores.MultiStore ? store.Handle : null, null, cancellationToken);
                }
            }
        }

        foreach (var userId in removed.Select(l => l.UserId).Distinct(StringComparer.Ordinal))
        {
            await roles.ApplyAsync(userId, stores.Options, cancellationToken);
        }

        await log.EraseStoreAsync(store.Handle, cancellationToken);
        return new InboundResult(InboundOutcome.Redacted, Detail: $"Shop data erased: {removed.Count} links removed; the site users remain.");
    }

    /// <summary>customers/data_request: says what the sync holds about the customer (its link and sync log); changes nothing.</summary>
    public async Task<InboundResult> DescribeHeldDataAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
    {
        var link = await links.FindByCustomerAsync(store.Handle, customerId, cancellationToken);
        return new InboundResult(InboundOutcome.Ignored, link?.UserId, customerId,
            link is null ? "Data request: the sync holds no data for this customer." : $"Data request: linked to user {link.UserId} since {link.LinkedAt:O}; the sync holds the link and its sync log.");
    }
}
