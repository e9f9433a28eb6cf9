using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OrchardCore.Users;
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

        // Shopify then sends customers/update about that change: it is recognised as our own and applies nothing.
        var pushedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        var echo = new ShopifyCustomerVersion(pushed.Id, pushed.Email, pushed.FirstName, pushed.LastName, pushed.Phone, pushed.CreatedAt, pushed.UpdatedAt);
        using (var response = await browser.Http.SendAsync(_signer.Customer("customers/update", echo, "glue-user-echo", pushed.UpdatedAt).ToRequest()))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var applied = await OrchardSiteFixture.EventuallyAsync(
            () => Site.InTenantAsync(async services => (await services.GetRequiredService<ShopifySyncAdmin>()
                .GetLogAsync(new SyncLogQuery(Direction: SyncDirection.Inbound, UserId: userId, Since: pushedAt, Take: 50), CancellationToken.None))
                .Where(e => e.WebhookId == "glue-user-echo").ToList()),
            entries => entries.Count > 0,
            "the echo's log entry");
        Assert.All(applied, e => Assert.True(e.Outcome is "echo" or "unchanged", $"the echo was applied: {e.Outcome} {e.Detail}"));
        var pushes = await Site.InTenantAsync(async services =>
            (await services.GetRequiredService<ShopifySyncAdmin>().GetDeliveriesAsync(new SyncDeliveryQuery(Direction: SyncDirection.Outbound, Take: 1000), CancellationToken.None))
                .Count(d => d.UserId == userId));
        Assert.Equal(1, pushes);
    }

    [Fact]
    public async Task A_name_the_administrator_clears_in_the_editor_is_cleared_on_the_site_and_shopify_keeps_its_value()
    {
        using var browser = Site.NewBrowser();
        var (customer, userId) = await LinkedUserAsync(browser, "Mae", "Jemison", "mae.glue@example.com", "glue-user-clear");
        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);

        var editor = await browser.GetAsync($"/Admin/Users/Edit/{userId}");
        Assert.Contains("Shopify keeps its value", editor.Document.QuerySelector("input[name$='ShopifyUserPart.FirstName']")!.Closest("form")!.TextContent, StringComparison.Ordinal);
        var saved = await browser.SubmitAsync(editor.FormOf("input[name$='ShopifyUserPart.FirstName']"), new Dictionary<string, string>
        {
            [Input(editor, "ShopifyUserPart.FirstName").Name!] = "Mae C.",
            [Input(editor, "ShopifyUserPart.LastName").Name!] = "",
        });
        Assert.Equal(HttpStatusCode.OK, saved.Status);

        // The first name reaches Shopify; the cleared last name is cleared on the site only.
        var pushed = await OrchardSiteFixture.EventuallyAsync(
            () => Task.FromResult(Site.Emulator.Shops[OrchardSiteFixture.UkDomain].Find(customer.Id)), c => c?.FirstName == "Mae C.", "the edited first name in Shopify");
        Assert.Equal("Jemison", pushed!.LastName);
        var user = await Site.FindUserByEmailAsync(customer.Email!);
        Assert.Equal(("Mae C.", (string?)null), ((string?)user!.Properties["ShopifyUserPart"]!["FirstName"], (string?)user.Properties["ShopifyUserPart"]!["LastName"]));
    }

    [Fact]
    public async Task A_user_the_admin_creates_with_the_email_of_an_existing_customer_links_to_it_and_never_blanks_it()
    {
        // Theo is a customer of the store; the site has never heard of him.
        var theo = NewShopifyCustomer("Theo", "Johnson", "theo.glue@example.com", "+442079460123");
        using var browser = Site.NewBrowser();
        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);

        // The administrator creates a user with his email in Admin › Users › Add, typing no names.
        var create = await browser.GetAsync("/Admin/Users/Create");
        var form = create.FormOf("input[name$='.Email']");
        var created = await browser.SubmitAsync(form, new Dictionary<string, string>
        {
            [NameEndingWith(form, ".UserName")] = "theo",
            [NameEndingWith(form, ".Email")] = theo.Email!,
            [NameEndingWith(form, ".Password")] = "Theo-pass-1!",
            [NameEndingWith(form, ".PasswordConfirmation")] = "Theo-pass-1!",
        });
        Assert.True(created.Status is HttpStatusCode.OK or HttpStatusCode.Redirect, created.Html);
        var unconfirmed = await Site.FindUserByEmailAsync(theo.Email!);
        Assert.NotNull(unconfirmed);

        // An email nobody confirmed claims no customer: nothing is linked and Theo is untouched.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Null((await Site.FindUserByEmailAsync(theo.Email!))!.Properties["ShopifyUserPart"]?["shopify_id"]);
        Assert.Equal(("Theo", "Johnson", "+442079460123"), Profile(theo.Id));

        // Theo confirms his email (Orchard Core's confirmation link: UserManager.ConfirmEmailAsync with the mailed token).
        await Site.InTenantAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<IUser>>();
            var user = await users.FindByEmailAsync(theo.Email!);
            var confirmedEmail = await users.ConfirmEmailAsync(user!, await users.GenerateEmailConfirmationTokenAsync(user!));
            Assert.True(confirmedEmail.Succeeded);
            return true;
        });

        // The push finds Theo by his (confirmed) email and links the user to him, leaving his name and phone alone.
        var user = await OrchardSiteFixture.EventuallyAsync(
            () => Site.FindUserByEmailAsync(theo.Email!), u => u?.Properties["ShopifyUserPart"]?["shopify_id"] is not null, "the new user linked to Theo");
        Assert.Equal(theo.Id, (long)user!.Properties["ShopifyUserPart"]!["shopify_id"]!);
        Assert.Equal(("Theo", "Johnson", "+442079460123"), Profile(theo.Id));
        Assert.Single(Site.Emulator.Shops[OrchardSiteFixture.UkDomain].Snapshot(), c => string.Equals(c.Email, theo.Email, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_customer_deleted_in_shopify_is_unlinked_the_user_stays_and_a_later_save_does_not_create_it_again()
    {
        using var browser = Site.NewBrowser();
        var (customer, userId) = await LinkedUserAsync(browser, "Mary", "Jackson", "mary.glue@example.com", "glue-delete-create");

        // The merchant deletes the customer in Shopify; Shopify sends customers/delete.
        var shop = Site.Emulator.Shops[OrchardSiteFixture.UkDomain];
        Assert.Empty(shop.Delete(customer.Id).Errors);
        using (var deleted = await browser.Http.SendAsync(_signer.Delete(customer.Id, "glue-delete-delete", DateTimeOffset.UtcNow).ToRequest()))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        var unlinked = await OrchardSiteFixture.EventuallyAsync(
            () => Site.FindUserByEmailAsync(customer.Email!), u => u is not null && u.Properties["ShopifyUserPart"]?["shopify_id"] is null, "the user unlinked and kept");
        Assert.Equal(userId, unlinked!.UserId);

        // Later the administrator edits the user (a new last name): an ordinary save, not a deliberate send.
        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);
        var editor = await browser.GetAsync($"/Admin/Users/Edit/{userId}");
        var saved = await browser.SubmitAsync(editor.FormOf("input[name$='ShopifyUserPart.FirstName']"), new Dictionary<string, string>
        {
            [Input(editor, "ShopifyUserPart.LastName").Name!] = "Jackson-Smith",
        });
        Assert.Equal(HttpStatusCode.OK, saved.Status);

        // Whatever the workers do with it, Shopify gets no customer with that email again and the user stays unlinked.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.DoesNotContain(shop.Snapshot(), c => string.Equals(c.Email, customer.Email, StringComparison.OrdinalIgnoreCase));
        var after = await Site.FindUserByEmailAsync(customer.Email!);
        Assert.Null(after!.Properties["ShopifyUserPart"]?["shopify_id"]);
        Assert.Equal("Jackson-Smith", (string?)after.Properties["ShopifyUserPart"]!["LastName"]);
    }

    [Fact]
    public async Task A_phone_orchard_core_would_refuse_is_not_written_so_the_administrator_can_still_save_the_user()
    {
        using var browser = Site.NewBrowser();

        // Shopify accepts the fictional +44 7700 900xxx range; Orchard Core's user editor does not. A real London number it does.
        var fictional = NewShopifyCustomer("Annie", "Easley", "annie.glue@example.com", "+447700900123");
        var real = NewShopifyCustomer("Evelyn", "Boyd", "evelyn.glue@example.com", "+442079460555");
        await DeliverCreateAsync(browser, fictional, "glue-phone-fictional");
        await DeliverCreateAsync(browser, real, "glue-phone-real");
        var annie = await OrchardSiteFixture.EventuallyAsync(
            () => Site.FindUserByEmailAsync(fictional.Email!), u => u?.Properties["ShopifyUserPart"]?["shopify_id"] is not null, "Annie linked");
        var evelyn = await OrchardSiteFixture.EventuallyAsync(
            () => Site.FindUserByEmailAsync(real.Email!), u => u?.Properties["ShopifyUserPart"]?["shopify_id"] is not null, "Evelyn linked");
        Assert.Null(annie!.PhoneNumber);
        Assert.Equal("+442079460555", evelyn!.PhoneNumber);

        // The administrator saves both users from Orchard Core's editor, changing a last name: both saves are accepted.
        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);
        foreach (var (user, last) in new[] { (annie, "Easley-Jones"), (evelyn, "Boyd-Granville") })
        {
            var editor = await browser.GetAsync($"/Admin/Users/Edit/{user.UserId}");
            var saved = await browser.SubmitAsync(editor.FormOf("input[name$='ShopifyUserPart.FirstName']"), new Dictionary<string, string>
            {
                [Input(editor, "ShopifyUserPart.LastName").Name!] = last,
            });
            Assert.DoesNotContain("valid phone number", saved.Html, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(last, (string?)(await Site.FindUserByEmailAsync(user.Email))!.Properties["ShopifyUserPart"]!["LastName"]);
        }

        // Shopify keeps Annie's number: the site did not have it, so it sent nothing over it.
        Assert.Equal("+447700900123", Profile(fictional.Id).Phone);
    }

    private (string? First, string? Last, string? Phone) Profile(long customerId)
    {
        var customer = Site.Emulator.Shops[OrchardSiteFixture.UkDomain].Find(customerId)!;
        return (customer.FirstName, customer.LastName, customer.Phone);
    }

    private static string NameEndingWith(IHtmlFormElement form, string suffix) =>
        form.Elements.OfType<IHtmlInputElement>().FirstOrDefault(i => i.Name?.EndsWith(suffix, StringComparison.Ordinal) == true && i.Type != "hidden")?.Name
            ?? throw new InvalidOperationException($"No input named *{suffix} in the form: {string.Join(", ", form.Elements.OfType<IHtmlInputElement>().Select(i => i.Name))}");

    /// <summary>A customer in the emulated store, known to the site through Shopify's customers/create: a linked user, in step.</summary>
    private async Task<(Customer Customer, string UserId)> LinkedUserAsync(SiteBrowser browser, string first, string last, string email, string webhookId)
    {
        var customer = NewShopifyCustomer(first, last, email);
        await DeliverCreateAsync(browser, customer, webhookId);
        var user = await OrchardSiteFixture.EventuallyAsync(
            () => Site.FindUserByEmailAsync(email), u => u?.Properties["ShopifyUserPart"]?["shopify_id"] is not null, "the user linked from Shopify");
        return (customer, user!.UserId);
    }

    private Customer NewShopifyCustomer(string first, string last, string email, string? phone = null)
    {
        var input = new Dictionary<string, object?>
        {
            ["firstName"] = first,
            ["lastName"] = last,
            ["email"] = email,
        };
        if (phone is not null)
        {
            input["phone"] = phone;
        }

        var (customer, errors, _) = Site.Emulator.Shops[OrchardSiteFixture.UkDomain].Create(input);
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
