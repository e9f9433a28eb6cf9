using Microsoft.Extensions.Logging;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// Sends first name, last name, email and phone. Users are pushed only as <see cref="CustomerMatching.WhyNotPushed"/>
/// allows (confirmed email, no excluded role). Unlinked users are matched to an existing customer by exact email
/// (<see cref="CustomerMatching.FindCustomerForPushAsync"/>) before
/// anything is created; on that first link only the customer's empty fields are filled. Linked users get only the
/// fields that changed, and an empty site value never replaces a value in Shopify. A user whose customer Shopify
/// deleted is not sent again until an administrator sends it deliberately (<see cref="OutboundPush.Deliberate"/>). What a
/// link remembers after a push, so that Shopify's webhook about it is an echo, is decided by <see cref="EchoRules"/>.
/// </summary>
public partial class DefaultShopifyUserUpdateJob : IShopifyUserUpdateJob
{
    private static readonly InProcessSyncLock ProcessUserLocks = new();

    /// <summary>
    /// A job whose lock covers this process only (one node) and is its own: inbound deliveries applied meanwhile do not
    /// wait for it. Hosts use the constructor taking the <see cref="ISyncLock"/> inbound deliveries share.
    /// </summary>
    public DefaultShopifyUserUpdateJob(
        StoreRegistry stores,
        IUserDirectory users,
        ICustomerLinkStore links,
        IShopifyCustomerApi shopify,
        ISyncLog log,
        TimeProvider time,
        ILogger<DefaultShopifyUserUpdateJob> logger)
        : this(stores, users, links, shopify, log, time, logger, ProcessUserLocks)
    {
    }

    /// <param name="userLocks">
    /// Held while one user is pushed to one store, so two pushes never both create its customer, and on the customer
    /// while an update is sent and remembered; must be the lock inbound deliveries take, spanning every node that shares
    /// the storage.
    /// </param>
    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public DefaultShopifyUserUpdateJob(
        StoreRegistry stores,
        IUserDirectory users,
        ICustomerLinkStore links,
        IShopifyCustomerApi shopify,
        ISyncLog log,
        TimeProvider time,
        ILogger<DefaultShopifyUserUpdateJob> logger,
        ISyncLock userLocks)
    {
        UserLocks = userLocks ?? throw new ArgumentNullException(nameof(userLocks));
        Stores = stores;
        Users = users;
        Links = links;
        Shopify = shopify;
        SyncLog = log;
        Time = time;
        Logger = logger;
    }

    protected StoreRegistry Stores { get; }

    protected IUserDirectory Users { get; }

    protected ICustomerLinkStore Links { get; }

    protected IShopifyCustomerApi Shopify { get; }

    protected ISyncLog SyncLog { get; }

    protected TimeProvider Time { get; }

    protected ILogger Logger { get; }

    /// <summary>The per-user lock <see cref="RunAsync"/> holds around a push.</summary>
    protected ISyncLock UserLocks { get; }

    public async Task<OutboundResult> RunAsync(OutboundPush push, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(push);
        OutboundResult result;
        var store = Stores.FindByHandle(push.StoreHandle);
        if (store is null)
        {
            result = new OutboundResult(OutboundOutcome.Skipped, Detail: $"Store '{push.StoreHandle}' is not configured or is disabled.");
        }
        else
        {
            await using var held = await UserLocks.AcquireAsync(SyncLockKeys.UserPush(store.Handle, push.UserId), cancellationToken);
            result = await PushAsync(push, store, cancellationToken);
        }

        await SyncLog.RecordAsync(
            new SyncLogEntry(Time.GetUtcNow(), SyncDirection.Outbound, push.StoreHandle, "user/push", result.CustomerId, push.UserId, result.Outcome.ToString().ToLowerInvariant(), result.Detail),
            cancellationToken);
        Log.Pushed(Logger, push.UserId, push.StoreHandle, result.Outcome);
        return result;
    }

    /// <summary>The profile to send; override to send a different shape of the same fields.</summary>
    protected virtual CustomerProfile BuildProfile(SyncUser user) => OutboundProfile.Of(user, Stores.Options);

