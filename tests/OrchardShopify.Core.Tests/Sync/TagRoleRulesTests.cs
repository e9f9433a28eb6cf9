using Microsoft.Extensions.Configuration;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.Core.Tests.Sync;

/// <summary>Segments to roles: the rule over a user's links, and the validation of <c>Shopify:TagRoles</c>.</summary>
public sealed class TagRoleRulesTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static readonly TagRoleMapping[] Map =
    [
        new() { Tag = "wholesale", Role = "Wholesale" },
        new() { Tag = "vip", Role = "VIP", Store = "uk" },
        new() { Tag = "club", Role = "VIP", Store = "us" },
    ];

    private static CustomerLink Link(string store, params string[] tags) =>
        new(store, store == "uk" ? 1 : 2, "u1", At) { Signals = new CustomerSignals { Tags = tags, UpdatedAt = At } };

    [Fact]
    public void A_mapped_tag_in_any_store_grants_its_role_and_roles_outside_the_map_are_left_alone()
    {
        var decision = TagRoleRules.Decide(Map, [Link("uk"), Link("us", "Wholesale ")], ["Editor"], mayGrant: true);

        Assert.Equal(["Wholesale"], decision.Add);
        Assert.Empty(decision.Remove);
    }

    [Fact]
    public void A_store_bound_tag_counts_only_in_its_store()
    {
        Assert.Empty(TagRoleRules.Decide(Map, [Link("us", "vip")], [], mayGrant: true).Add);
        Assert.Equal(["VIP"], TagRoleRules.Decide(Map, [Link("us", "club")], [], mayGrant: true).Add);
        Assert.Equal(["VIP"], TagRoleRules.Decide(Map, [Link("uk", "vip")], [], mayGrant: true).Add);
    }

    [Fact]
    public void A_role_is_revoked_when_no_store_that_maps_it_has_the_tag_and_kept_while_one_does()
    {
        Assert.Equal(["VIP"], TagRoleRules.Decide(Map, [Link("uk"), Link("us")], ["VIP", "Editor"], mayGrant: true).Remove);
        Assert.True(TagRoleRules.Decide(Map, [Link("uk"), Link("us", "club")], ["VIP"], mayGrant: true).IsEmpty);
        Assert.Equal(["wholesale"], TagRoleRules.Decide(Map, [Link("uk", "vip")], ["wholesale"], mayGrant: true).Remove);
    }

    [Fact]
    public void A_link_without_signals_yet_revokes_nothing_it_maps()
    {
        var unknown = new CustomerLink("us", 2, "u1", At);

        Assert.True(TagRoleRules.Decide(Map, [Link("uk"), unknown], ["Wholesale", "VIP"], mayGrant: true).IsEmpty);
    }

    [Fact]
    public void An_unconfirmed_identity_is_granted_nothing_but_still_loses_what_its_tags_no_longer_give()
    {
        Assert.Empty(TagRoleRules.Decide(Map, [Link("uk", "wholesale")], [], mayGrant: false).Add);
        Assert.Equal(["VIP"], TagRoleRules.Decide(Map, [Link("uk", "wholesale"), Link("us")], ["VIP"], mayGrant: false).Remove);
    }

    [Fact]
    public void Empty_tags_and_roles_stores_nobody_has_and_excluded_roles_are_refused_with_the_key_at_fault()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Shopify:Stores:uk:ShopDomain"] = "uk-demo.myshopify.com",
            ["Shopify:Stores:uk:WebhookSecret"] = "s1",
            ["Shopify:TagRoles:0:Tag"] = "wholesale",
            ["Shopify:TagRoles:0:Role"] = "Wholesale",
            ["Shopify:TagRoles:1:Tag"] = " ",
            ["Shopify:TagRoles:1:Role"] = "VIP",
            ["Shopify:TagRoles:2:Tag"] = "vip",
            ["Shopify:TagRoles:2:Role"] = "",
            ["Shopify:TagRoles:3:Tag"] = "staff",
            ["Shopify:TagRoles:3:Role"] = "administrator",
            ["Shopify:TagRoles:4:Tag"] = "club",
            ["Shopify:TagRoles:4:Role"] = "VIP",
            ["Shopify:TagRoles:4:Store"] = "us",
            ["Shopify:TagRoles:5:Tag"] = "a, b",
            ["Shopify:TagRoles:5:Role"] = "VIP",
        }).Build();
        var options = new ShopifySyncOptions();
        configuration.GetSection("Shopify").Bind(options);

        Assert.Equal(
            [
                "Shopify:TagRoles:1:Tag is empty; name the Shopify customer tag that grants the role 'VIP'.",
                "Shopify:TagRoles:2:Role is empty; name the site role the tag 'vip' grants.",
                "Shopify:TagRoles:3:Role 'administrator' is one of Shopify:ExcludedRoles; a Shopify tag never grants a role the sync leaves alone.",
                "Shopify:TagRoles:4:Store 'us' is not a configured store (uk); leave it empty for any store.",
                "Shopify:TagRoles:5:Tag 'a, b' is not one Shopify tag (at most 255 characters, no comma).",
            ],
            ShopifySyncOptionsValidator.Validate(options));
    }
}
