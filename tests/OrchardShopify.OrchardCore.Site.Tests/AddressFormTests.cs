using System.Globalization;
using System.Net;
using AngleSharp.Html.Dom;
using OrchardShopify.Emulator.Customers;
using OrchardShopify.OrchardCore.Site.Tests.Support;

namespace OrchardShopify.OrchardCore.Site.Tests;

/// <summary>The sample's <c>/account</c> Liquid page posts the address forms the <c>shopify_address_form</c> block renders.</summary>
public sealed partial class MultiStoreTests
{
    [Fact]
    public async Task Account_page_posts_the_liquid_rendered_address_form_with_its_token_and_shows_shopifys_field_error()
    {
        var shop = Site.Emulator.Shops[OrchardSiteFixture.UkDomain];
        var (mine, _, _) = shop.Create(new Dictionary<string, object?>
        {
            ["email"] = "liquid.forms@example.com",
            ["firstName"] = "Liquid",
            ["lastName"] = "Forms",
            ["addresses"] = new List<object?> { new Dictionary<string, object?> { ["address1"] = "1 Castle St", ["city"] = "Edinburgh", ["countryCode"] = "GB", ["zip"] = "EH1 2DP" } },
        });
        var (theirs, _, _) = shop.Create(new Dictionary<string, object?>
        {
            ["email"] = "liquid.other@example.com",
            ["addresses"] = new List<object?> { new Dictionary<string, object?> { ["address1"] = "9 Quay", ["city"] = "Cardiff", ["countryCode"] = "GB" } },
        });
        await Site.CreateMemberAsync("liquid-forms", mine!.Email!, MemberPassword);
        using (var http = Site.CreateClient())
        {
            using var request = _uk.Customer("customers/create", Version(mine), $"liquid-forms-{mine.Id}", mine.UpdatedAt).ToRequest();
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await OrchardSiteFixture.EventuallyAsync(
                () => Site.FindUserByEmailAsync(mine.Email!), u => (long?)u?.Properties["ShopifyUserPart"]?["shopify_ids"]?["uk"] == mine.Id, "the link of " + mine.Email);
        }

        using var browser = Site.NewBrowser();
        await browser.SignInAsync("liquid-forms", MemberPassword);
        var page = await browser.GetAsync("/account");
        var newForm = NewAddressForm(page);
        Assert.Equal("/!/shopify/account/addresses", new Uri(newForm.Action).AbsolutePath);
        var token = newForm.Elements.OfType<IHtmlInputElement>().Single(i => i.Name == "__RequestVerificationToken");
        Assert.False(string.IsNullOrEmpty(token.Value));

        // A postcode that does not fit: the page comes back with Shopify's words next to the field and the values kept.
        var refused = await browser.SubmitAsync(newForm, new Dictionary<string, string>
        {
            ["address1"] = "10 Downing St", ["city"] = "London", ["country_code"] = "GB", ["zip"] = "NOT A POSTCODE",
        });
        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.Equal("/account", refused.Address.AbsolutePath);
        var uk = Store(refused, "uk");
        Assert.Equal("Zip is not valid for United Kingdom", uk.QuerySelector(".shopify-address-new .shopify-field-error[data-field=zip]")?.TextContent);
        Assert.Equal("London", uk.QuerySelector(".shopify-address-new input[name=city]")?.GetAttribute("value"));
        Assert.Null(uk.QuerySelector(".shopify-address-new .shopify-field-error[data-field=city]"));
        Assert.Single(shop.Find(mine.Id)!.Addresses);

        // Corrected and made the default: Shopify has it and the page shows it at once.
        var saved = await browser.SubmitAsync(NewAddressForm(refused), new Dictionary<string, string>
        {
            ["address1"] = "10 Downing St", ["city"] = "London", ["country_code"] = "GB", ["zip"] = "SW1A 2AA", ["set_as_default"] = "true",
        });
        Assert.Equal("Address added.", Store(saved, "uk").QuerySelector(".shopify-address-message[data-succeeded=true]")?.TextContent);
        var stored = shop.Find(mine.Id)!;
        Assert.Equal(2, stored.Addresses.Length);
        Assert.Equal("London", stored.DefaultAddress!.City);
        Assert.Contains(Store(saved, "uk").QuerySelectorAll(".shopify-address"), a => a.TextContent.Contains("SW1A 2AA", StringComparison.Ordinal) && a.TextContent.Contains("(default)", StringComparison.Ordinal));

        // Delete the Edinburgh address with its own form's button.
        var edinburgh = stored.Addresses.Single(a => a.City == "Edinburgh").Id.ToString(CultureInfo.InvariantCulture);
        var editForm = Store(saved, "uk").QuerySelectorAll("form.shopify-address-edit").OfType<IHtmlFormElement>()
            .Single(f => f.Elements.OfType<IHtmlInputElement>().Any(i => i.Name == "address_id" && i.Value.EndsWith("/" + edinburgh + "?model_name=CustomerAddress", StringComparison.Ordinal)));
        var deleteButton = editForm.Elements.OfType<IHtmlButtonElement>().Single(b => b.Value == "delete");
        await browser.SubmitAsync(editForm, submitter: deleteButton);
        Assert.Equal(["London"], shop.Find(mine.Id)!.Addresses.Select(a => a.City));

        // Another customer's address id posted in the form is refused; their address is untouched.
        var probe = NewAddressForm(await browser.GetAsync("/account"));
        var theirAddress = theirs!.Addresses[0].Id.ToString(CultureInfo.InvariantCulture);
        var intent = (IHtmlInputElement)probe.Elements.OfType<IHtmlInputElement>().Single(i => i.Name == "intent");
        intent.Value = "delete";
        ((IHtmlInputElement)probe.Elements.OfType<IHtmlInputElement>().Single(i => i.Name == "address_id")).Value = theirAddress;
        await browser.SubmitAsync(probe);
        Assert.Equal(theirs.Addresses, shop.Find(theirs.Id)!.Addresses);

        // Without the token the post is refused before anything is read.
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/!/shopify/account/addresses")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["store"] = "uk", ["intent"] = "create", ["address1"] = "1 Forged Rd", ["country_code"] = "GB" }),
        };
        forged.Headers.Add("Origin", "http://localhost");
        using var answer = await browser.Http.SendAsync(forged);
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("antiforgery_token_missing", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["London"], shop.Find(mine.Id)!.Addresses.Select(a => a.City));
    }

    private static IHtmlFormElement NewAddressForm(SitePage page) =>
        Store(page, "uk").QuerySelector("form.shopify-address-new") as IHtmlFormElement
        ?? throw new InvalidOperationException($"No new-address form on {page.Address}:{Environment.NewLine}{page.Html}");
}
