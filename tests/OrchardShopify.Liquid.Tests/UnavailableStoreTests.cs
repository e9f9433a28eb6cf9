using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OrchardShopify.Liquid.Tests.Support;

namespace OrchardShopify.Liquid.Tests;

/// <summary>
/// What the tags do when nothing can be read: the sync not configured yet, a store without an Admin API token, a
/// visitor's page link naming the cursor twice. The page renders on (the tags' bodies with nothing to show); only the
/// template's own mistakes fail it.
/// </summary>
[Collection(ShopCollection.Name)]
public sealed class UnavailableStoreTests(ShopFixture shop)
{
    private const string EveryTag = """
        {% shopify_customer store: "uk" %}customer not_found={{ not_found }} signed_in={{ signed_in }} store={{ store }};{% endshopify_customer %}
        {% shopify_customer_orders store: "uk" %}orders={{ orders_count }} not_found={{ not_found }};{% endshopify_customer_orders %}
        {% shopify_customer_addresses store: "uk" %}addresses={{ addresses_count }} not_found={{ not_found }};{% endshopify_customer_addresses %}
        {% shopify_address_form store: "uk" %}{% if form %}form={{ form.store }}{% else %}no form{% endif %} signed_in={{ signed_in }};{% endshopify_address_form %}
        """;

    [Fact]
    public async Task With_no_store_configured_yet_every_tag_renders_its_body_with_nothing_to_show_for_every_visitor()
    {
        await using var unconfigured = LiquidSite.Create(shop.Emulator, multiStore: false, withAccessToken: true);

        var anonymous = await unconfigured.RenderAsync(EveryTag, null);
        var signedIn = await unconfigured.RenderAsync(EveryTag, ShopFixture.Ada);

        Assert.Equal(
            "customer not_found=true signed_in=false store=uk;orders=0 not_found=true;addresses=0 not_found=true;no form signed_in=false;",
            OneLine(anonymous));
        Assert.Equal(
            "customer not_found=true signed_in=true store=uk;orders=0 not_found=true;addresses=0 not_found=true;no form signed_in=true;",
            OneLine(signedIn));
    }

    [Fact]
    public async Task A_store_without_an_access_token_shows_nothing_to_a_linked_customer_instead_of_failing_the_page()
    {
        await using var webhooksOnly = LiquidSite.Create(shop.Emulator, multiStore: false, withAccessToken: false, ShopifyShops.Uk);
        await webhooksOnly.LinkAsync(ShopFixture.Ada, "uk", shop.AdaUk);

        var linked = await webhooksOnly.RenderAsync(EveryTag, ShopFixture.Ada);

        Assert.Equal(
            "customer not_found=true signed_in=true store=uk;orders=0 not_found=true;addresses=0 not_found=true;no form signed_in=true;",
            OneLine(linked));
    }

    [Fact]
    public async Task A_page_link_naming_the_cursor_twice_renders_the_first_page_message_not_an_error()
    {
        const string Template = """{% shopify_customer_orders store: "uk", after: query["after"] %}count={{ orders_count }} error={{ page_error }}{% endshopify_customer_orders %}|{% shopify_customer_addresses store: "uk", after: query["after"] %}addresses={{ addresses_count }} error={{ page_error }}{% endshopify_customer_addresses %}""";
        var twice = new Dictionary<string, object> { ["query"] = new Dictionary<string, object> { ["after"] = new[] { "a", "b" } } };

        var signedIn = await shop.MultiStore.RenderAsync(Template, ShopFixture.Ada, twice);
        var anonymous = await shop.MultiStore.RenderAsync(Template, null, twice);

        Assert.Matches("^count=0 error=.*start again from the first page.*\\|addresses=0 error=.*start again from the first page", signedIn);
        Assert.Equal("count=0 error=|addresses=0 error=", anonymous);
    }

    [Fact]
    public async Task The_address_form_names_an_unknown_store_as_the_other_tags_do()
    {
        var error = await Assert.ThrowsAsync<ShopifyTagException>(() =>
            shop.MultiStore.RenderAsync("""{% shopify_address_form store: "mars" %}{{ form.action }}{% endshopify_address_form %}""", ShopFixture.Ada));

        Assert.Equal("shopify_address_form: No enabled store has the handle 'mars'. Configured: uk, us.", error.Message);
    }

    [Fact]
    public async Task The_address_form_and_the_customer_tag_agree_on_who_is_signed_in_when_the_host_names_another_user_id_claim()
    {
        // The host's users are identified by "sub"; this visitor carries only the name identifier claim.
        var identity = Options.Create(new IdentityOptions());
        identity.Value.ClaimsIdentity.UserIdClaimType = "sub";

        var html = await shop.MultiStore.RenderAsync(
            """{% shopify_customer store: "uk" %}customer={{ signed_in }}{% endshopify_customer %} {% shopify_address_form store: "uk" %}form={{ signed_in }}{% endshopify_address_form %}""",
            ShopFixture.Ada,
            decorate: services => new OverridingServices(services, typeof(IOptions<IdentityOptions>), identity));

        Assert.Equal("customer=false form=false", html);
    }

    private static string OneLine(string html) => string.Concat(html.Split('\n', StringSplitOptions.TrimEntries));
}
