using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.Core.Tests.Sync;

public sealed class ReconciliationRulesTests
{
    private static readonly CustomerProfile Agreed = new("Ada", "Lovelace", "ada@example.com", "+447400900123");

    private static ShopifySyncOptions Options(bool outbound = true, bool refreshEmail = false, bool inbound = true)
        => new() { UpdateUsersInShopify = outbound, RefreshEmailFromShopify = refreshEmail, InboundEnabled = inbound };

    [Fact]
    public void A_name_changed_in_Shopify_since_the_last_sync_is_taken_from_Shopify()
    {
        var decision = ReconciliationRules.Compare(Agreed with { LastName = "King" }, Agreed, Agreed, Options());

        var field = Assert.Single(decision.Fields);
        Assert.Equal((ProfileFields.LastName, "King", "Lovelace", ChangedSide.Shopify), (field.Field, field.Shopify, field.Site, field.ChangedOn));
        Assert.Equal(ReconcileDirection.ApplyShopify, decision.Direction);
    }

    [Fact]
    public void A_phone_changed_on_the_site_only_is_pushed_although_Shopify_owns_phones()
    {
        var decision = ReconciliationRules.Compare(Agreed, Agreed with { Phone = "+447400900999" }, Agreed, Options());

        Assert.Equal(ChangedSide.Site, Assert.Single(decision.Fields).ChangedOn);
        Assert.Equal(ReconcileDirection.PushSite, decision.Direction);
    }

    [Fact]
    public void An_email_changed_in_Shopify_is_not_taken_while_the_site_owns_emails()
    {
        var siteOwns = ReconciliationRules.Compare(Agreed with { Email = "ada@new.example.com" }, Agreed, Agreed, Options());
        var shopifyOwns = ReconciliationRules.Compare(Agreed with { Email = "ada@new.example.com" }, Agreed, Agreed, Options(refreshEmail: true));

        Assert.Equal(ReconcileDirection.PushSite, siteOwns.Direction);
        Assert.Equal(ReconcileDirection.ApplyShopify, shopifyOwns.Direction);
    }

    [Fact]
    public void Without_an_agreed_profile_the_owner_of_each_field_wins_and_a_mix_is_left_to_the_administrator()
    {
        var names = ReconciliationRules.Compare(Agreed with { FirstName = "Augusta" }, Agreed, synced: null, Options());
        var mixed = ReconciliationRules.Compare(Agreed with { FirstName = "Augusta", Email = "augusta@example.com" }, Agreed, synced: null, Options());

        Assert.Equal(ChangedSide.Unknown, Assert.Single(names.Fields).ChangedOn);
        Assert.Equal(ReconcileDirection.ApplyShopify, names.Direction);
        Assert.Equal(2, mixed.Fields.Count);
        Assert.Equal(ReconcileDirection.None, mixed.Direction);
        Assert.Contains("choose", mixed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_direction_whose_switch_is_off_is_not_suggested()
    {
        var pushOff = ReconciliationRules.Compare(Agreed, Agreed with { LastName = "Byron" }, Agreed, Options(outbound: false));
        var inboundOff = ReconciliationRules.Compare(Agreed with { LastName = "King" }, Agreed, Agreed, Options(inbound: false));

        Assert.Equal(ReconcileDirection.None, pushOff.Direction);
        Assert.Contains("UpdateUsersInShopify", pushOff.Reason, StringComparison.Ordinal);
        Assert.Equal(ReconcileDirection.None, inboundOff.Direction);
    }

    [Fact]
    public void Equal_profiles_have_no_difference_and_phones_compare_in_E164()
    {
        var customer = new ShopifyCustomer(1, Agreed with { Phone = "+44 7400 900123", Email = "ADA@example.com" }, DateTimeOffset.UnixEpoch);
        var options = Options();

        var decision = ReconciliationRules.Compare(ReconciliationRules.ShopifyProfile(customer, options), Agreed, null, options);

        Assert.Empty(decision.Fields);
    }
}
