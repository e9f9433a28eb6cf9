using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// Echo suppression: the one place that decides whether a change is the sync's own coming back, so that nothing
/// ping-pongs between the site and Shopify.
/// <list type="bullet">
/// <item>A user write made by the sync (inside <see cref="SyncWrite"/>) is not pushed: it is Shopify's change, or the
/// sync's bookkeeping (<see cref="IsSyncWrite"/>). Hosts check it in their "user changed" hooks.</item>
/// <item>A user whose synced fields equal what its link remembers is in step with that store: no push
/// (<see cref="InStep"/>).</item>
/// <item>An incoming customer state is applied only when it is newer than the one the link remembers
/// (<see cref="IsNewer"/>); one that is not newer is the echo of what both sides already agree on when it equals the
/// remembered state, else stale (<see cref="Classify"/>).</item>
/// <item>What a link remembers: after an inbound apply, the state applied (<see cref="AfterApply"/>); after a push, the
/// state Shopify answered (<see cref="AfterPush"/>, <see cref="AfterFirstLink"/>). A link the push creates remembers
/// it from its first write (<see cref="CreatedByPush"/>), so Shopify's <c>customers/create</c> webhook for it is an
/// echo however soon it arrives.</item>
/// </list>
/// </summary>
internal static class EchoRules
{
    private static readonly AsyncLocal<int> SyncWriteDepth = new();

    /// <summary>True while the current async flow is inside <see cref="SyncWrite"/>: a user write the sync makes itself, never pushed.</summary>
    public static bool IsSyncWrite => SyncWriteDepth.Value > 0;

    /// <summary>
    /// Marks user writes made by the sync itself until disposed, so the host's "user changed" events those writes raise
    /// (on the same async flow) do not schedule a push back to Shopify.
    /// </summary>
    public static IDisposable SyncWrite()
    {
        SyncWriteDepth.Value++;
        return new SyncWriteExit();
    }

    /// <summary>
    /// The site's profile of a user equals what the link remembers both sides agreed on: nothing to push to that store.
    /// A link that remembers nothing yet is never in step.
    /// </summary>
    public static bool InStep(CustomerProfile siteProfile, CustomerLink? link)
    {
        ArgumentNullException.ThrowIfNull(siteProfile);
        return link?.SyncedProfile is not null && siteProfile.DifferencesFrom(link.SyncedProfile) == ProfileFields.None;
    }

