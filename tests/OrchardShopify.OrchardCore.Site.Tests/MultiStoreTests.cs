using System.Net;
using AngleSharp.Html.Dom;
using OrchardShopify.OrchardCore.Site.Tests.Support;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.OrchardCore.Site.Tests;

/// <summary>Two stores on one site: webhook registration, signed deliveries per store, and the admin user editor.</summary>
public sealed partial class MultiStoreTests(MultiStoreSiteFixture site) : SiteTest<MultiStoreSiteFixture>(site), IClassFixture<MultiStoreSiteFixture>
{
    private static readonly DateTimeOffset Created = new(2026, 10, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly ShopifyWebhookSigner _uk = new(OrchardSiteFixture.UkDomain, OrchardSiteFixture.UkSecret);
    private readonly ShopifyWebhookSigner _us = new(OrchardSiteFixture.UsDomain, OrchardSiteFixture.UsSecret);

    [Fact]
    public async Task Register_webhooks_subscribes_this_site_to_the_customer_topics_of_both_stores()
    {
        using var browser = Site.NewBrowser();
        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);
        var settings = await browser.GetAsync("/Admin/Settings/shopify");
        var button = settings.Document.QuerySelectorAll("button[formaction]").OfType<IHtmlButtonElement>()
            .Single(b => b.GetAttribute("formaction")!.Contains("RegisterWebhooks", StringComparison.Ordinal));

        // Enter in a settings field submits the form with its first submit button: that must save, not register webhooks.
        var defaultButton = ((IHtmlFormElement)button.Closest("form")!).QuerySelectorAll("button, input[type=submit]")
            .First(b => b is IHtmlButtonElement { Type: "submit" } || b is IHtmlInputElement { Type: "submit" });
        Assert.False(defaultButton.HasAttribute("formaction"), $"Enter would post to {defaultButton.GetAttribute("formaction")}");

        var result = await browser.SubmitAsync((IHtmlFormElement)button.Closest("form")!, submitter: button);

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.EndsWith("/Admin/Settings/shopify", result.Address.AbsolutePath, StringComparison.Ordinal);
        var notices = string.Join(" | ", result.Document.QuerySelectorAll(".alert").Select(a => a.TextContent.Trim()));
        Assert.Contains("Store uk: 3 customer webhooks created", notices, StringComparison.Ordinal);
        Assert.Contains("Store us: 3 customer webhooks created", notices, StringComparison.Ordinal);
        foreach (var domain in new[] { OrchardSiteFixture.UkDomain, OrchardSiteFixture.UsDomain })
        {
            var subscriptions = Site.Emulator.State.Subscriptions.ForShop(domain);
            Assert.Equal(
                ["CUSTOMERS_CREATE", "CUSTOMERS_DELETE", "CUSTOMERS_UPDATE"],
                subscriptions.Select(s => s.Topic).Order(StringComparer.Ordinal).ToArray());
            Assert.All(subscriptions, s => Assert.Equal(new Uri("http://localhost/!/shopify/webhook"), s.CallbackUrl));
        }

        // Registering again keeps the subscriptions (none twice).
        settings = await browser.GetAsync("/Admin/Settings/shopify");
        button = settings.Document.QuerySelectorAll("button[formaction]").OfType<IHtmlButtonElement>()
            .Single(b => b.GetAttribute("formaction")!.Contains("RegisterWebhooks", StringComparison.Ordinal));
        await browser.SubmitAsync((IHtmlFormElement)button.Closest("form")!, submitter: button);
        Assert.Equal(3, Site.Emulator.State.Subscriptions.ForShop(OrchardSiteFixture.UkDomain).Count);
    }