    private async Task<OutboundResult> PushAsync(OutboundPush push, ShopifyStore store, CancellationToken cancellationToken)
    {
        var options = Stores.Options;
        if (!options.Enabled || !options.UpdateUsersInShopify)
        {
            return new OutboundResult(OutboundOutcome.Skipped, Detail: "UpdateUsersInShopify is off.");
        }

        var user = await Users.FindByIdAsync(push.UserId, cancellationToken);
        if (user is null)
        {
            return new OutboundResult(OutboundOutcome.Skipped, Detail: "The user no longer exists.");
        }

        if (CustomerMatching.WhyNotPushed(user, options) is { } refusal)
        {
            return new OutboundResult(OutboundOutcome.Skipped, Detail: refusal.Message);
        }

        var profile = BuildProfile(user);
        var invalid = OutboundProfile.Validate(profile, options);
        if (invalid is not null)
        {
            return new OutboundResult(OutboundOutcome.ValidationFailed, Detail: invalid);
        }

        var link = (await Links.FindByUserAsync(user.Id, cancellationToken))
            .FirstOrDefault(l => string.Equals(l.StoreHandle, store.Handle, StringComparison.OrdinalIgnoreCase));

        try
        {
            if (link is not null)
            {
                // Shopify's customers/update webhook about this change can reach another worker as soon as Shopify
                // answers. The customer's lock (the one inbound deliveries take) is held until the link remembers the
                // answer, so that webhook is seen as this push's echo, never as a newer state that would overwrite an
                // edit the user made meanwhile. The link is read again under the lock: a delivery applied since the
                // first read may have changed what both sides hold, or removed the link.
                await using var customerHeld = await UserLocks.AcquireAsync(SyncLockKeys.Customer(store.Handle, link.CustomerId), cancellationToken);
                var current = await Links.FindByCustomerAsync(store.Handle, link.CustomerId, cancellationToken);
                if (current is null || !string.Equals(current.UserId, user.Id, StringComparison.Ordinal))
                {
                    return new OutboundResult(OutboundOutcome.Skipped, link.CustomerId,
                        $"The link to customer {link.CustomerId} was removed while this push waited for it; the user is sent again on its next change.");
                }

                // An empty site value is never sent: it would blank what Shopify holds.
                var changed = profile.DifferencesFrom(current.SyncedProfile) & ~EmptyFields(profile);
                if (changed == ProfileFields.None)
                {
                    return new OutboundResult(OutboundOutcome.Unchanged, current.CustomerId);
                }

                var updated = await Shopify.UpdateCustomerAsync(store, current.CustomerId, profile, changed, cancellationToken);
                await RememberAsync(current, updated, cancellationToken);
                return new OutboundResult(OutboundOutcome.Updated, updated.Id, $"Sent: {changed}.") { Changed = changed };
            }

            if (!push.Deliberate && await Links.FindDeletedForUserAsync(store.Handle, user.Id, cancellationToken) is { } deleted)
            {
                return new OutboundResult(OutboundOutcome.Skipped, deleted.CustomerId,
                    $"Shopify deleted this user's customer {deleted.CustomerId} (recorded {deleted.DeletedAt:O}); it is created again only when the user is sent to Shopify deliberately.");
            }

            var existing = await CustomerMatching.FindCustomerForPushAsync(Shopify, store, user, profile, options, cancellationToken);
            if (existing is not null)
            {
                // As for an update: Shopify's webhook about the fields this first link fills is its echo only once the
                // link remembers them, so the customer's lock is held until then.
                await using var customerHeld = await UserLocks.AcquireAsync(SyncLockKeys.Customer(store.Handle, existing.Id), cancellationToken);
                var attempt = await Links.TryAddAsync(new CustomerLink(store.Handle, existing.Id, user.Id, Time.GetUtcNow()), cancellationToken);
                if (!attempt.Added && attempt.Link.UserId != user.Id)
                {
                    return new OutboundResult(OutboundOutcome.Rejected, existing.Id, $"Shopify customer {existing.Id} with this email is already linked to user {attempt.Link.UserId}.");
                }

                await WriteShopifyIdAsync(user.Id, store, existing.Id, cancellationToken);
                var fill = FirstLinkFields(profile, existing.Profile);
                var current = fill == ProfileFields.None ? existing : await Shopify.UpdateCustomerAsync(store, existing.Id, profile, fill, cancellationToken);

                await Links.UpdateAsync(EchoRules.AfterFirstLink(attempt.Link, profile, current), cancellationToken);
                await ForgetDeletionAsync(push, store, user.Id, cancellationToken);
                var kept = profile.DifferencesFrom(current.Profile) & ~fill;
                return new OutboundResult(OutboundOutcome.Linked, existing.Id,
                    (fill == ProfileFields.None ? "Matched by email." : $"Matched by email; filled Shopify's empty {fill}.")
                    + (kept == ProfileFields.None ? "" : $" Shopify's {kept} kept.")) { Changed = fill };
            }

            // The link remembers the created customer from its first write: Shopify's customers/create webhook for it
            // may arrive before this push is done, and is then its echo (not a newer state to apply to the user).
            var created = await Shopify.CreateCustomerAsync(store, profile, cancellationToken);
            var added = await Links.TryAddAsync(EchoRules.CreatedByPush(store.Handle, user.Id, created, Time.GetUtcNow()), cancellationToken);
            await WriteShopifyIdAsync(user.Id, store, created.Id, cancellationToken);
            await RememberAsync(added.Link, created, cancellationToken);
            await ForgetDeletionAsync(push, store, user.Id, cancellationToken);
            return new OutboundResult(OutboundOutcome.Created, created.Id) { Changed = ProfileFields.All & ~EmptyFields(profile) };
        }
        catch (ShopifyUserErrorException ex)
        {
            return new OutboundResult(OutboundOutcome.Rejected, link?.CustomerId, $"{ex.Code}: {ex.ShopifyMessage}");
        }
    }