    /// <summary>The incoming state is the one the link remembers (the echo of our push, or a repeated delivery).</summary>
    public static bool IsEcho(CustomerProfile incoming, CustomerLink link)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(link);
        return link.SyncedProfile is not null && incoming.DifferencesFrom(link.SyncedProfile) == ProfileFields.None;
    }

    /// <summary>
    /// Newer when <paramref name="updatedAt"/> is later than what was applied. On a tie (Shopify's timestamps have
    /// second precision) the delivery's Triggered-At decides, else a differing state wins. Without timestamps on either
    /// side, a state with an updated_at, or without Triggered-At to compare, is newer.
    /// </summary>
    public static bool IsNewer(DateTimeOffset? updatedAt, DateTimeOffset? triggeredAt, CustomerProfile incoming, CustomerLink link)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(link);
        if (link.AppliedUpdatedAt is null || updatedAt is null)
        {
            return updatedAt is not null || triggeredAt is null || link.AppliedTriggeredAt is null || triggeredAt > link.AppliedTriggeredAt;
        }

        if (updatedAt != link.AppliedUpdatedAt)
        {
            return updatedAt > link.AppliedUpdatedAt;
        }

        if (triggeredAt is not null && link.AppliedTriggeredAt is not null)
        {
            return triggeredAt > link.AppliedTriggeredAt;
        }

        return !IsEcho(incoming, link);
    }

    /// <summary>What to do with an incoming state of a linked customer: apply it, or drop it as an echo or as stale.</summary>
    public static IncomingState Classify(DateTimeOffset? updatedAt, DateTimeOffset? triggeredAt, CustomerProfile incoming, CustomerLink link)
        => IsNewer(updatedAt, triggeredAt, incoming, link) ? IncomingState.Newer
            : IsEcho(incoming, link) ? IncomingState.Echo
            : IncomingState.Stale;

    /// <summary>The link once an incoming state was applied: the latest updated_at, this Triggered-At and the state itself.</summary>
    public static CustomerLink AfterApply(CustomerLink link, DateTimeOffset? updatedAt, DateTimeOffset? triggeredAt, CustomerProfile incoming)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(incoming);
        return link with
        {
            AppliedUpdatedAt = updatedAt is { } at && (link.AppliedUpdatedAt is null || at > link.AppliedUpdatedAt) ? at : link.AppliedUpdatedAt,
            AppliedTriggeredAt = triggeredAt,
            SyncedProfile = (link.SyncedProfile ?? CustomerProfile.Empty).With(incoming, ProfileFields.All),
        };
    }

    /// <summary>
    /// The link once a push was answered: what Shopify now holds is what both sides agree on, so its webhook about this
    /// change is an echo.
    /// </summary>
    public static CustomerLink AfterPush(CustomerLink link, ShopifyCustomer answered)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(answered);
        return link with { AppliedUpdatedAt = answered.UpdatedAt, AppliedTriggeredAt = null, SyncedProfile = answered.Profile };
    }

    /// <summary>
    /// The link a push stores for the customer it created, remembering Shopify's answer from the first write: Shopify's
    /// <c>customers/create</c> webhook may arrive before the push is done, and must be seen as its echo, not as a newer
    /// state (which would overwrite the user with what was sent, undoing an edit made meanwhile).
    /// </summary>
    public static CustomerLink CreatedByPush(string storeHandle, string userId, ShopifyCustomer created, DateTimeOffset linkedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(storeHandle);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(created);
        return AfterPush(new CustomerLink(storeHandle, created.Id, userId, linkedAt), created);
    }

    /// <summary>
    /// The link once a user was matched to an existing customer by a push: what the site had counts as agreed (Shopify's
    /// value where the site has none), so only a later change on the site is sent over Shopify's values, and Shopify's
    /// own webhook about the customer then refreshes the user.
    /// </summary>
    public static CustomerLink AfterFirstLink(CustomerLink link, CustomerProfile site, ShopifyCustomer current)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(current);
        return link with
        {
            AppliedUpdatedAt = current.UpdatedAt,
            AppliedTriggeredAt = null,
            SyncedProfile = site.With(current.Profile, DefaultShopifyUserUpdateJob.EmptyFields(site)),
        };
    }

    /// <summary>
    /// The link once a user was matched to an existing customer by a webhook or by an administrator, and has been given
    /// Shopify's values where it had none: what the user now holds counts as agreed (Shopify's value where the user has
    /// none), as after a push's first link (<see cref="AfterFirstLink"/>). Agreeing on Shopify's profile instead would
    /// make the user's next save, of anything, send the values the user already had over the customer's: a value Shopify
    /// holds is never replaced by linking.
    /// </summary>
    public static CustomerLink AfterMatchedLink(CustomerLink link, SyncUser linked, CustomerProfile shopify, ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(shopify);
        var site = OutboundProfile.Of(linked, options);
        return link with { SyncedProfile = site.With(shopify, DefaultShopifyUserUpdateJob.EmptyFields(site)) };
    }

    /// <summary>
    /// The commerce signals a link keeps when a state carrying <paramref name="incoming"/> arrives: Shopify owns them, so
    /// the incoming ones replace the stored ones unless the stored ones were read from a newer state (a later
    /// <c>updated_at</c>), whether or not the profile in the same state was applied (an echo of a push still carries
    /// Shopify's present order count and tags). A state without signals keeps the stored ones.
    /// </summary>
    public static CustomerSignals? KeepNewerSignals(CustomerSignals? stored, CustomerSignals? incoming)
    {
        if (incoming is null)
        {
            return stored;
        }

        if (stored?.UpdatedAt is { } storedAt && (incoming.UpdatedAt is not { } incomingAt || incomingAt < storedAt))
        {
            return stored;
        }

        return incoming;
    }

    /// <summary>The link with <see cref="KeepNewerSignals"/> applied; the same instance when nothing changes.</summary>
    public static CustomerLink WithSignals(CustomerLink link, CustomerSignals? incoming)
    {
        ArgumentNullException.ThrowIfNull(link);
        var kept = KeepNewerSignals(link.Signals, incoming);
        return ReferenceEquals(kept, link.Signals) || kept!.SameAs(link.Signals) ? link : link with { Signals = kept };
    }

    private sealed class SyncWriteExit : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                SyncWriteDepth.Value--;
            }
        }
    }
}

/// <summary>The verdict of <see cref="EchoRules.Classify"/> on an incoming state of a linked customer.</summary>
internal enum IncomingState
{
    /// <summary>Newer than what the link remembers: apply it.</summary>
    Newer,

    /// <summary>Not newer, and equal to what the link remembers: our own push (or a repeat) coming back.</summary>
    Echo,

    /// <summary>Not newer, and different: an older state overtaken by a newer one.</summary>
    Stale,
}
