using System.Net;
using AngleSharp.Html.Dom;
using OrchardShopify.OrchardCore.Site.Tests.Support;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.OrchardCore.Site.Tests;

/// <summary>The site set up from the recipe without the Shopify features.</summary>
public sealed class BareSiteFixture : OrchardSiteFixture
{
    protected override string Recipe => "OrchardShopifyBare";
}

public sealed class FeatureTests(BareSiteFixture site) : SiteTest<BareSiteFixture>(site), IClassFixture<BareSiteFixture>
{
    [Fact]
    public async Task Enabling_the_sync_from_Admin_Features_maps_the_webhook_endpoint_and_the_settings_page()
    {
        var customer = new ShopifyCustomerVersion(7_400_000_001, "soren.features@example.com", "Søren", "Øster", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        var delivery = new ShopifyWebhookSigner(OrchardSiteFixture.UkDomain, OrchardSiteFixture.UkSecret).Customer("customers/create", customer, "features-1", customer.UpdatedAt);
        using var browser = Site.NewBrowser();
        using (var before = await browser.Http.SendAsync(delivery.ToRequest()))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }

        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);
        Assert.Null((await browser.GetAsync("/Admin/Settings/shopify")).Document.QuerySelector("input[name$='Stores[0].ShopDomain']"));
        var features = await browser.GetAsync("/Admin/Features");
        Assert.Equal(HttpStatusCode.OK, features.Status);

        // What the page's script does for "Enable" in the bulk actions: tick the feature, set the action, press the hidden submit.
        var sync = features.Document.QuerySelector("input[name='featureIds'][value='OrchardShopify.Sync']") as IHtmlInputElement;
        Assert.NotNull(sync);
        Assert.False(sync!.IsChecked);
        sync.IsChecked = true;
        var form = (IHtmlFormElement)sync.Closest("form")!;
        ((IHtmlInputElement)form.QuerySelector("input[name='BulkAction']")!).Value = "Enable";
        var submit = (IHtmlInputElement)form.QuerySelector("input[name='submit.BulkAction']")!;
        var enabled = await browser.SubmitAsync(form, submitter: submit);

        Assert.Equal(HttpStatusCode.OK, enabled.Status);
        Assert.EndsWith("/Admin/Features", enabled.Address.AbsolutePath, StringComparison.Ordinal);

        // The endpoint exists now; with no store configured it asks Shopify to retry later.
        using (var after = await browser.Http.SendAsync(delivery.ToRequest()))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, after.StatusCode);
        }

        var settings = await browser.GetAsync("/Admin/Settings/shopify");
        Assert.Equal(HttpStatusCode.OK, settings.Status);
        Assert.NotNull(settings.Document.QuerySelector("input[name$='Stores[0].ShopDomain']"));

        // The users admin works before any store is set up: the list, and the user editor with its Shopify section
        // offering no store to link to, saved as it stands.
        var users = await browser.GetAsync("/Admin/Users/Index");
        Assert.Equal(HttpStatusCode.OK, users.Status);
        var edit = users.Document.QuerySelectorAll("a[href*='/Admin/Users/Edit/']").OfType<IHtmlAnchorElement>().First();
        var editor = await browser.GetAsync(new Uri(edit.Href).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, editor.Status);
        Assert.NotNull(editor.Document.QuerySelector("input[name$='ShopifyUserPart.FirstName']"));
        Assert.Null(editor.Document.QuerySelector("select[name='ShopifyLink.Store']"));
        var saved = await browser.SubmitAsync(editor.FormOf("input[name$='ShopifyUserPart.FirstName']"));
        Assert.Equal(HttpStatusCode.OK, saved.Status);
        Assert.Null(saved.Document.QuerySelector(".validation-summary-errors li, .field-validation-error"));

        // An Unlink posted from a page shown while the settings were valid (the editor hides it now) is refused with the
        // reason, on the editor, instead of failing.
        Assert.Null(editor.Document.QuerySelector("button[name='ShopifyUnlink.Store']"));
        var userId = new Uri(edit.Href).AbsolutePath.Split('/')[^1];
        var editorForm = editor.FormOf("input[name$='ShopifyUserPart.FirstName']");
        var unlink = editor.Document.CreateElement("button");
        unlink.SetAttribute("type", "submit");
        unlink.SetAttribute("name", "ShopifyUnlink.Store");
        unlink.SetAttribute("value", "uk");
        unlink.SetAttribute("formaction", $"/Admin/Shopify/UnlinkCustomer?userId={userId}");
        editorForm.AppendChild(unlink);
        var refused = await browser.SubmitAsync(editorForm, submitter: (IHtmlElement)unlink);

        Assert.Equal(HttpStatusCode.OK, refused.Status);
        Assert.Contains($"/Admin/Users/Edit/{userId}", refused.Address.AbsolutePath, StringComparison.Ordinal);
        Assert.Contains("Not unlinked: the Shopify sync's settings are not valid yet", refused.Document.Body!.TextContent, StringComparison.Ordinal);
    }
}
