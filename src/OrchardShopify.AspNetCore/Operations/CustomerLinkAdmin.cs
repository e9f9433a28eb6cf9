using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Operations;

/// <summary>
/// Manual link and unlink of a site user and a Shopify customer, from the customers page or the admin JSON.
/// <list type="bullet">
/// <item>Link reads the customer from Shopify (never a cache), and links only under the rules of automatic linking
/// (<see cref="CustomerMatching"/>): the user's email is confirmed (<c>Shopify:RequireVerifiedIdentity</c>) and equals the
/// customer's, ignoring case – unless the administrator ticks the override, which the sync log records with the
/// administrator's name. A customer linked to another user, or a user linked to another customer of the store, is
/// refused (unlink first). The user's <c>shopify_id</c> (or <c>shopify_ids[store]</c>) is set; Shopify fills only the
/// user's empty names and phone, as on an automatic link.</item>
/// <item>Unlink removes the link and the user's Shopify id for that store, and records it. The user and the Shopify
/// customer both stay, and so do the user's links to other stores.</item>
/// </list>
/// </summary>
public sealed class CustomerLinkAdmin
{
    /// <summary>Sync log topic of a manual link.</summary>
    public const string LinkTopic = "admin/link";

    /// <summary>Sync log topic of a manual unlink.</summary>
    public const string UnlinkTopic = "admin/unlink";

    private readonly StoreRegistry _stores;
    private readonly ICustomerLinkStore _links;
    private readonly IUserDirectory _users;
    private readonly IShopifyCustomerApi _shopify;
    private readonly ISyncLog _log;
    private readonly ISyncLock _locks;
    private readonly CustomerViewCache _cache;
    private readonly TimeProvider _time;
    private readonly InboundCustomerSync _inbound;

    internal CustomerLinkAdmin(StoreRegistry stores, ICustomerLinkStore links, IUserDirectory users, IShopifyCustomerApi shopify, ISyncLog log, ISyncLock locks, CustomerViewCache cache, TimeProvider time, InboundCustomerSync inbound)
    {
        _inbound = inbound;
        _stores = stores;
        _links = links;
        _users = users;
        _shopify = shopify;
        _log = log;
        _locks = locks;
        _cache = cache;
        _time = time;
    }

