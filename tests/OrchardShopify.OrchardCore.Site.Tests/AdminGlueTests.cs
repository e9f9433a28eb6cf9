using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.Core.Ports;
using OrchardShopify.Emulator.Customers;
using OrchardShopify.OrchardCore.Site.Tests.Support;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.OrchardCore.Site.Tests;

/// <summary>
/// A tenant configured only by <c>OrchardCore:OrchardShopify:*</c> (environment / appsettings): creation from Shopify and
/// pushes to Shopify on, calling code 44, the emulated store <c>uk</c> with its token and secret; nothing saved on the page.
/// </summary>
public sealed class ConfiguredSiteFixture : OrchardSiteFixture
{
    protected override void ConfigureShopify(IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings[Section + ":CreateUsersFromShopify"] = "true";
        settings[Section + ":UpdateUsersInShopify"] = "true";
        settings[Section + ":DefaultCountryCallingCode"] = "44";
        AddStore(settings, "uk", UkDomain, UkSecret);
    }
}

/// <summary>The module's admin pages driven as an administrator does: the settings page and the user editor.</summary>
public sealed class AdminGlueTests(ConfiguredSiteFixture site) : SiteTest<ConfiguredSiteFixture>(site), IClassFixture<ConfiguredSiteFixture>
{
    private readonly ShopifyWebhookSigner _signer = new(OrchardSiteFixture.UkDomain, OrchardSiteFixture.UkSecret);

    [Fact]
    public async Task Settings_page_shows_the_configured_values_an_untouched_save_keeps_them_and_the_next_customers_create_creates_the_user()
    {
        using var browser = Site.NewBrowser();
        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);

        var page = await browser.GetAsync("/Admin/Settings/shopify");

        Assert.True(Checkbox(page, "CreateUsersFromShopify").IsChecked);
        Assert.Equal("44", Input(page, "DefaultCountryCallingCode").Value);
        Assert.Equal(OrchardSiteFixture.UkDomain, Input(page, "Stores[0].ShopDomain").Value);
        Assert.NotNull(page.Document.QuerySelector("[data-configuration-key='OrchardCore:OrchardShopify:CreateUsersFromShopify']"));
        Assert.NotNull(page.Document.QuerySelector("[data-configuration-key='OrchardCore:OrchardShopify:Stores:uk:AccessToken']"));

        // Save without touching anything.
        var saved = await browser.SubmitAsync(page.FormOf("input[name$='.CreateUsersFromShopify']"));

        Assert.Equal(HttpStatusCode.OK, saved.Status);
        Assert.True(Checkbox(saved, "CreateUsersFromShopify").IsChecked);
        Assert.Equal("44", Input(saved, "DefaultCountryCallingCode").Value);

