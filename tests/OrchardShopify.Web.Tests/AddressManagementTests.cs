using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OrchardShopify.Core.Ports;
using OrchardShopify.Web.Identity;
using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

/// <summary>
/// A signed-in customer changes their own Shopify addresses from the account page and the headless JSON, against the
/// emulated Shopify: the link decides the customer, another customer's address and an unconfirmed user are refused,
/// Shopify's field errors come back next to the field, and the page shows the change at once.
/// </summary>
[Collection(SiteCollection.Name)]
public sealed class AddressManagementTests(SiteFixture site)
{
    private const string Uk = "uk-demo.myshopify.com";
    private const string Password = "Address-tests-1";

    [BrowserFact]
    public async Task Account_page_adds_edits_makes_default_and_deletes_an_address_and_shows_a_refused_field_next_to_it()
    {
        var (email, customerId) = await ArrangeLinkedCustomerAsync("forms", verified: true);
        var page = await site.SignedInPageAsync(email, Password);
        var uk = page.Locator("#store-uk");
        Assert.Contains("Leeds", await uk.Locator("ul.addresses").InnerTextAsync(), StringComparison.Ordinal);

        // A US zip that does not fit: the page comes back with Shopify's message next to the zip, the values kept.
        await uk.Locator("details.add-address summary").ClickAsync();
        var add = uk.Locator("form[data-form=add]");
        await add.Locator("input[data-field=address1]").FillAsync("350 Fifth Avenue");
        await add.Locator("input[data-field=city]").FillAsync("New York");
        await add.Locator("input[data-field=provinceCode]").FillAsync("NY");
        await add.Locator("input[data-field=countryCode]").FillAsync("US");
        await add.Locator("input[data-field=zip]").FillAsync("1001");
        var refused = await page.RunAndWaitForResponseAsync(() => add.Locator("button[type=submit]").ClickAsync(), r => r.Request.Method == "POST");
        Assert.Equal(400, refused.Status);
        add = page.Locator("#store-uk form[data-form=add]");
        Assert.Equal("Zip is not valid for United States", await add.Locator(".field-error[data-field=zip]").InnerTextAsync());
        Assert.Equal("true", await add.Locator("input[data-field=zip]").GetAttributeAsync("aria-invalid"));
        Assert.Equal("New York", await add.Locator("input[data-field=city]").InputValueAsync());
        Assert.Equal(0, await add.Locator(".field-error[data-field=city]").CountAsync());
        Assert.Equal("Addy Forms", await page.Locator("#store-uk .customer-name").InnerTextAsync());
        Assert.Contains("Leeds", await page.Locator("#store-uk ul.addresses").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Single(Shop().Find(customerId)!.Addresses);
        await SiteFixture.ScreenshotAsync(page, "account-address-refused");

        // Corrected, and made the default: Shopify has it, and the page shows it without waiting for a webhook.
        await add.Locator("input[data-field=zip]").FillAsync("10118");
        await add.Locator("input[name='Address.SetAsDefault']").CheckAsync();
        await add.Locator("button[type=submit]").ClickAsync();
        await page.Locator(".flash").WaitForAsync();
        var stored = Shop().Find(customerId)!;
        Assert.Equal(2, stored.Addresses.Length);
        Assert.Equal("New York", stored.DefaultAddress!.City);
        Assert.Contains("New York", await page.Locator("#store-uk li.address:has(.badge.open)").InnerTextAsync(), StringComparison.Ordinal);

        // Leeds becomes the default again from its button.
        var leeds = page.Locator("#store-uk li.address", new PageLocatorOptions { HasText = "Leeds" });
        await leeds.Locator("button[data-action=default]").ClickAsync();
        await page.Locator(".flash").WaitForAsync();
        Assert.Equal("Leeds", Shop().Find(customerId)!.DefaultAddress!.City);
        Assert.Equal(1, await page.Locator("#store-uk li.address:has(.badge.open)", new PageLocatorOptions { HasText = "Leeds" }).CountAsync());

        // Edit changes only what was changed.
        var newYork = page.Locator("#store-uk li.address", new PageLocatorOptions { HasText = "New York" });
        await newYork.Locator("details.edit-address summary").ClickAsync();
        await newYork.Locator("input[data-field=address2]").FillAsync("Floor 86");
        await newYork.Locator("form[data-form=edit] button[type=submit]").ClickAsync();
        await page.Locator(".flash").WaitForAsync();
        var edited = Shop().Find(customerId)!.Addresses.Single(a => a.City == "New York");
        Assert.Equal("Floor 86", edited.Address2);
        Assert.Equal("10118", edited.Zip);
        Assert.Contains("Floor 86", await page.Locator("#store-uk ul.addresses").InnerTextAsync(), StringComparison.Ordinal);

        // Delete.
        await page.Locator("#store-uk li.address", new PageLocatorOptions { HasText = "New York" }).Locator("button[data-action=delete]").ClickAsync();
        await page.Locator(".flash").WaitForAsync();
        Assert.Equal(["Leeds"], Shop().Find(customerId)!.Addresses.Select(a => a.City));
        Assert.DoesNotContain("New York", await page.Locator("#store-uk ul.addresses").InnerTextAsync(), StringComparison.Ordinal);
        await SiteFixture.ScreenshotAsync(page, "account-addresses");
    }

    [BrowserFact]
    public async Task Another_customers_address_id_is_refused_without_a_call_to_shopify()
    {
        var (email, customerId) = await ArrangeLinkedCustomerAsync("mine", verified: true);
        var (_, otherId) = await ArrangeLinkedCustomerAsync("theirs", verified: true);
        var theirs = Shop().Find(otherId)!;
        var theirAddress = theirs.Addresses[0].Id.ToString(CultureInfo.InvariantCulture);
        var page = await site.SignedInPageAsync(email, Password);

        var patch = await SendAsync(page, "PATCH", $"/!/shopify/api/customer/addresses/{theirAddress}?store=uk", new { city = "Stolen" });
        var delete = await SendAsync(page, "DELETE", $"/!/shopify/api/customer/addresses/gid%3A%2F%2Fshopify%2FMailingAddress%2F{theirAddress}?store=uk", null);
        var makeDefault = await SendAsync(page, "POST", $"/!/shopify/api/customer/addresses/{theirAddress}/default?store=uk", null);

        // The guard answers (404 address_not_found), not Shopify (whose refusal would be a 400 invalid_address).
        Assert.Equal((404, "address_not_found"), (patch.Status, patch.Error));
        Assert.Contains($"'{theirAddress}' is not one of your addresses in store 'uk'", patch.Body, StringComparison.Ordinal);
        Assert.Equal((404, "address_not_found"), (delete.Status, delete.Error));
        Assert.Equal((404, "address_not_found"), (makeDefault.Status, makeDefault.Error));
        var after = Shop().Find(otherId)!;
        Assert.Equal(theirs.UpdatedAt, after.UpdatedAt);
        Assert.Equal(theirs.Addresses, after.Addresses);
        Assert.Single(Shop().Find(customerId)!.Addresses);

        // A customer id in the body is not a field of the request: refused, nothing sent.
        var named = await SendAsync(page, "POST", "/!/shopify/api/customer/addresses?store=uk", new { customerId = otherId, address1 = "1 Way", countryCode = "GB" });
        Assert.Equal((400, "invalid_json"), (named.Status, named.Error));
        Assert.Equal(theirs.Addresses, Shop().Find(otherId)!.Addresses);
    }

    [BrowserFact]
    public async Task A_user_who_has_not_confirmed_the_email_of_the_link_may_not_change_addresses()
    {
        var (email, customerId) = await ArrangeLinkedCustomerAsync("unverified", verified: false);
        var before = Shop().Find(customerId)!;
        var page = await site.SignedInPageAsync(email, Password);
        var own = before.Addresses[0].Id.ToString(CultureInfo.InvariantCulture);

        var create = await SendAsync(page, "POST", "/!/shopify/api/customer/addresses?store=uk", new { address1 = "2 Way", city = "York", countryCode = "GB" });
        var delete = await SendAsync(page, "DELETE", $"/!/shopify/api/customer/addresses/{own}?store=uk", null);

        Assert.Equal((403, "unverified_identity"), (create.Status, create.Error));
        Assert.Equal((403, "unverified_identity"), (delete.Status, delete.Error));
        Assert.Equal(before.Addresses, Shop().Find(customerId)!.Addresses);
        Assert.Equal(before.UpdatedAt, Shop().Find(customerId)!.UpdatedAt);

        // The page form says so instead of failing.
        await page.Locator("#store-uk details.add-address summary").ClickAsync();
        var add = page.Locator("#store-uk form[data-form=add]");
        await add.Locator("input[data-field=address1]").FillAsync("2 Way");
        await add.Locator("input[data-field=countryCode]").FillAsync("GB");
        await add.Locator("button[type=submit]").ClickAsync();
        Assert.Contains("Confirm your email address", await page.Locator("[data-state=address-not-changed]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Single(Shop().Find(customerId)!.Addresses);
    }

    [BrowserFact]
    public async Task Json_shows_shopifys_field_error_sets_default_refreshes_the_cache_and_the_webhook_that_follows_changes_no_user()
    {
        var (email, customerId) = await ArrangeLinkedCustomerAsync("json", verified: true);
        var page = await site.SignedInPageAsync(email, Password);
        var userId = await UserIdAsync(email);
        await WaitForQuietAsync();
        var cached = await ReadAddressesAsync(page);
        Assert.Equal(["Leeds"], cached.Select(a => a.City));
        var changedAt = DateTimeOffset.UtcNow.AddMilliseconds(-200);

        // Shopify's userError, keyed by the field it names.
        var refused = await SendAsync(page, "POST", "/!/shopify/api/customer/addresses?store=uk", new { address1 = "1 Rue", city = "Ottawa", countryCode = "CA", provinceCode = "XX", zip = "K1A 0B1" });
        Assert.Equal((400, "invalid_address"), (refused.Status, refused.Error));
        using (var problem = JsonDocument.Parse(refused.Body))
        {
            Assert.Equal(["Province is not valid for Canada"], problem.RootElement.GetProperty("errors").GetProperty("provinceCode").EnumerateArray().Select(e => e.GetString()));
        }

        // Another site's page sending the user's cookie: refused by its origin.
        var crossSite = await page.Context.APIRequest.PostAsync("/!/shopify/api/customer/addresses?store=uk", new APIRequestContextOptions
        {
            Headers = new Dictionary<string, string> { ["Origin"] = "http://evil.example", ["Content-Type"] = "application/json" },
            Data = """{ "address1": "1 Evil Way", "countryCode": "GB" }""",
        });
        Assert.Equal(403, crossSite.Status);
        Assert.Contains("cross_origin", await crossSite.TextAsync(), StringComparison.Ordinal);

        // Missing token: refused before anything else.
        var noToken = await SendAsync(page, "POST", "/!/shopify/api/customer/addresses?store=uk", new { address1 = "1 Rue", countryCode = "CA" }, token: false);
        Assert.Equal((400, "antiforgery_token_missing"), (noToken.Status, noToken.Error));

        // Shopify's webhooks are held back, so only the change itself can refresh the cached list.
        await site.SetShopifyFaultsAsync(new { webhookLatencyMs = 4000 });
        try
        {
            var created = await SendAsync(page, "POST", "/!/shopify/api/customer/addresses?store=uk", new { address1 = "1 Rue Wellington", city = "Ottawa", countryCode = "CA", provinceCode = "ON", zip = "K1A 0B1" });
            Assert.Equal(201, created.Status);
            string newId;
            using (var body = JsonDocument.Parse(created.Body))
            {
                newId = body.RootElement.GetProperty("address").GetProperty("id").GetString()!;
            }

            // The cached list was dropped: the new address shows at once, not the default yet.
            var afterCreate = await ReadAddressesAsync(page);
            Assert.Equal(["Leeds", "Ottawa"], afterCreate.Select(a => a.City));
            Assert.Equal("Leeds", afterCreate.Single(a => a.IsDefault).City);

            var numeric = newId.Split('/')[^1].Split('?')[0];
            var madeDefault = await SendAsync(page, "POST", $"/!/shopify/api/customer/addresses/{numeric}/default?store=uk", null);
            Assert.Equal(200, madeDefault.Status);
            Assert.Equal("Ottawa", Shop().Find(customerId)!.DefaultAddress!.City);
            Assert.Equal("Ottawa", (await ReadAddressesAsync(page)).Single(a => a.IsDefault).City);

            // A PATCH naming no field but setAsDefault makes that address the default as well.
            var leeds = Shop().Find(customerId)!.Addresses.Single(a => a.City == "Leeds").Id;
            var patchedLeeds = await SendAsync(page, "PATCH", $"/!/shopify/api/customer/addresses/{leeds}?store=uk", new { setAsDefault = true });
            Assert.Equal(200, patchedLeeds.Status);
            Assert.Equal("Leeds", Shop().Find(customerId)!.DefaultAddress!.City);
            var patchedOttawa = await SendAsync(page, "PATCH", $"/!/shopify/api/customer/addresses/{numeric}?store=uk", new { setAsDefault = true });
            Assert.Equal(200, patchedOttawa.Status);
            Assert.Equal("Ottawa", Shop().Find(customerId)!.DefaultAddress!.City);
        }
        finally
        {
            await site.SetShopifyFaultsAsync(null);
        }

        // Shopify's customers/update about these changes arrives, is applied as nothing new, and queues no push.
        await site.Emulator.WaitForWebhooksAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        await WaitForQuietAsync();
        var log = await site.SyncAdmin.GetLogAsync(new(UserId: userId, Since: changedAt, Take: 100), CancellationToken.None);
        var seen = string.Join("; ", log.Select(e => $"{e.Direction} {e.Store} {e.Topic} {e.Outcome} {e.Detail}"));
        Assert.True(log.Any(e => e.Direction == SyncDirection.Inbound && e.Topic == "customers/update"), "Shopify's webhooks about the change were not processed: " + seen);
        Assert.True(log.Where(e => e.Direction == SyncDirection.Inbound).All(e => e.Outcome is "echo" or "unchanged" or "stale"), "A webhook about the address change changed the user: " + seen);
        Assert.DoesNotContain(log, e => e.Direction == SyncDirection.Outbound);
        var user = await FindUserAsync(email);
        Assert.Equal(("Addy", "Json"), (user!.FirstName, user.LastName));
        Assert.Equal("Ottawa", (await ReadAddressesAsync(page)).Single(a => a.IsDefault).City);

        // A change the merchant makes in Shopify reaches the cached list through the customers/update webhook.
        var leedsId = Shop().Find(customerId)!.Addresses.Single(a => a.City == "Leeds").Id;
        var (_, errors, change) = Shop().DeleteAddress(customerId, leedsId);
        Assert.Empty(errors);
        site.Emulator.State.Publish(change!);
        await SiteFixture.EventuallyAsync(async () => (await ReadAddressesAsync(page)).Select(a => a.City).SequenceEqual(["Ottawa"]), "the account shows the address list Shopify now has");
    }

    private OrchardShopify.Emulator.Customers.Shop Shop() => site.Emulator.Shops[Uk];

    /// <summary>A merchant adds a customer with one address in Leeds; the sync creates and links the user; the user gets a password.</summary>
    private async Task<(string Email, long CustomerId)> ArrangeLinkedCustomerAsync(string tag, bool verified)
    {
        var email = $"addr.{tag}.{Guid.NewGuid():N}"[..24] + "@example.com";
        var customerId = await site.CreateCustomerInShopifyAsync(Uk, new
        {
            first_name = "Addy",
            last_name = char.ToUpperInvariant(tag[0]) + tag[1..],
            email,
            verified_email = verified,
            addresses = new[] { new { address1 = "1 Briggate", city = "Leeds", country_code = "GB", zip = "LS1 6HD" } },
        });
        await SiteFixture.EventuallyAsync(
            async () =>
            {
                var user = await FindUserAsync(email);
                if (user is null)
                {
                    return false;
                }

                await using var scope = site.Site.Services.CreateAsyncScope();
                var links = await scope.ServiceProvider.GetRequiredService<ICustomerLinkStore>().FindByUserAsync(user.Id, CancellationToken.None);
                return links.Any(l => l.CustomerId == customerId);
            },
            $"the customer {email} arrives as a linked user");
        await using (var scope = site.Site.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<SiteUser>>();
            var user = await users.FindByEmailAsync(email);
            Assert.Equal(verified, user!.EmailConfirmed);
            Assert.True((await users.AddPasswordAsync(user, Password)).Succeeded);
        }

        return (email, customerId);
    }

    private async Task<SiteUser?> FindUserAsync(string email)
    {
        await using var scope = site.Site.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserManager<SiteUser>>().FindByEmailAsync(email);
    }

    private async Task<string> UserIdAsync(string email) => (await FindUserAsync(email))!.Id;

    private async Task WaitForQuietAsync()
    {
        await SiteFixture.EventuallyAsync(
            async () =>
            {
                var pending = await site.SyncAdmin.GetDeliveriesAsync(new(Status: OrchardShopify.AspNetCore.Admin.SyncDeliveryStatus.Pending), CancellationToken.None);
                var processing = await site.SyncAdmin.GetDeliveriesAsync(new(Status: OrchardShopify.AspNetCore.Admin.SyncDeliveryStatus.Processing), CancellationToken.None);
                return pending.Count == 0 && processing.Count == 0;
            },
            "the queue is empty");
        await Task.Delay(300);
    }

    private static async Task<IReadOnlyList<(string City, bool IsDefault)>> ReadAddressesAsync(IPage page)
    {
        var response = await page.Context.APIRequest.GetAsync("/!/shopify/api/customer/addresses?store=uk");
        Assert.Equal(200, response.Status);
        using var json = JsonDocument.Parse(await response.TextAsync());
        return [.. json.RootElement.GetProperty("items").EnumerateArray().Select(a => (a.GetProperty("city").GetString()!, a.GetProperty("isDefault").GetBoolean()))];
    }

    /// <summary>A request the way a script on the site's own page sends it: same origin, JSON, the token from the page.</summary>
    private static async Task<(int Status, string? Error, string Body)> SendAsync(IPage page, string method, string path, object? body, bool token = true)
    {
        var answer = await page.EvaluateAsync<JsonElement>(
            """
            async ([method, path, body, withToken]) => {
              const headers = {};
              if (body !== null) headers["Content-Type"] = "application/json";
              if (withToken) headers["RequestVerificationToken"] = document.querySelector("meta[name=request-verification-token]").content;
              const response = await fetch(path, { method, headers, body, credentials: "same-origin" });
              const text = await response.text();
              let error = null;
              try { error = JSON.parse(text).error ?? null; } catch { }
              return { status: response.status, error, text };
            }
            """,
            new object?[] { method, path, body is null ? null : JsonSerializer.Serialize(body), token });
        return (
            answer.GetProperty("status").GetInt32(),
            answer.GetProperty("error").ValueKind == JsonValueKind.Null ? null : answer.GetProperty("error").GetString(),
            answer.GetProperty("text").GetString() ?? "");
    }
}
