using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

[Collection(SiteCollection.Name)]
public sealed class CustomerPagesTests(SiteFixture site)
{
    [BrowserFact]
    public async Task Signed_in_customer_sees_own_orders_and_addresses_for_each_store_and_nobody_elses()
    {
        var ada = await site.SignedInPageAsync("ada@example.com", site.Site.DemoPassword);
        var uk = ada.Locator("#store-uk");
        var us = ada.Locator("#store-us");

        Assert.Equal("Ada Lovelace", await uk.Locator("shopify-customer .customer-name, section.shopify-customer .customer-name").InnerTextAsync());
        var ukOrders = await uk.Locator("tr.order").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.order)");
        Assert.Equal(5, ukOrders.Length);
        Assert.All(ukOrders, name => Assert.StartsWith("#UK-ADA-", name, StringComparison.Ordinal));
        Assert.Contains("London", await uk.Locator("ul.addresses").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Bath", await uk.Locator("ul.addresses").InnerTextAsync(), StringComparison.Ordinal);

        var usOrders = await us.Locator("tr.order").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.order)");
        Assert.Equal(["#US-ADA-102", "#US-ADA-101"], usOrders);
        Assert.Contains("New York", await us.Locator("ul.addresses").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("GRACE", await ada.ContentAsync(), StringComparison.Ordinal);
        await SiteFixture.ScreenshotAsync(ada, "account");

        // The sixth uk order is on the next page, reached with Shopify's cursor.
        await uk.Locator("nav.pager a[rel=next]").ClickAsync();
        var secondPage = await ada.Locator("#store-uk tr.order").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.order)");
        Assert.Equal(["#UK-ADA-101"], secondPage);
        await ada.Locator("#store-uk nav.pager a[rel=prev]").ClickAsync();
        Assert.Equal(5, await ada.Locator("#store-uk tr.order").CountAsync());

