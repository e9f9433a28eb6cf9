using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Users;

namespace OrchardShopify.AspNetCore.Tests.Webhooks;

/// <summary>Its own site: shop/redact erases every link of the store.</summary>
public sealed class ShopRedactTests(SiteFixture fixture) : IClassFixture<SiteFixture>
{
    private TestSite Site => fixture.Site;

    [Fact]
    public async Task Shop_redact_erases_the_stores_links_log_and_bodies_closes_its_dead_letters_and_keeps_the_user()
    {
        var steveId = await SteveLastnameson.ArriveAsync(Site, "wh-redact-shop-steve");
        using (var malformed = await Site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", Encoding.UTF8.GetBytes("""{"email":"nobody@example.com","first_name":"No","last_name":"Id"}"""), "wh-redact-shop-dead"))
        {
            Assert.Equal(HttpStatusCode.OK, malformed.StatusCode);
        }

        await TestSite.EventuallyAsync(async () => (await Site.ItemsWithWebhookIdAsync("wh-redact-shop-dead")).Single().Status == WorkStatus.DeadLetter, "the malformed delivery is dead-lettered");
        var body = Encoding.UTF8.GetBytes("""{"shop_id":954889,"shop_domain":"uk-demo.myshopify.com"}""");

        using var response = await Site.PostWebhookAsync("/!/shopify/webhook/compliance", "shop/redact", body, "wh-shop-redact");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await TestSite.EventuallyAsync(async () => (await Site.ItemsWithWebhookIdAsync("wh-shop-redact")).Single().Status == WorkStatus.Succeeded, "the redaction is applied");
        var claims = await Site.WithUsersAsync(async users => await users.GetClaimsAsync((await users.FindByIdAsync(steveId))!));
        Assert.DoesNotContain(claims, c => c.Type == ShopifyUserClaims.ShopifyId);
        await using var scope = Site.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        Assert.Empty(await db.Links.Where(l => l.StoreHandle == "uk").ToListAsync());
        Assert.Empty(await db.SyncLog.Where(l => l.StoreHandle == "uk" && l.CustomerId != null).ToListAsync());
        Assert.Null(Assert.Single(await Site.ItemsWithWebhookIdAsync("wh-redact-shop-steve")).Body);

        // The store's dead letter, which no customer can be found for, is erased and closed too.
        var dead = Assert.Single(await Site.ItemsWithWebhookIdAsync("wh-redact-shop-dead"));
        Assert.Equal((WorkStatus.Succeeded, "redacted", (byte[]?)null, (string?)null), (dead.Status, dead.Outcome, dead.Body, dead.LastError));
    }
}