    /// <summary>
    /// On first link to an existing customer, the fields the site fills: those the site has and Shopify has not. A value
    /// Shopify holds is never replaced on first link (the site's may be a placeholder, such as a user name).
    /// </summary>
    public static ProfileFields FirstLinkFields(CustomerProfile site, CustomerProfile shopify)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(shopify);
        return site.DifferencesFrom(shopify) & ~EmptyFields(site) & EmptyFields(shopify);
    }

    /// <summary>The profile fields that are empty.</summary>
    public static ProfileFields EmptyFields(CustomerProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var empty = ProfileFields.None;
        empty |= string.IsNullOrWhiteSpace(profile.FirstName) ? ProfileFields.FirstName : ProfileFields.None;
        empty |= string.IsNullOrWhiteSpace(profile.LastName) ? ProfileFields.LastName : ProfileFields.None;
        empty |= string.IsNullOrWhiteSpace(profile.Email) ? ProfileFields.Email : ProfileFields.None;
        empty |= string.IsNullOrWhiteSpace(profile.Phone) ? ProfileFields.Phone : ProfileFields.None;
        return empty;
    }

    private async Task ForgetDeletionAsync(OutboundPush push, ShopifyStore store, string userId, CancellationToken cancellationToken)
    {
        if (push.Deliberate)
        {
            await Links.ForgetDeletedForUserAsync(store.Handle, userId, cancellationToken);
        }
    }

    private Task RememberAsync(CustomerLink link, ShopifyCustomer customer, CancellationToken cancellationToken)
        => Links.UpdateAsync(EchoRules.AfterPush(link, customer), cancellationToken);

    private async Task WriteShopifyIdAsync(string userId, ShopifyStore store, long customerId, CancellationToken cancellationToken)
    {
        using (EchoRules.SyncWrite())
        {
            await Users.SetShopifyIdAsync(userId, Stores.MultiStore ? store.Handle : null, customerId, cancellationToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Pushed user {UserId} to store {Store}: {Outcome}")]
        public static partial void Pushed(ILogger logger, string userId, string store, OutboundOutcome outcome);
    }
}
