using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Phones;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.Core.Sync;

/// <summary>What a reconciliation fix does to bring a Shopify customer and the site together.</summary>
public enum ReconcileDirection
{
    /// <summary>Nothing is suggested (the reason says why); an administrator may still choose a direction.</summary>
    None,

    /// <summary>Take Shopify's data through the inbound rules, even when it is not newer than what was applied.</summary>
    ApplyShopify,

    /// <summary>Send the site's user through the outbound job (queued, retried).</summary>
    PushSite,

    /// <summary>Apply the customer with the inbound rules: link a matching user or create one.</summary>
    Import,

    /// <summary>Remove a link whose customer or user no longer exists (and the user's Shopify id).</summary>
    RemoveLink,
}

/// <summary>Which side changed a field since the last sync (the profile both sides last agreed on).</summary>
public enum ChangedSide
{
    /// <summary>No agreed profile is known (linked before one was recorded, or never synced).</summary>
    Unknown,
    Shopify,
    Site,
    Both,
}

internal sealed record FieldDifference(ProfileFields Field, string? Shopify, string? Site, ChangedSide ChangedOn);

/// <summary>The differing fields of a linked pair and the direction that resolves them.</summary>
internal sealed record PairDecision(IReadOnlyList<FieldDifference> Fields, ReconcileDirection Direction, string Reason);

/// <summary>
/// Decides how a difference between a Shopify customer and its linked user is resolved. A field is won by the side
/// that owns it under the settings unless only the other side changed it since the last sync:
/// Shopify owns first name, last name and phone when <c>RefreshLinkedUserProfile</c> is on, and the email when
/// <c>RefreshEmailFromShopify</c> is on too; the site owns the rest. A field changed on one side only is won by that
/// side, except that Shopify's change of a field the site owns is not taken (the inbound rules would not take it).
/// All fields won by Shopify → <see cref="ReconcileDirection.ApplyShopify"/>; all by the site →
/// <see cref="ReconcileDirection.PushSite"/>; a mix, or a direction its switch turns off, → none, with the reason.
/// </summary>
internal static class ReconciliationRules
{
    private static readonly ProfileFields[] Fields = [ProfileFields.FirstName, ProfileFields.LastName, ProfileFields.Email, ProfileFields.Phone];

    /// <summary>The customer as the inbound rules see it (phone in E.164).</summary>
    public static CustomerProfile ShopifyProfile(ShopifyCustomer customer, ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(customer);
        ArgumentNullException.ThrowIfNull(options);
        return customer.Profile with { Phone = PhoneNormalizer.NormalizeOrNull(customer.Profile.Phone, PhoneNormalizer.DefaultRegionOf(options)) ?? customer.Profile.Phone };
    }

    /// <summary>The user as a push would send it.</summary>
    public static CustomerProfile SiteProfile(SyncUser user, ShopifySyncOptions options) => OutboundProfile.Of(user, options);

    /// <summary>The fields the inbound rules write to a linked user.</summary>
    public static ProfileFields ShopifyOwned(ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.RefreshLinkedUserProfile)
        {
            return ProfileFields.None;
        }

        return ProfileFields.FirstName | ProfileFields.LastName | ProfileFields.Phone | (options.RefreshEmailFromShopify ? ProfileFields.Email : ProfileFields.None);
    }

    public static bool CanApplyShopify(ShopifySyncOptions options) => options is { Enabled: true, InboundEnabled: true };

    public static bool CanPushSite(ShopifySyncOptions options) => options is { Enabled: true, UpdateUsersInShopify: true };

    /// <returns>The differences and the direction; no fields when the pair agrees.</returns>
    public static PairDecision Compare(CustomerProfile shopify, CustomerProfile site, CustomerProfile? synced, ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(shopify);
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(options);
        var differing = shopify.DifferencesFrom(site);
        if (differing == ProfileFields.None)
        {
            return new PairDecision([], ReconcileDirection.None, "The customer and the user agree.");
        }

        var shopifyChanged = synced is null ? ProfileFields.None : shopify.DifferencesFrom(synced);
        var siteChanged = synced is null ? ProfileFields.None : site.DifferencesFrom(synced);
        var owned = ShopifyOwned(options);
        var fields = new List<FieldDifference>();
        var shopifyWins = ProfileFields.None;
        var siteWins = ProfileFields.None;
        foreach (var field in Fields.Where(f => differing.HasFlag(f)))
        {
            var side = synced is null ? ChangedSide.Unknown : (shopifyChanged.HasFlag(field), siteChanged.HasFlag(field)) switch
            {
                (true, false) => ChangedSide.Shopify,
                (false, true) => ChangedSide.Site,
                (true, true) => ChangedSide.Both,
                _ => ChangedSide.Unknown,
            };
            var shopifyWinsField = side != ChangedSide.Site && owned.HasFlag(field);
            if (shopifyWinsField)
            {
                shopifyWins |= field;
            }
            else
            {
                siteWins |= field;
            }

            fields.Add(new FieldDifference(field, Value(shopify, field), Value(site, field), side));
        }

        if (shopifyWins != ProfileFields.None && siteWins != ProfileFields.None)
        {
            return new PairDecision(fields, ReconcileDirection.None, $"Shopify's {shopifyWins} and the site's {siteWins} should both win; choose applyShopify or pushSite.");
        }

        if (shopifyWins != ProfileFields.None)
        {
            return CanApplyShopify(options)
                ? new PairDecision(fields, ReconcileDirection.ApplyShopify, $"Shopify's {shopifyWins} wins: Shopify owns it and the site did not change it since the last sync.")
                : new PairDecision(fields, ReconcileDirection.None, $"Shopify's {shopifyWins} would win, but inbound sync is off.");
        }

        var why = (owned & siteWins) == ProfileFields.None ? "the site owns it" : "only the site changed it since the last sync";
        return CanPushSite(options)
            ? new PairDecision(fields, ReconcileDirection.PushSite, $"The site's {siteWins} wins: {why}.")
            : new PairDecision(fields, ReconcileDirection.None, $"The site's {siteWins} would win, but pushing to Shopify is off (UpdateUsersInShopify).");
    }

    private static string? Value(CustomerProfile profile, ProfileFields field) => field switch
    {
        ProfileFields.FirstName => profile.FirstName,
        ProfileFields.LastName => profile.LastName,
        ProfileFields.Email => profile.Email,
        _ => profile.Phone,
    };
}
