using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Reconciliation;

/// <summary>Applies one chosen fix after reading both sides again; every change goes through the inbound rules or the outbound job.</summary>
internal sealed class ReconciliationFixer(
    ShopifyStore store,
    ShopifySyncOptions options,
    ICustomerLinkStore links,
    IUserDirectory users,
    IShopifyCustomerApi shopify,
    InboundCustomerSync inbound,
    IOutboundSyncQueue outbound,
    ISyncLog log,
    CustomerViewCache cache,
    TimeProvider time)
{
    public async Task<ReconciliationFixResult> FixAsync(ReconciliationFixItem item, CancellationToken cancellationToken)
    {
        ReconciliationFixResult result;
        try
        {
            result = item.Kind switch
            {
                DifferenceKind.FieldsDiffer => await FixFieldsAsync(item, cancellationToken),
                DifferenceKind.CustomerWithoutUser => await ImportAsync(item, cancellationToken),
                DifferenceKind.LinkToMissingCustomer => await RemoveLinkToMissingCustomerAsync(item, cancellationToken),
                DifferenceKind.LinkToMissingUser => await FixLinkToMissingUserAsync(item, cancellationToken),
                DifferenceKind.UserWithoutCustomer => await PushUnlinkedUserAsync(item, cancellationToken),
                _ => Refused(item, ReconcileDirection.None, $"Unknown kind '{item.Kind}'."),
            };
        }
        catch (ShopifyApiException failed)
        {
            result = new ReconciliationFixResult(item, "failed", item.Direction ?? ReconcileDirection.None, failed.ShopifyMessage);
        }

        if (result.Outcome is "fixed" or "queued" or "failed")
        {
            await log.RecordAsync(
                new SyncLogEntry(time.GetUtcNow(), SyncDirection.Inbound, store.Handle, ReconciliationService.FixTopic, item.CustomerId, item.UserId, $"{result.Outcome}:{Name(result.Direction)}", result.Detail),
                cancellationToken);
        }

        if (item.CustomerId is { } customerId)
        {
            cache.Invalidate(store.Handle, customerId);
        }

        return result;
    }

    private async Task<ReconciliationFixResult> FixFieldsAsync(ReconciliationFixItem item, CancellationToken cancellationToken)
    {
        if (item.CustomerId is not { } customerId)
        {
            return Refused(item, ReconcileDirection.None, "customerId is required.");
        }

        var link = await links.FindByCustomerAsync(store.Handle, customerId, cancellationToken);
        var user = link is null ? null : await users.FindByIdAsync(link.UserId, cancellationToken);
        if (link is null || user is null)
        {
            return Refused(item, ReconcileDirection.None, "The customer is no longer linked to a user; compare again.");
        }

        var customer = await shopify.GetCustomerAsync(store, customerId, cancellationToken);
        if (customer is null)
        {
            return Refused(item, ReconcileDirection.None, "Shopify no longer has this customer; compare again.");
        }

        var shopifyProfile = ReconciliationRules.ShopifyProfile(customer, options);
        var decision = ReconciliationRules.Compare(shopifyProfile, ReconciliationRules.SiteProfile(user, options), link.SyncedProfile, options);
        if (decision.Fields.Count == 0)
        {
            return new ReconciliationFixResult(item, "nothing_to_do", ReconcileDirection.None, "The customer and the user agree now.");
        }

        var direction = item.Direction ?? decision.Direction;
        var differing = decision.Fields.Aggregate(Core.Customers.ProfileFields.None, (all, f) => all | f.Field);
        switch (direction)
        {
            case ReconcileDirection.ApplyShopify:
                if (!ReconciliationRules.CanApplyShopify(options))
                {
                    return Refused(item, direction, "Inbound sync is off.");
                }

                var owned = ReconciliationRules.ShopifyOwned(options) & differing;
                if (owned == Core.Customers.ProfileFields.None)
                {
                    return Refused(item, direction, $"The inbound rules do not write {differing} to a linked user (RefreshLinkedUserProfile / RefreshEmailFromShopify); push the site's user instead.");
                }

                var applied = await inbound.ApplyCustomerStateAsync(store, customer, CustomerStateSource.Reconciliation, CustomerApplyMode.TakeShopifyData, cancellationToken);
                return applied.Outcome is InboundOutcome.Updated or InboundOutcome.Unchanged
                    ? new ReconciliationFixResult(item, "fixed", direction, $"Shopify's {owned} applied to user {user.Id}.{(applied.Detail is null ? "" : " " + applied.Detail)}")
                    : Refused(item, direction, applied.Detail ?? $"The inbound rules answered {applied.Outcome}.");

            case ReconcileDirection.PushSite:
                if (!ReconciliationRules.CanPushSite(options))
                {
                    return Refused(item, direction, "Pushing to Shopify is off (UpdateUsersInShopify).");
                }

                if (CustomerMatching.WhyNotPushed(user, options) is { } refusal)
                {
                    return Refused(item, direction, refusal.Message);
                }

                // Record Shopify's present state as the agreed one, so the push sends exactly the differing fields and
                // Shopify's webhook about it is recognised as an echo.
                await links.UpdateAsync(
                    link with
                    {
                        SyncedProfile = shopifyProfile,
                        AppliedUpdatedAt = link.AppliedUpdatedAt is { } at && at > customer.UpdatedAt ? at : customer.UpdatedAt,
                        AppliedTriggeredAt = null,
                    },
                    cancellationToken);
                await outbound.EnqueueAsync(new OutboundPush(user.Id, store.Handle, time.GetUtcNow(), Deliberate: true), cancellationToken);
                return new ReconciliationFixResult(item, "queued", direction, $"User {user.Id} queued for a push of {differing}.");

            default:
                return Refused(item, direction, decision.Reason);
        }
    }

    private async Task<ReconciliationFixResult> ImportAsync(ReconciliationFixItem item, CancellationToken cancellationToken)
    {
        var direction = item.Direction ?? ReconcileDirection.Import;
        if (item.CustomerId is not { } customerId)
        {
            return Refused(item, direction, "customerId is required.");
        }

        if (direction != ReconcileDirection.Import)
        {
            return Refused(item, direction, "A customer without a user is fixed by importing it.");
        }

        if (await links.FindByCustomerAsync(store.Handle, customerId, cancellationToken) is { } link && await users.FindByIdAsync(link.UserId, cancellationToken) is not null)
        {
            return new ReconciliationFixResult(item, "nothing_to_do", direction, $"Already linked to user {link.UserId}.");
        }

        var customer = await shopify.GetCustomerAsync(store, customerId, cancellationToken);
        if (customer is null)
        {
            return Refused(item, direction, "Shopify no longer has this customer.");
        }

        var applied = await inbound.ApplyCustomerStateAsync(store, customer, CustomerStateSource.Reconciliation, CustomerApplyMode.NewerOnly, cancellationToken);
        return applied.Outcome switch
        {
            InboundOutcome.Created => new ReconciliationFixResult(item, "fixed", direction, $"User {applied.UserId} created and linked."),
            InboundOutcome.Linked => new ReconciliationFixResult(item, "fixed", direction, $"Linked to the matching user {applied.UserId}."),
            InboundOutcome.Skipped => Refused(item, direction, applied.Detail ?? InboundSkipReasons.Describe(applied.Reason)),
            _ => new ReconciliationFixResult(item, "nothing_to_do", direction, $"Already linked to user {applied.UserId}."),
        };
    }

    private async Task<ReconciliationFixResult> RemoveLinkToMissingCustomerAsync(ReconciliationFixItem item, CancellationToken cancellationToken)
    {
        var direction = item.Direction ?? ReconcileDirection.RemoveLink;
        if (item.CustomerId is not { } customerId)
        {
            return Refused(item, direction, "customerId is required.");
        }

        if (direction != ReconcileDirection.RemoveLink)
        {
            return Refused(item, direction, "A link to a missing customer is fixed by removing it.");
        }

        if (await links.FindByCustomerAsync(store.Handle, customerId, cancellationToken) is null)
        {
            return new ReconciliationFixResult(item, "nothing_to_do", direction, "The link is already gone.");
        }

        if (await shopify.GetCustomerAsync(store, customerId, cancellationToken) is not null)
        {
            return Refused(item, direction, "Shopify has this customer (again); the link is kept.");
        }

        var unlinked = await inbound.UnlinkAsync(store, customerId, cancellationToken);
        return new ReconciliationFixResult(item, "fixed", direction, $"Link removed; user {unlinked.UserId} stays, without this store's Shopify id.");
    }

    private async Task<ReconciliationFixResult> FixLinkToMissingUserAsync(ReconciliationFixItem item, CancellationToken cancellationToken)
    {
        var direction = item.Direction ?? ReconcileDirection.RemoveLink;
        if (item.CustomerId is not { } customerId)
        {
            return Refused(item, direction, "customerId is required.");
        }

        var link = await links.FindByCustomerAsync(store.Handle, customerId, cancellationToken);
        if (link is null)
        {
            return new ReconciliationFixResult(item, "nothing_to_do", direction, "The link is already gone.");
        }

        if (await users.FindByIdAsync(link.UserId, cancellationToken) is not null)
        {
            return Refused(item, direction, $"User {link.UserId} exists; the link is kept.");
        }

        switch (direction)
        {
            case ReconcileDirection.RemoveLink:
                await links.RemoveAsync(store.Handle, customerId, cancellationToken);
                return new ReconciliationFixResult(item, "fixed", direction, "Link to the deleted user removed.");
            case ReconcileDirection.Import:
                // The inbound rules drop a link whose user is gone and match or create again.
                return await ImportAsync(item with { Direction = ReconcileDirection.Import }, cancellationToken) with { Item = item };
            default:
                return Refused(item, direction, "A link to a deleted user is fixed by removing it or importing the customer again.");
        }
    }

    private async Task<ReconciliationFixResult> PushUnlinkedUserAsync(ReconciliationFixItem item, CancellationToken cancellationToken)
    {
        var direction = item.Direction ?? ReconcileDirection.PushSite;
        if (string.IsNullOrWhiteSpace(item.UserId))
        {
            return Refused(item, direction, "userId is required.");
        }

        if (direction != ReconcileDirection.PushSite)
        {
            return Refused(item, direction, "A user without a customer is fixed by pushing it.");
        }

        if (await users.FindByIdAsync(item.UserId, cancellationToken) is not { } siteUser)
        {
            return Refused(item, direction, "The user no longer exists.");
        }

        if (CustomerMatching.WhyNotPushed(siteUser, options) is { } notPushed)
        {
            return Refused(item, direction, notPushed.Message);
        }

        if ((await links.FindByUserAsync(item.UserId, cancellationToken)).Any(l => string.Equals(l.StoreHandle, store.Handle, StringComparison.OrdinalIgnoreCase)))
        {
            return new ReconciliationFixResult(item, "nothing_to_do", direction, "The user is linked now.");
        }

        if (!ReconciliationRules.CanPushSite(options))
        {
            return Refused(item, direction, "Pushing to Shopify is off (UpdateUsersInShopify).");
        }

        await outbound.EnqueueAsync(new OutboundPush(item.UserId, store.Handle, time.GetUtcNow(), Deliberate: true), cancellationToken);
        return new ReconciliationFixResult(item, "queued", direction, "Queued: the outbound job links the customer with this email, or creates one.");
    }

    private static ReconciliationFixResult Refused(ReconciliationFixItem item, ReconcileDirection direction, string why) => new(item, "refused", direction, why);

    private static string Name(ReconcileDirection direction) => direction switch
    {
        ReconcileDirection.ApplyShopify => "applyShopify",
        ReconcileDirection.PushSite => "pushSite",
        ReconcileDirection.Import => "import",
        ReconcileDirection.RemoveLink => "removeLink",
        _ => "none",
    };
}
