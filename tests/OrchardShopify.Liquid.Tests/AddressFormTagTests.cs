using Fluid;
using OrchardShopify.Liquid.Tests.Support;

namespace OrchardShopify.Liquid.Tests;

[Collection(ShopCollection.Name)]
public sealed class AddressFormTagTests(ShopFixture shop)
{
    [Fact]
    public async Task Renders_the_form_action_and_the_antiforgery_field_for_the_signed_in_user()
    {
        var html = await shop.MultiStore.RenderAsync(
            """
            {% shopify_address_form store: "uk", address_id: "gid://shopify/MailingAddress/42?model_name=CustomerAddress" %}action={{ form.action }} name={{ form.token_name }} token={{ form.token | size }} store={{ form.store }} id={{ form.address_id }} posted={{ form.posted }} signed_in={{ signed_in }} fields={{ form.fields | join: "," }}{% endshopify_address_form %}
            """,
            ShopFixture.Ada);

        Assert.Contains("action=/!/shopify/account/addresses name=__RequestVerificationToken token=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("token=0 ", html, StringComparison.Ordinal);
        Assert.Contains("store=uk id=gid://shopify/MailingAddress/42?model_name=CustomerAddress posted=false signed_in=true", html, StringComparison.Ordinal);
        Assert.Contains("fields=first_name,last_name,company,address1,address2,city,province_code,country_code,zip,phone", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{% shopify_address_form address_id: "not-an-id" %}{% endshopify_address_form %}""", "shopify_address_form: address_id must be an address's id such as address.id (got 'not-an-id')")]
    [InlineData("""{% shopify_address_form customer_id: 5 %}{% endshopify_address_form %}""", "shopify_address_form has no argument 'customer_id'; it takes store, address_id")]
    public void Bad_arguments_fail_the_parse_with_a_precise_message(string template, string expected)
    {
        var parser = new FluidParser().RegisterShopifyCustomerTags();

        Assert.False(parser.TryParse(template, out _, out var error));
        Assert.StartsWith(expected + " at (", error, StringComparison.Ordinal);
    }
}