        var grace = await site.SignedInPageAsync("grace@example.com", site.Site.DemoPassword);
        Assert.Equal(["#UK-GRACE-101"], await grace.Locator("#store-uk tr.order").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.order)"));
        Assert.Equal(1, await grace.Locator("#store-us section.shopify-customer [data-state=not-linked]").CountAsync());
        Assert.Equal(0, await grace.Locator("#store-us tr.order").CountAsync());
        Assert.DoesNotContain("ADA", await grace.ContentAsync(), StringComparison.Ordinal);
        await SiteFixture.ScreenshotAsync(grace, "account-not-linked");
    }

    [BrowserFact]
    public async Task Editing_a_users_name_on_the_site_changes_the_customer_in_shopify_without_an_echo()
    {
        var email = $"lin.{Guid.NewGuid():N}"[..16] + "@example.com";
        var page = await site.NewPageAsync();
        await page.GotoAsync("/account/register");
        await page.FillAsync("input[name=FirstName]", "Lin");
        await page.FillAsync("input[name=LastName]", "Tester");
        await page.FillAsync("input[name=Email]", email);
        await page.FillAsync("input[name=Password]", "Register-pass-1");
        await page.ClickAsync("form button[type=submit]");
        await SiteFixture.WaitForUrlAsync(page, "/account");

        // Until the email is confirmed nothing is sent to Shopify.
        var uk = site.Emulator.Shops["uk-demo.myshopify.com"];
        var us = site.Emulator.Shops["us-demo.myshopify.com"];
        await Task.Delay(1000);
        Assert.Null(uk.FindByEmail(email));
        Assert.Null(us.FindByEmail(email));

        // Confirming the email with the mailed link pushes the new user to both stores.
        await page.GotoAsync(site.MailLink(email, "Confirm your email"));
        await page.Locator("[data-state=confirmed]").WaitForAsync();
        await page.GotoAsync("/account");
        Assert.Equal(0, await page.Locator("[data-state=email-not-confirmed]").CountAsync());
        await SiteFixture.EventuallyAsync(() => Task.FromResult(uk.FindByEmail(email) is not null && us.FindByEmail(email) is not null), "the registered user exists as a customer in both stores");
        await site.Emulator.WaitForWebhooksAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        var userId = (await site.SyncAdmin.GetLogAsync(new(Direction: OrchardShopify.Core.Ports.SyncDirection.Outbound, Take: 200), CancellationToken.None))
            .First(e => e.CustomerId == uk.FindByEmail(email)!.Id).UserId!;
        await WaitForQuietAsync(userId);

        var editedAt = DateTimeOffset.UtcNow.AddMilliseconds(-200);
        await page.FillAsync("input[name=LastName]", "Renamed");
        await page.ClickAsync("form.grid-form button[type=submit]");
        await page.Locator(".flash").WaitForAsync();

        await SiteFixture.EventuallyAsync(() => Task.FromResult(uk.FindByEmail(email)?.LastName == "Renamed" && us.FindByEmail(email)?.LastName == "Renamed"), "both stores hold the new last name");
        await site.Emulator.WaitForWebhooksAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        await WaitForQuietAsync(userId);

        var since = await site.SyncAdmin.GetLogAsync(new(UserId: userId, Since: editedAt, Take: 100), CancellationToken.None);
        var pushes = since.Where(e => e.Direction == OrchardShopify.Core.Ports.SyncDirection.Outbound).ToList();
        Assert.Equal(["uk", "us"], pushes.Select(p => p.Store).Order().ToArray());
        Assert.All(pushes, p => Assert.Equal("updated", p.Outcome));

        // Shopify's customers/update about our own change came back and changed nothing: no second push, no ping-pong.
        var inbound = since.Where(e => e.Direction == OrchardShopify.Core.Ports.SyncDirection.Inbound).ToList();
        var seen = string.Join("; ", since.Select(e => $"{e.Direction} {e.Store} {e.Topic} {e.Outcome} {e.Detail}"));
        Assert.True(inbound.Count(e => e.Topic == "customers/update") >= 2, "Shopify's webhooks about the change were not processed: " + seen);
        Assert.True(inbound.All(e => e.Outcome is "echo" or "unchanged" or "stale"), "A webhook about our own change was applied: " + seen);

        await page.ReloadAsync();
        Assert.Equal("Renamed", await page.InputValueAsync("input[name=LastName]"));
        await SiteFixture.EventuallyAsync(
            async () =>
            {
                await page.ReloadAsync();
                return await page.Locator("#store-uk .customer-name").InnerTextAsync() == "Lin Renamed";
            },
            "the account page shows the customer as Shopify now has it");

        // A phone Shopify cannot take is refused on the form, and nothing of that save is kept or sent.
        await page.FillAsync("input[name=LastName]", "Phoneless");
        await page.FillAsync("input[name=Phone]", "555-0100");
        await page.ClickAsync("form.grid-form button[type=submit]");
        var problem = await page.Locator("form.grid-form .problem").InnerTextAsync();
        Assert.Contains("Phone is not a number Shopify accepts", problem, StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator(".flash").CountAsync());
        var kept = (await site.FindUserAsync(email))!;
        Assert.Equal(("Renamed", (string?)null), (kept.LastName, kept.PhoneNumber));
        await Task.Delay(500);
        Assert.Equal(("Renamed", (string?)null), (uk.FindByEmail(email)!.LastName, uk.FindByEmail(email)!.Phone));

        // A phone saved before the form checked it does not stop the user saving a name: only a changed phone is checked.
        await using (var scope = site.Site.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<OrchardShopify.Web.Identity.SiteUser>>();
            var stored = (await users.FindByEmailAsync(email))!;
            stored.PhoneNumber = "555-0100";
            await scope.ServiceProvider.GetRequiredService<OrchardShopify.Web.Identity.SiteDbContext>().SaveChangesAsync();
        }

        await page.GotoAsync("/account");
        Assert.Equal("555-0100", await page.InputValueAsync("input[name=Phone]"));
        await page.FillAsync("input[name=LastName]", "Kept");
        await page.ClickAsync("form.grid-form button[type=submit]");
        await page.Locator(".flash").WaitForAsync();
        Assert.Equal("Kept", (await site.FindUserAsync(email))!.LastName);
    }

    /// <summary>Waits until the site has no pending deliveries or pushes.</summary>
    private async Task WaitForQuietAsync(string userId)
    {
        await SiteFixture.EventuallyAsync(
            async () =>
            {
                var pending = await site.SyncAdmin.GetDeliveriesAsync(new(Status: OrchardShopify.AspNetCore.Admin.SyncDeliveryStatus.Pending), CancellationToken.None);
                var processing = await site.SyncAdmin.GetDeliveriesAsync(new(Status: OrchardShopify.AspNetCore.Admin.SyncDeliveryStatus.Processing), CancellationToken.None);
                return pending.Count == 0 && processing.Count == 0;
            },
            $"the queue is empty (user {userId})");
        await Task.Delay(300);
    }
}
