using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Liquid.Tests.Support;

namespace OrchardShopify.Liquid.Tests;

/// <summary><c>signals</c> inside <c>shopify_customer</c>: the commerce signals stored on the signed-in user's own link.</summary>
[Collection(ShopCollection.Name)]
public sealed class SignalsTests(ShopFixture shop)
{
    private const string Template = """
        {% shopify_customer store: "uk" %}{% if signals == nil %}no-signals{% else %}orders={{ signals.orders_count }}|spent={{ signals.total_spent.amount }} {{ signals.total_spent.currency_code }}|tags={{ signals.tags | join: "," }}|email={{ signals.email_marketing_state }}|state={{ signals.state }}|verified={{ signals.verified_email }}{% if signals.tags contains "wholesale" %}|WHOLESALE{% endif %}{% endif %}{% endshopify_customer %}
        """;

    [Fact]
    public async Task The_signed_in_users_own_stored_signals_are_shown_escaped_and_a_user_without_a_link_has_none()
    {
        await using var site = LiquidSite.Create(shop.Emulator, multiStore: false, ShopifyShops.Uk);
        var at = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        await site.Links.TryAddAsync(
            new CustomerLink("uk", shop.AdaUk, ShopFixture.Ada, at)
            {
                Signals = new CustomerSignals { NumberOfOrders = 3, AmountSpent = 227.48m, Currency = "GBP", Tags = ["wholesale", "<b>vip</b>"], EmailMarketingState = "subscribed", State = "enabled", VerifiedEmail = true, UpdatedAt = at },
            },
            CancellationToken.None);
        await site.Links.TryAddAsync(new CustomerLink("uk", shop.GraceUk, ShopFixture.Grace, at), CancellationToken.None);

        var ada = await site.RenderAsync(Template, ShopFixture.Ada);
        var grace = await site.RenderAsync(Template, ShopFixture.Grace);
        var nobody = await site.RenderAsync(Template, ShopFixture.Nobody);

        Assert.Contains("orders=3|spent=227.48 GBP|tags=wholesale,&lt;b&gt;vip&lt;/b&gt;|email=subscribed|state=enabled|verified=true|WHOLESALE", ada, StringComparison.Ordinal);
        Assert.Contains("orders=|spent= |tags=|email=|state=|verified=", grace, StringComparison.Ordinal);
        Assert.DoesNotContain("WHOLESALE", grace, StringComparison.Ordinal);
        Assert.Contains("no-signals", nobody, StringComparison.Ordinal);
    }
}
