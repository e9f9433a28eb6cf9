using Microsoft.Extensions.Logging;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Phones;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// Applies one customer's state to the site under the customer's lock: refresh the linked user with newer data, or link
/// a matching user, or create one. Who matches is decided by <see cref="CustomerMatching"/>, what is newer or an echo by
/// <see cref="EchoRules"/>; this class only carries them out and stores the link. Recording and events are the caller's.
/// </summary>
internal sealed partial class InboundCustomerApplier(
    StoreRegistry stores,
    IUserDirectory users,
    ICustomerLinkStore links,
    TimeProvider time,
    ILogger logger,
    ISyncLock customerLocks,
    TagRoleSync roles)
{
    /// <summary>
    /// The outcome of applying <paramref name="state"/> with the caller's <paramref name="options"/>; nothing is written to
    /// the sync log. The user it is linked to then gets the roles its Shopify tags map to (<see cref="TagRoleSync"/>).
    /// </summary>
    public async Task<InboundResult> ApplyAsync(InboundCustomerState state, CustomerApplyMode mode, ShopifySyncOptions options, CancellationToken cancellationToken)
    {
        // Inside a batch that holds the customer's lock already (taken before its transaction), it is not asked for again.
        await using var held = await customerLocks.AcquireUnlessHeldAsync(SyncLockKeys.Customer(state.Store.Handle, state.CustomerId), cancellationToken);
        var result = await ApplyLockedAsync(state, mode, options, cancellationToken);
        if (result.UserId is { } userId && result.Outcome != InboundOutcome.Skipped)
        {
            await ApplyRolesAsync(userId, options, cancellationToken);
        }

        return result;
    }

    /// <summary>Grants and revokes the roles the user's Shopify tags map to (<see cref="ShopifySyncOptions.TagRoles"/>).</summary>
    public Task<UserRoleChange> ApplyRolesAsync(string userId, ShopifySyncOptions options, CancellationToken cancellationToken)
        => roles.ApplyAsync(userId, options, cancellationToken);

    private async Task<InboundResult> ApplyLockedAsync(InboundCustomerState state, CustomerApplyMode mode, ShopifySyncOptions options, CancellationToken cancellationToken)
    {
        var store = state.Store;
        var incoming = Incoming(state, options);

        var link = await links.FindByCustomerAsync(store.Handle, state.CustomerId, cancellationToken);
        if (link is not null)
        {
            var linkedUser = await users.FindByIdAsync(link.UserId, cancellationToken);
            if (linkedUser is not null)
            {
                return await RefreshLinkedAsync(state, incoming, link, linkedUser, options, mode, cancellationToken);
            }

            // The user was deleted on the site: the link is stale, so match again as for a new customer.
            await links.RemoveAsync(store.Handle, state.CustomerId, cancellationToken);
        }
        else if (!state.IsShopifyNow && await links.FindDeletedAsync(store.Handle, state.CustomerId, cancellationToken) is { } deletedAt)
        {
            // A create or update overtaken by the customer's deletion (Shopify's retries keep no order).
            return new InboundResult(InboundOutcome.Skipped, CustomerId: state.CustomerId, Detail: $"Shopify deleted customer {state.CustomerId} (recorded {deletedAt:O}) before this delivery arrived; no user was linked.") { Reason = InboundSkipReasons.CustomerDeleted };
        }

        return await LinkOrCreateAsync(state, incoming, options, cancellationToken);
    }

    /// <summary>
    /// The customer as it is written to a user: the phone in E.164, or none when libphonenumber rejects it (a rejected
    /// number is never written to a user; the warning names the customer, not the number).
    /// </summary>
    public CustomerProfile Incoming(InboundCustomerState state, ShopifySyncOptions options)
    {
        var region = PhoneNormalizer.DefaultRegionOf(options);
        var phone = PhoneNormalizer.NormalizeOrNull(state.Profile.Phone, region);
        if (phone is null && !string.IsNullOrWhiteSpace(state.Profile.Phone))
        {
            Log.PhoneRejected(logger, state.Store.Handle, state.CustomerId, region);
        }

        return state.Profile with { Phone = phone };
    }

    /// <summary>The fields a created user got from the customer: those the customer has.</summary>
    public static ProfileFields FilledFields(CustomerProfile incoming) => ProfileFields.All & ~DefaultShopifyUserUpdateJob.EmptyFields(incoming);

    /// <summary>The user's profile with blanks read as missing.</summary>
    public static CustomerProfile ProfileOf(SyncUser user) => new(
        string.IsNullOrWhiteSpace(user.FirstName) ? null : user.FirstName,
        string.IsNullOrWhiteSpace(user.LastName) ? null : user.LastName,
        string.IsNullOrWhiteSpace(user.Email) ? null : user.Email,
        string.IsNullOrWhiteSpace(user.Phone) ? null : user.Phone);

    /// <summary>A customer no user is linked to: link the user it matches, or create one when the options allow it.</summary>
    private async Task<InboundResult> LinkOrCreateAsync(InboundCustomerState state, CustomerProfile incoming, ShopifySyncOptions options, CancellationToken cancellationToken)
    {
        var customerId = state.CustomerId;
        var match = await CustomerMatching.FindUserAsync(users, incoming, options, cancellationToken);
        if (match.User is not null)
        {
            return await LinkAsync(state, incoming, match.User, InboundOutcome.Linked, cancellationToken);
        }

        if (match.Refused is not null)
        {
            return new InboundResult(InboundOutcome.Skipped, CustomerId: customerId, Detail: match.Refused) { Reason = match.RefusedReason };
        }

        if (string.IsNullOrWhiteSpace(incoming.Email))
        {
            return new InboundResult(InboundOutcome.Skipped, CustomerId: customerId, Detail: "The customer has no email and matches no user; no user was created.") { Reason = InboundSkipReasons.NoEmail };
        }

        if (!options.CreateUsersFromShopify)
        {
            return new InboundResult(InboundOutcome.Skipped, CustomerId: customerId, Detail: "No user matches and CreateUsersFromShopify is off.") { Reason = InboundSkipReasons.CreationOff };
        }

        UserCreateResult created;
        using (EchoRules.SyncWrite())
        {
            created = await users.CreateAsync(incoming, CustomerMatching.EmailConfirmedOnCreate(state.VerifiedEmail), cancellationToken);
        }

        if (created.User is not null)
        {
            var result = await LinkAsync(state, incoming, created.User, InboundOutcome.Created, cancellationToken);
            return match.Note is null || result.Detail is not null ? result : result with { Detail = match.Note };
        }

        // Another delivery (another store, another node) created the user first: link to it as the match rules allow.
        if (created.EmailTaken && await users.FindByEmailAsync(incoming.Email, cancellationToken) is { } holder)
        {
            var taken = CustomerMatching.ResolveTakenEmail(holder, options);
            return taken.User is not null
                ? await LinkAsync(state, incoming, taken.User, InboundOutcome.Linked, cancellationToken)
                : new InboundResult(InboundOutcome.Skipped, holder.Id, customerId, taken.Refused) { Reason = taken.RefusedReason };
        }

        throw new InvalidOperationException($"Creating a user for Shopify customer {customerId} failed: {created.Error ?? "the email is taken but no user has it"}.");
    }

    private async Task<InboundResult> LinkAsync(InboundCustomerState state, CustomerProfile incoming, SyncUser user, InboundOutcome outcome, CancellationToken cancellationToken)
    {
        var store = state.Store;
        var attempt = await links.TryAddAsync(
            new CustomerLink(store.Handle, state.CustomerId, user.Id, time.GetUtcNow(), state.UpdatedAt, state.TriggeredAt, incoming) { Signals = state.Signals },
            cancellationToken);
        if (!attempt.Added)
        {
            if (attempt.Link.CustomerId != state.CustomerId)
            {
                return new InboundResult(InboundOutcome.Skipped, user.Id, state.CustomerId, $"User {user.Id} is already linked to Shopify customer {attempt.Link.CustomerId} in store '{store.Handle}'; not relinked.") { Reason = InboundSkipReasons.UserLinkedToOtherCustomer };
            }

            // Same customer linked meanwhile: nothing more to do for this delivery.
            return new InboundResult(InboundOutcome.Unchanged, attempt.Link.UserId, state.CustomerId);
        }

        var filled = outcome == InboundOutcome.Created ? FilledFields(incoming) : ProfileFields.None;
        using (EchoRules.SyncWrite())
        {
            await users.SetShopifyIdAsync(user.Id, stores.MultiStore ? store.Handle : null, state.CustomerId, cancellationToken);

            if (outcome == InboundOutcome.Linked)
            {
                // A matched user keeps what it has; Shopify only fills the blanks.
                var blanks = CustomerMatching.FilledOnLink(ProfileOf(user), incoming);
                if (blanks != ProfileFields.None)
                {
                    await users.UpdateProfileAsync(user.Id, incoming, blanks, cancellationToken);
                    filled = blanks;
                }
            }
        }

        if (outcome == InboundOutcome.Linked && await users.FindByIdAsync(user.Id, cancellationToken) is { } linked)
        {
            // What the matched user now holds is what both sides agree on, not Shopify's profile: otherwise the user's next
            // save would send its own name (or, matched by phone, its email) over the customer's.
            await links.UpdateAsync(EchoRules.AfterMatchedLink(attempt.Link, linked, incoming, stores.Options), cancellationToken);
        }

        return new InboundResult(outcome, user.Id, state.CustomerId) { Changed = filled };
    }

    private async Task<InboundResult> RefreshLinkedAsync(InboundCustomerState state, CustomerProfile incoming, CustomerLink link, SyncUser user, ShopifySyncOptions options, CustomerApplyMode mode, CancellationToken cancellationToken)
    {
        // The link is stored before the user's id is written: a process that died in between left the id missing.
        var shopifyKey = stores.MultiStore ? state.Store.Handle : null;
        var storedId = shopifyKey is null ? user.ShopifyId : user.ShopifyIds.GetValueOrDefault(shopifyKey);
        if (storedId != state.CustomerId)
        {
            using (EchoRules.SyncWrite())
            {
                await users.SetShopifyIdAsync(user.Id, shopifyKey, state.CustomerId, cancellationToken);
            }
        }

        if (mode != CustomerApplyMode.TakeShopifyData
            && EchoRules.Classify(state.UpdatedAt, state.TriggeredAt, incoming, link) is var verdict && verdict != IncomingState.Newer)
        {
            // The profile is not applied, but Shopify's signals in it are kept unless the link has newer ones.
            var kept = EchoRules.WithSignals(link, state.Signals);
            if (!ReferenceEquals(kept, link))
            {
                await links.UpdateAsync(kept, cancellationToken);
            }

            var echo = verdict == IncomingState.Echo;
            return new InboundResult(echo ? InboundOutcome.Echo : InboundOutcome.Stale, user.Id, state.CustomerId,
                echo ? "Shopify reported a state this site already has." : $"updated_at {state.UpdatedAt:O} is not newer than the applied {link.AppliedUpdatedAt:O}.");
        }

        var outcome = InboundOutcome.Unchanged;
        var written = ProfileFields.None;
        string? detail = null;
        using (EchoRules.SyncWrite())
        {
            if (options.RefreshLinkedUserProfile)
            {
                var owned = ProfileFields.FirstName | ProfileFields.LastName | ProfileFields.Phone;
                if (options.RefreshEmailFromShopify && !string.IsNullOrWhiteSpace(incoming.Email))
                {
                    var holder = await users.FindByEmailAsync(incoming.Email, cancellationToken);
                    if (holder is null || holder.Id == user.Id)
                    {
                        owned |= ProfileFields.Email;
                    }
                    else
                    {
                        detail = $"Email not refreshed: it belongs to user {holder.Id}.";
                    }
                }

                if (incoming.Phone is null && !string.IsNullOrWhiteSpace(state.Profile.Phone))
                {
                    // Shopify holds a phone libphonenumber rejects: that says nothing about the user's own phone.
                    owned &= ~ProfileFields.Phone;
                }

                var changed = incoming.DifferencesFrom(ProfileOf(user)) & owned;
                if (changed != ProfileFields.None)
                {
                    await users.UpdateProfileAsync(user.Id, incoming, changed, cancellationToken);
                    outcome = InboundOutcome.Updated;
                    written = changed;
                }
            }
        }

        await links.UpdateAsync(EchoRules.WithSignals(EchoRules.AfterApply(link, state.UpdatedAt, state.TriggeredAt, incoming), state.Signals), cancellationToken);
        return new InboundResult(outcome, user.Id, state.CustomerId, detail) { Changed = written };
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify customer {CustomerId} in store {Store} has a phone that is not a valid number (libphonenumber, default region {Region}); it is read as no phone, never written to the user, and a linked user keeps its own")]
        public static partial void PhoneRejected(ILogger logger, string store, long customerId, string region);
    }
}