        // Shopify's next customers/create of a customer who matches nobody becomes a user (not Skipped).
        var customer = NewShopifyCustomer("Katherine", "Johnson", "katherine.settings@example.com");
        await DeliverCreateAsync(browser, customer, "glue-settings-create");
        var user = await OrchardSiteFixture.EventuallyAsync(
            () => Site.FindUserByEmailAsync(customer.Email!), u => u?.Properties["ShopifyUserPart"]?["shopify_id"] is not null, "the user created from Shopify");
        Assert.Equal(customer.Id, (long)user!.Properties["ShopifyUserPart"]!["shopify_id"]!);
    }

    [Fact]
    public async Task Settings_page_validation_names_the_field_not_the_engine_key()
    {
        using var browser = Site.NewBrowser();
        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);
        var page = await browser.GetAsync("/Admin/Settings/shopify");
        var form = page.FormOf("input[name$='.CreateUsersFromShopify']");

        var refused = await browser.SubmitAsync(form, new Dictionary<string, string>
        {
            [Input(page, "Stores[0].ShopDomain").Name!] = "https://uk-test.myshopify.com/admin",
        });

        var errors = refused.Document.QuerySelector(".validation-summary-errors")?.TextContent ?? "";
        Assert.Contains("'Store uk › Shop domain' 'https://uk-test.myshopify.com/admin' is not a host name", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("Shopify:", errors, StringComparison.Ordinal);

        // Nothing was saved: the page and the running sync keep the configured domain.
        var again = await browser.GetAsync("/Admin/Settings/shopify");
        Assert.Equal(OrchardSiteFixture.UkDomain, Input(again, "Stores[0].ShopDomain").Value);
    }

    [Fact]
    public async Task Saving_a_linked_user_from_a_form_without_the_shopify_section_keeps_the_names_and_changes_nothing_in_shopify()
    {
        using var browser = Site.NewBrowser();
        var (customer, userId) = await LinkedUserAsync(browser, "Grace", "Hopper", "grace.glue@example.com", "glue-user-section");
        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);
        var editor = await browser.GetAsync($"/Admin/Users/Edit/{userId}");
        var form = editor.FormOf("input[name$='ShopifyUserPart.FirstName']");

        // A form that did not render the Shopify section (another editor, a custom profile page) posts no names.
        foreach (var input in form.Elements.Where(e => e.GetAttribute("name")?.Contains("ShopifyUserPart.", StringComparison.Ordinal) == true).ToList())
        {
            input.Remove();
        }

        var saved = await browser.SubmitAsync(form);

        Assert.Equal(HttpStatusCode.OK, saved.Status);
        var user = await Site.FindUserByEmailAsync(customer.Email!);
        Assert.Equal(("Grace", "Hopper"), ((string?)user!.Properties["ShopifyUserPart"]!["FirstName"], (string?)user.Properties["ShopifyUserPart"]!["LastName"]));
        await AssertNothingPushedAsync(userId, customer);
    }

    [Fact]
    public async Task Untouched_save_of_a_linked_user_in_the_editor_changes_nothing_in_shopify_and_an_edited_name_is_pushed()
    {
        using var browser = Site.NewBrowser();
        var (customer, userId) = await LinkedUserAsync(browser, "Dorothy", "Vaughan", "dorothy.glue@example.com", "glue-user-untouched");
        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);

        var editor = await browser.GetAsync($"/Admin/Users/Edit/{userId}");
        Assert.Equal("Dorothy", Input(editor, "ShopifyUserPart.FirstName").Value);
        var saved = await browser.SubmitAsync(editor.FormOf("input[name$='ShopifyUserPart.FirstName']"));

        Assert.Equal(HttpStatusCode.OK, saved.Status);
        await AssertNothingPushedAsync(userId, customer);

        // The same editor with a name changed: the change reaches Shopify.
        editor = await browser.GetAsync($"/Admin/Users/Edit/{userId}");
        await browser.SubmitAsync(editor.FormOf("input[name$='ShopifyUserPart.FirstName']"), new Dictionary<string, string>
        {
            [Input(editor, "ShopifyUserPart.LastName").Name!] = "Johnson Vaughan",
        });
        var pushed = await OrchardSiteFixture.EventuallyAsync(
            () => Task.FromResult(Site.Emulator.Shops[OrchardSiteFixture.UkDomain].Find(customer.Id)), c => c?.LastName == "Johnson Vaughan", "the edited last name in Shopify");
        Assert.Equal("Dorothy", pushed!.FirstName);
    }

    /// <summary>A customer in the emulated store, known to the site through Shopify's customers/create: a linked user, in step.</summary>
    private async Task<(Customer Customer, string UserId)> LinkedUserAsync(SiteBrowser browser, string first, string last, string email, string webhookId)
    {
        var customer = NewShopifyCustomer(first, last, email);
        await DeliverCreateAsync(browser, customer, webhookId);
        var user = await OrchardSiteFixture.EventuallyAsync(
            () => Site.FindUserByEmailAsync(email), u => u?.Properties["ShopifyUserPart"]?["shopify_id"] is not null, "the user linked from Shopify");
        return (customer, user!.UserId);
    }

    private Customer NewShopifyCustomer(string first, string last, string email)
    {
        var (customer, errors, _) = Site.Emulator.Shops[OrchardSiteFixture.UkDomain].Create(new Dictionary<string, object?>
        {
            ["firstName"] = first,
            ["lastName"] = last,
            ["email"] = email,
        });
        Assert.Empty(errors);
        return customer!;
    }

    private async Task DeliverCreateAsync(SiteBrowser browser, Customer customer, string webhookId)
    {
        var version = new ShopifyCustomerVersion(customer.Id, customer.Email, customer.FirstName, customer.LastName, customer.Phone, customer.CreatedAt, customer.UpdatedAt);
        using var response = await browser.Http.SendAsync(_signer.Customer("customers/create", version, webhookId, customer.UpdatedAt).ToRequest());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>
    /// No push of the user was queued by the save (the browser has read the whole response, so the request's deferred
    /// tasks, which queue pushes, have run) and the customer in Shopify is as it was.
    /// </summary>
    private async Task AssertNothingPushedAsync(string userId, Customer before)
    {
        var pushes = await Site.InTenantAsync(async services =>
            (await services.GetRequiredService<ShopifySyncAdmin>().GetDeliveriesAsync(new SyncDeliveryQuery(Direction: SyncDirection.Outbound, Take: 1000), CancellationToken.None))
                .Where(d => d.UserId == userId).ToList());
        Assert.Empty(pushes);
        var now = Site.Emulator.Shops[OrchardSiteFixture.UkDomain].Find(before.Id)!;
        Assert.Equal((before.FirstName, before.LastName, before.Email, before.UpdatedAt), (now.FirstName, now.LastName, now.Email, now.UpdatedAt));
    }

    private static IHtmlInputElement Input(SitePage page, string field) =>
        page.Document.QuerySelectorAll("input[name]").OfType<IHtmlInputElement>().First(i => i.Name!.EndsWith("." + field, StringComparison.Ordinal) && i.Type != "hidden");

    private static IHtmlInputElement Checkbox(SitePage page, string field) =>
        page.Document.QuerySelectorAll("input[type=checkbox][name]").OfType<IHtmlInputElement>().First(i => i.Name!.EndsWith("." + field, StringComparison.Ordinal));
}
