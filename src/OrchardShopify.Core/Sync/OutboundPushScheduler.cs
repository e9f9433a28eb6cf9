using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// Called by the host whenever a user is created or changed. Schedules one push per enabled store,
/// except for writes made by the sync itself and stores already in step (<see cref="EchoRules"/>), users that may not
/// be pushed (<see cref="CustomerMatching.WhyNotPushed"/>: the push waits until the email is confirmed) and stores whose
/// customer of the user Shopify deleted (only a deliberate send creates it again).
/// </summary>
public sealed class OutboundPushScheduler
{
    private readonly StoreRegistry _stores;
    private readonly IUserDirectory _users;
    private readonly ICustomerLinkStore _links;
    private readonly IOutboundSyncQueue _queue;
    private readonly TimeProvider _time;

    public OutboundPushScheduler(StoreRegistry stores, IUserDirectory users, ICustomerLinkStore links, IOutboundSyncQueue queue, TimeProvider time)
    {
        _stores = stores;
        _users = users;
        _links = links;
        _queue = queue;
        _time = time;
    }

    /// <returns>The stores a push was scheduled for.</returns>
    public async Task<IReadOnlyList<string>> UserChangedAsync(string userId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var options = _stores.Options;
        if (!options.Enabled || !options.UpdateUsersInShopify || EchoRules.IsSyncWrite)
        {
            return [];
        }

        var user = await _users.FindByIdAsync(userId, cancellationToken);
        if (user is null)
        {
            return [];
        }

        if (CustomerMatching.WhyNotPushed(user, options) is not null)
        {
            return [];
        }

        var profile = OutboundProfile.Of(user, options);
        var links = await _links.FindByUserAsync(userId, cancellationToken);
        var scheduled = new List<string>();
        foreach (var store in _stores.Stores)
        {
            if (!store.CanCallAdminApi)
            {
                continue;
            }

            var link = links.FirstOrDefault(l => string.Equals(l.StoreHandle, store.Handle, StringComparison.OrdinalIgnoreCase));
            if (EchoRules.InStep(profile, link))
            {
                // Saves that touch no synced field (sign-ins, password changes) cost nothing.
                continue;
            }

            if (link is null && await _links.FindDeletedForUserAsync(store.Handle, userId, cancellationToken) is not null)
            {
                // Shopify deleted (or redacted) this user's customer: an ordinary save does not bring it back.
                continue;
            }

            await _queue.EnqueueAsync(new OutboundPush(userId, store.Handle, _time.GetUtcNow()), cancellationToken);
            scheduled.Add(store.Handle);
        }

        return scheduled;
    }
}