    /// <summary>Links the user to the store's customer.</summary>
    /// <param name="overrideVerification">
    /// Link although the user's email is not confirmed or differs from the customer's. Recorded in the sync log with
    /// <paramref name="adminName"/>; the other refusals stay.
    /// </param>
    /// <param name="adminName">Who asks, for the sync log.</param>
    /// <exception cref="AdminRequestException">Unknown store, no access token, or a missing user id or customer id.</exception>
    /// <exception cref="AdminNotFoundException"><c>unknown_user</c>, <c>unknown_customer</c> (Shopify has no such customer).</exception>
    /// <exception cref="AdminConflictException">
    /// <c>customer_linked</c> (to another user), <c>user_linked</c> (to another customer of the store), <c>unverified_email</c>,
    /// <c>email_mismatch</c>.
    /// </exception>
    /// <exception cref="ShopifyRefusedException">Shopify could not be read.</exception>
    public async Task<ManualLinkResult> LinkAsync(string? storeHandle, string? userId, long customerId, bool overrideVerification, string adminName, CancellationToken cancellationToken)
    {
        var store = _stores.Resolve(storeHandle);
        if (!store.CanCallAdminApi)
        {
            throw new AdminRequestException("no_access_token", $"Store '{store.Handle}' has no access token; set Shopify:Stores:{store.Handle}:AccessToken to read the customer before linking it.");
        }

        if (string.IsNullOrWhiteSpace(userId))
        {
            throw new AdminRequestException("missing_user", "Name the site user to link (userId).");
        }

        if (customerId <= 0)
        {
            throw new AdminRequestException("missing_customer", "Name the Shopify customer to link by its numeric id (customerId), e.g. 7407189868698.");
        }

        var admin = AdminName(adminName);
        var user = await _users.FindByIdAsync(userId, cancellationToken)
            ?? throw new AdminNotFoundException("unknown_user", $"User {userId} does not exist.");

        await using var held = await _locks.AcquireAsync(SyncLockKeys.Customer(store.Handle, customerId), cancellationToken);
        ShopifyCustomer? customer;
        try
        {
            customer = await _shopify.GetCustomerAsync(store, customerId, cancellationToken);
        }
        catch (ShopifyApiException failed)
        {
            throw new ShopifyRefusedException("shopify_error", $"Shopify store '{store.Handle}' could not be read: {failed.ShopifyMessage}", failed);
        }

        if (customer is null)
        {
            throw new AdminNotFoundException("unknown_customer", $"Store '{store.Handle}' has no customer {customerId}.");
        }

        if (await _links.FindByCustomerAsync(store.Handle, customerId, cancellationToken) is { } existing)
        {
            if (existing.UserId == user.Id)
            {
                return new ManualLinkResult(store.Handle, user.Id, customerId, "unchanged", $"User {user.Id} is already linked to customer {customerId} of store '{store.Handle}'.");
            }

            throw new AdminConflictException("customer_linked", $"Customer {customerId} of store '{store.Handle}' is already linked to user {existing.UserId}; unlink it there first.");
        }

        var userLink = (await _links.FindByUserAsync(user.Id, cancellationToken)).FirstOrDefault(l => string.Equals(l.StoreHandle, store.Handle, StringComparison.OrdinalIgnoreCase));
        if (userLink is not null)
        {
            throw new AdminConflictException("user_linked", $"User {user.Id} is already linked to customer {userLink.CustomerId} of store '{store.Handle}'; unlink it first.");
        }

        var options = _stores.Options;
        var incoming = ReconciliationRules.ShopifyProfile(customer, options);
        var overridden = Verification(user, incoming, options);
        if (overridden is { } refusal && !overrideVerification)
        {
            throw new AdminConflictException(refusal.Code, refusal.Message + " Tick the override to link anyway; it is recorded with your name.");
        }

        var attempt = await _links.TryAddAsync(new CustomerLink(store.Handle, customerId, user.Id, _time.GetUtcNow(), customer.UpdatedAt, null, incoming), cancellationToken);
        if (!attempt.Added)
        {
            // Linked meanwhile (by a delivery or another administrator).
            throw attempt.Link.CustomerId == customerId
                ? new AdminConflictException("customer_linked", $"Customer {customerId} of store '{store.Handle}' was linked to user {attempt.Link.UserId} meanwhile.")
                : new AdminConflictException("user_linked", $"User {user.Id} was linked to customer {attempt.Link.CustomerId} of store '{store.Handle}' meanwhile.");
        }

        using (SyncWriteScope.Begin())
        {
            await _users.SetShopifyIdAsync(user.Id, _stores.MultiStore ? store.Handle : null, customerId, cancellationToken);
            var blanks = CustomerMatching.FilledOnLink(InboundCustomerApplier.ProfileOf(user), incoming);
            if (blanks != Core.Customers.ProfileFields.None)
            {
                await _users.UpdateProfileAsync(user.Id, incoming, blanks, cancellationToken);
            }
        }

        if (await _users.FindByIdAsync(user.Id, cancellationToken) is { } linked)
        {
            // What the user now holds is what both sides agree on (EchoRules.AfterMatchedLink): the user's next save sends
            // only what changes on the site from here, never the values it already had over the customer's.
            await _links.UpdateAsync(EchoRules.AfterMatchedLink(attempt.Link, linked, incoming, options), cancellationToken);
        }

        await _links.ForgetDeletedForUserAsync(store.Handle, user.Id, cancellationToken);
        _cache.Invalidate(store.Handle, customerId);
        var detail = overridden is { } waived
            ? $"Linked by {admin} with the override: {waived.Message}"
            : $"Linked by {admin}; the user's confirmed email matches the customer's.";
        await _log.RecordAsync(new SyncLogEntry(_time.GetUtcNow(), SyncDirection.Inbound, store.Handle, LinkTopic, customerId, user.Id, overridden is null ? "linked" : "linked_override", detail), cancellationToken);
        return new ManualLinkResult(store.Handle, user.Id, customerId, overridden is null ? "linked" : "linked_override", detail);
    }

