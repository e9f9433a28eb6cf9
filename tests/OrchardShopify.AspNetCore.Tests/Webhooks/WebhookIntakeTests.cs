using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Users;

namespace OrchardShopify.AspNetCore.Tests.Webhooks;

public sealed class WebhookIntakeTests(SiteFixture fixture) : IClassFixture<SiteFixture>
{
    private const long SteveId = 1073339470;
    private static readonly byte[] Steve = TestSite.Payload("customers-create-steve-lastnameson.json");

    private TestSite Site => fixture.Site;

    [Fact]
    public async Task Signed_customers_create_creates_a_linked_identity_user()
    {
        using var response = await Site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", Steve, "wh-steve-create");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await TestSite.EventuallyAsync(
            async () => (await Site.ItemsWithWebhookIdAsync("wh-steve-create")).Single().Status == WorkStatus.Succeeded,
            "the delivery is applied");

        var (user, claims) = await Site.WithUsersAsync(async users =>
        {
            var found = await users.FindByEmailAsync("steve.lastnameson@example.com");
            Assert.NotNull(found);
            return (found, await users.GetClaimsAsync(found));
        });
        Assert.Equal("steve.lastnameson@example.com", user.UserName);
        Assert.Equal("+15142546011", user.PhoneNumber);
        Assert.Null(user.PasswordHash);
        Assert.Contains(claims, c => c.Type == ShopifyUserClaims.ShopifyId && c.Value == SteveId.ToString(CultureInfo.InvariantCulture));
        Assert.Contains(claims, c => c.Type == ShopifyUserClaims.GivenName && c.Value == "Steve");
        Assert.Contains(claims, c => c.Type == ShopifyUserClaims.FamilyName && c.Value == "Lastnameson");

        await using var db = await Site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        var link = await db.Links.SingleAsync(l => l.CustomerId == SteveId);
        Assert.Equal(("uk", user.Id), (link.StoreHandle, link.UserId));
        Assert.Contains(await db.SyncLog.ToListAsync(), l => l.WebhookId == "wh-steve-create" && l.Outcome == "created" && l.UserId == user.Id);
    }

    [Fact]
    public async Task Duplicate_webhook_id_answers_200_and_is_stored_once()
    {
        var body = Encoding.UTF8.GetBytes("""{"id":555000111}""");

        using var first = await Site.PostWebhookAsync("/!/shopify/webhook/customer/delete", "customers/delete", body, "wh-duplicate");
        using var second = await Site.PostWebhookAsync("/!/shopify/webhook/customer/delete", "customers/delete", body, "wh-duplicate");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Single(await Site.ItemsWithWebhookIdAsync("wh-duplicate"));
    }

    [Fact]
    public async Task Body_over_the_limit_is_refused_with_413_and_not_stored()
    {
        var oversized = Encoding.UTF8.GetBytes("{\"id\":1,\"note\":\"" + new string('x', 20_000) + "\"}");

        using var response = await Site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", oversized, "wh-too-large");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(await Site.ItemsWithWebhookIdAsync("wh-too-large"));
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_refused_with_413_and_not_stored()
    {
        var oversized = Encoding.UTF8.GetBytes("{\"id\":1,\"note\":\"" + new string('x', 20_000) + "\"}");

        using var response = await Site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", oversized, "wh-too-large-chunked", tamper: request =>
            request.Content = new StreamContent(new MemoryStream(oversized)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(await Site.ItemsWithWebhookIdAsync("wh-too-large-chunked"));
    }

    [Fact]
    public async Task Wrong_hmac_is_refused_with_401_and_not_stored()
    {
        using var response = await Site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", Steve, "wh-bad-hmac", secret: "not-the-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var refusal = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("InvalidSignature", refusal.RootElement.GetProperty("reason").GetString());
        Assert.Contains("X-Shopify-Hmac-Sha256", refusal.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(await Site.ItemsWithWebhookIdAsync("wh-bad-hmac"));
    }

    [Fact]
    public async Task Unknown_shop_is_refused_with_401_and_not_stored()
    {
        using var response = await Site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", Steve, "wh-unknown-shop", domain: "someone-else.myshopify.com");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(await Site.ItemsWithWebhookIdAsync("wh-unknown-shop"));
    }

    [Fact]
    public async Task Missing_topic_header_is_refused_with_400_and_not_stored()
    {
        using var response = await Site.PostWebhookAsync("/!/shopify/webhook", "customers/create", Steve, "wh-no-topic", tamper: r => r.Headers.Remove("X-Shopify-Topic"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await Site.ItemsWithWebhookIdAsync("wh-no-topic"));
    }

    [Fact]
    public async Task Missing_webhook_id_is_refused_with_400_and_nothing_is_stored()
    {
        var before = (await Site.WorkItemsAsync()).Count;

        using var response = await Site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", Steve, "ignored", tamper: r => r.Headers.Remove("X-Shopify-Webhook-Id"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, (await Site.WorkItemsAsync()).Count);
    }

    [Fact]
    public async Task Malformed_json_is_refused_with_400_and_not_stored()
    {
        var malformed = Encoding.UTF8.GetBytes("""{"id": 1073339470, "email": """);

        using var response = await Site.PostWebhookAsync("/!/shopify/webhook/customer/update", "customers/update", malformed, "wh-malformed");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("MalformedJson", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await Site.ItemsWithWebhookIdAsync("wh-malformed"));
    }

    [Fact]
    public async Task Topic_other_than_the_urls_is_refused_with_400()
    {
        using var response = await Site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/update", Steve, "wh-mismatch");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(await Site.ItemsWithWebhookIdAsync("wh-mismatch"));
    }

    [Fact]
    public async Task Compliance_url_takes_privacy_topics_and_refuses_others()
    {
        var redact = Encoding.UTF8.GetBytes("""{"shop_id":954889,"shop_domain":"uk-demo.myshopify.com","customer":{"id":191167,"email":"john@example.com","phone":"555-625-1199"},"orders_to_redact":[299938]}""");

        using var accepted = await Site.PostWebhookAsync("/!/shopify/webhook/compliance", "customers/redact", redact, "wh-redact");
        using var refused = await Site.PostWebhookAsync("/!/shopify/webhook/compliance", "customers/create", Steve, "wh-compliance-create");

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("customers/redact", Assert.Single(await Site.ItemsWithWebhookIdAsync("wh-redact")).Topic);
        Assert.Empty(await Site.ItemsWithWebhookIdAsync("wh-compliance-create"));
    }

    [Fact]
    public async Task Well_formed_payload_that_is_not_a_customer_is_dead_lettered_at_once()
    {
        var notACustomer = Encoding.UTF8.GetBytes("""{"email":"nobody@example.com"}""");

        using var response = await Site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", notACustomer, "wh-no-id");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await TestSite.EventuallyAsync(async () => (await Site.ItemsWithWebhookIdAsync("wh-no-id")).Single().Status == WorkStatus.DeadLetter, "the delivery is dead-lettered");
        var item = Assert.Single(await Site.ItemsWithWebhookIdAsync("wh-no-id"));
        Assert.Equal(1, item.Attempts);
        Assert.Contains("CustomerPayloadException", item.LastError, StringComparison.Ordinal);
        Assert.Null(await Site.WithUsersAsync(users => users.FindByEmailAsync("nobody@example.com")));
    }
}