    [Fact]
    public async Task Signed_creates_from_both_stores_make_one_user_with_shopify_ids_per_store_and_a_repeated_delivery_is_ignored()
    {
        var inUk = new ShopifyCustomerVersion(7_300_000_001, "ngoc.multi@example.com", "Ngọc Anh", "Nguyễn", "+447700900301", Created, Created);
        var inUs = inUk with { Id = 7_300_000_002 };
        using var http = Site.CreateClient();

        Assert.Equal(HttpStatusCode.OK, await SendAsync(http, _uk.Customer("customers/create", inUk, "multi-uk-1", Created)));
        await OrchardSiteFixture.EventuallyAsync(() => Site.FindUserByEmailAsync(inUk.Email!), u => u?.Properties["ShopifyUserPart"]?["shopify_ids"]?["uk"] is not null, "the uk link");
        Assert.Equal(HttpStatusCode.OK, await SendAsync(http, _us.Customer("customers/create", inUs, "multi-us-1", Created)));
        var user = await OrchardSiteFixture.EventuallyAsync(() => Site.FindUserByEmailAsync(inUk.Email!), u => u?.Properties["ShopifyUserPart"]?["shopify_ids"]?["us"] is not null, "the us link");

        var part = user!.Properties["ShopifyUserPart"]!;
        Assert.Equal(inUk.Id, (long)part["shopify_ids"]!["uk"]!);
        Assert.Equal(inUs.Id, (long)part["shopify_ids"]!["us"]!);
        Assert.Null(part["shopify_id"]);
        Assert.Equal("Ngọc Anh", (string?)part["FirstName"]);

        // Shopify retries with the same X-Shopify-Webhook-Id: acknowledged, not stored or applied again. Its body (changed
        // here, and newer) is never read: had it been applied, the update below, older than it, would be stale and ignored.
        var retried = _uk.Customer("customers/create", inUk with { FirstName = "Changed", UpdatedAt = Created.AddMinutes(10) }, "multi-uk-1", Created);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(http, retried));
        Assert.Contains(Site.Logs.GetSnapshot(), e => e.Message.Contains("already stored (multi-uk-1); ignored", StringComparison.Ordinal));
        var later = _uk.Customer("customers/update", inUk with { LastName = "Nguyễn-Later", UpdatedAt = Created.AddMinutes(6) }, "multi-uk-2", Created.AddMinutes(6));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(http, later));
        user = await OrchardSiteFixture.EventuallyAsync(() => Site.FindUserByEmailAsync(inUk.Email!), u => (string?)u?.Properties["ShopifyUserPart"]?["LastName"] == "Nguyễn-Later", "the later update");
        Assert.Equal("Ngọc Anh", (string?)user!.Properties["ShopifyUserPart"]!["FirstName"]);
    }

    [Fact]
    public async Task Unsigned_or_wrongly_signed_deliveries_get_401_and_change_nothing()
    {
        var stranger = new ShopifyCustomerVersion(7_300_000_010, "mallory.multi@example.com", "Mallory", "Forger", null, Created, Created);
        using var http = Site.CreateClient();
        var signed = _uk.Customer("customers/create", stranger, "multi-forged-1", Created);

        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(http, signed.WithoutHeader(SignedDelivery.HmacHeader)));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(http, new ShopifyWebhookSigner(OrchardSiteFixture.UkDomain, "not-the-secret").Customer("customers/create", stranger, "multi-forged-2", Created)));
        // Signed with the other store's secret but claiming to come from uk.
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(http, new ShopifyWebhookSigner(OrchardSiteFixture.UkDomain, OrchardSiteFixture.UsSecret).Customer("customers/create", stranger, "multi-forged-3", Created)));

        await Task.Delay(500);
        Assert.Null(await Site.FindUserByEmailAsync(stranger.Email!));
    }

    [Fact]
    public async Task The_user_editor_shows_the_Shopify_section_with_the_linked_customers()
    {
        var customer = new ShopifyCustomerVersion(7_300_000_020, "jurgen.editor@example.com", "Jürgen", "Müller", null, Created, Created);
        using var http = Site.CreateClient();
        Assert.Equal(HttpStatusCode.OK, await SendAsync(http, _uk.Customer("customers/create", customer, "multi-editor-1", Created)));
        var user = await OrchardSiteFixture.EventuallyAsync(() => Site.FindUserByEmailAsync(customer.Email!), u => u?.Properties["ShopifyUserPart"]?["shopify_ids"]?["uk"] is not null, "the link");

        using var browser = Site.NewBrowser();
        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);
        var editor = await browser.GetAsync($"/Admin/Users/Edit/{user!.UserId}");

        Assert.Equal(HttpStatusCode.OK, editor.Status);
        var names = editor.Document.QuerySelectorAll("input[name]").Select(i => i.GetAttribute("name")!).ToList();
        Assert.Contains(names, n => n.EndsWith("FirstName", StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith("LastName", StringComparison.Ordinal));
        Assert.Equal("Jürgen", editor.Document.QuerySelectorAll("input[name]").OfType<IHtmlInputElement>().First(i => i.Name!.EndsWith("FirstName", StringComparison.Ordinal)).Value);
        Assert.Contains("7300000020", editor.Document.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Not linked to a Shopify customer", editor.Document.Body!.TextContent, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient http, SignedDelivery delivery)
    {
        using var request = delivery.ToRequest();
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