    /// <summary>Removes the user's link to its customer of the store; the user and the customer stay.</summary>
    /// <exception cref="AdminRequestException">Unknown store or a missing user id.</exception>
    /// <exception cref="AdminNotFoundException"><c>not_linked</c>: the user has no link in the store.</exception>
    public async Task<ManualLinkResult> UnlinkAsync(string? storeHandle, string? userId, string adminName, CancellationToken cancellationToken)
    {
        var store = _stores.Resolve(storeHandle);
        if (string.IsNullOrWhiteSpace(userId))
        {
            throw new AdminRequestException("missing_user", "Name the site user to unlink (userId).");
        }

        var admin = AdminName(adminName);
        var link = (await _links.FindByUserAsync(userId, cancellationToken)).FirstOrDefault(l => string.Equals(l.StoreHandle, store.Handle, StringComparison.OrdinalIgnoreCase))
            ?? throw new AdminNotFoundException("not_linked", $"User {userId} is not linked to a customer of store '{store.Handle}'.");

        await using (await _locks.AcquireAsync(SyncLockKeys.Customer(store.Handle, link.CustomerId), cancellationToken))
        {
            await _links.RemoveAsync(store.Handle, link.CustomerId, cancellationToken);
            if (await _users.FindByIdAsync(userId, cancellationToken) is not null)
            {
                using (SyncWriteScope.Begin())
                {
                    await _users.SetShopifyIdAsync(userId, _stores.MultiStore ? store.Handle : null, null, cancellationToken);
                }
            }

            // The roles the customer's Shopify tags granted go with the link.
            await _inbound.ApplyRolesAsync(userId, cancellationToken);
        }

        _cache.Invalidate(store.Handle, link.CustomerId);
        var detail = $"Unlinked by {admin}; the user and Shopify customer {link.CustomerId} both remain.";
        await _log.RecordAsync(new SyncLogEntry(_time.GetUtcNow(), SyncDirection.Inbound, store.Handle, UnlinkTopic, link.CustomerId, userId, "unlinked", detail), cancellationToken);
        return new ManualLinkResult(store.Handle, userId, link.CustomerId, "unlinked", detail);
    }

    /// <summary>Null when automatic linking would accept the pair; otherwise what it would refuse.</summary>
    private static PushRefusal? Verification(SyncUser user, Core.Customers.CustomerProfile customer, ShopifySyncOptions options)
    {
        if (!CustomerMatching.EmailVerified(user, options))
        {
            return new PushRefusal(PushRefusal.UnverifiedEmail, $"User {user.Id} has not confirmed the email address (Shopify:RequireVerifiedIdentity).");
        }

        if (string.IsNullOrWhiteSpace(user.Email) || string.IsNullOrWhiteSpace(customer.Email)
            || !string.Equals(user.Email.Trim(), customer.Email.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return new PushRefusal("email_mismatch", $"The email of user {user.Id} is not the customer's email.");
        }

        return null;
    }

    private static string AdminName(string adminName)
        => string.IsNullOrWhiteSpace(adminName) ? throw new AdminRequestException("missing_admin", "Say who links or unlinks (the administrator's name) for the sync log.") : adminName.Trim();
}

/// <summary>What a manual link or unlink did.</summary>
/// <param name="Outcome"><c>linked</c>, <c>linked_override</c>, <c>unchanged</c> or <c>unlinked</c>.</param>
/// <param name="Message">The sentence recorded in the sync log.</param>
public sealed record ManualLinkResult(string Store, string UserId, long CustomerId, string Outcome, string Message);
