using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Users;

namespace OrchardShopify.AspNetCore.Tests.Webhooks;

/// <summary>
/// Its own site: customers/redact erases what the sync stored about the customer, including deliveries that failed
/// and were dead-lettered, and deliveries of topics the sync ignores (orders) that carried the customer's data.
/// </summary>
public sealed class CustomerRedactTests(SiteFixture fixture) : IClassFixture<SiteFixture>
{
    private const long Steve = SteveLastnameson.CustomerId;
    private const long Someone = 2_000_000_001;

    private TestSite Site => fixture.Site;

    [Fact]
    public async Task Customer_redact_erases_the_customers_failed_and_order_deliveries_closes_the_dead_letter_and_keeps_the_user()
    {
        var steveId = await SteveLastnameson.ArriveAsync(Site, "wh-cr-create");

        // Steve's next update cannot be stored: its attempts fail until it is dead-lettered with his new name in its body.
        await Site.ExecuteSyncSqlAsync("CREATE TRIGGER refuse_link_update BEFORE UPDATE ON shopify_customer_links BEGIN SELECT RAISE(ABORT, 'link store unavailable'); END;");
        var update = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(SteveLastnameson.CreatePayload)
            .Replace("\"first_name\": \"Steve\"", "\"first_name\": \"Stephen\"", StringComparison.Ordinal)
            .Replace("\"updated_at\": \"2025-07-01T14:37:24-04:00\"", "\"updated_at\": \"2025-07-03T10:00:00-04:00\"", StringComparison.Ordinal));
        await PostAsync("/!/shopify/webhook/customer/update", "customers/update", update, "wh-cr-update");
        await TestSite.EventuallyAsync(async () => (await Site.ItemsWithWebhookIdAsync("wh-cr-update")).Single().Status == WorkStatus.DeadLetter, "the update is dead-lettered");
        await Site.ExecuteSyncSqlAsync("DROP TRIGGER refuse_link_update;");

        // The failure recorded whose delivery it was, on the item and on each of its log rows.
        var dead = Assert.Single(await Site.ItemsWithWebhookIdAsync("wh-cr-update"));
        Assert.Equal((Steve, 3), (dead.CustomerId, dead.Attempts));
        var failures = await LogAsync(l => l.WebhookId == "wh-cr-update");
        Assert.Equal(["failed", "failed", "deadlettered"], failures.Select(l => l.Outcome));
        Assert.All(failures, l => Assert.Equal(Steve, l.CustomerId));

        // Orders through the all-topics URL: ignored by the sync, but each records the customer it carries.
        var order = TestSite.Payload("orders-create-steve-lastnameson.json");
        var othersOrder = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(order).Replace(Steve.ToString(System.Globalization.CultureInfo.InvariantCulture), Someone.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        await PostAsync("/!/shopify/webhook", "orders/create", order, "wh-cr-order");
        await PostAsync("/!/shopify/webhook", "orders/create", othersOrder, "wh-cr-order-other");
        await TestSite.EventuallyAsync(async () => (await Site.WorkItemsAsync(q => q.Where(w => w.DedupKey!.StartsWith("wh-cr-order")))).All(w => w.Status == WorkStatus.Succeeded), "the orders are worked");
        var ignored = Assert.Single(await Site.ItemsWithWebhookIdAsync("wh-cr-order"));
        Assert.Equal(("ignored", Steve), (ignored.Outcome, ignored.CustomerId));

        await PostAsync("/!/shopify/webhook/compliance", "customers/redact", TestSite.Payload("customers-redact.json"), "wh-cr-redact");
        await TestSite.EventuallyAsync(async () => (await Site.ItemsWithWebhookIdAsync("wh-cr-redact")).Single().Status == WorkStatus.Succeeded, "the redaction is applied");

        // Every delivery that carried Steve's data has lost its body; the dead letter is closed, its error gone.
        var items = (await Site.WorkItemsAsync(q => q.Where(w => w.DedupKey!.StartsWith("wh-cr-")))).ToDictionary(w => w.DedupKey!);
        Assert.Equal((WorkStatus.Succeeded, "redacted", Steve, null, null), (items["wh-cr-update"].Status, items["wh-cr-update"].Outcome, items["wh-cr-update"].CustomerId, items["wh-cr-update"].Body, items["wh-cr-update"].LastError));
        Assert.Null(items["wh-cr-create"].Body);
        Assert.Null(items["wh-cr-order"].Body);
        Assert.Equal(("redacted", Steve, (byte[]?)null), (items["wh-cr-redact"].Outcome, items["wh-cr-redact"].CustomerId, items["wh-cr-redact"].Body));
        Assert.Equal(othersOrder, items["wh-cr-order-other"].Body);

        // Of the log, only the redaction's own record names Steve; the failed attempts' rows are gone.
        Assert.Empty(await LogAsync(l => l.WebhookId == "wh-cr-update"));
        Assert.Equal(["wh-cr-redact"], (await LogAsync(l => l.CustomerId == Steve)).Select(l => l.WebhookId));

        // Nothing is left for an operator to replay.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/!/shopify/admin/api/deliveries?status=deadletter");
        request.Headers.Add("X-Api-Key", TestSite.AdminKey);
        using var response = await Site.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var deadLetters = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.DoesNotContain(deadLetters.EnumerateArray(), d => d.GetProperty("webhookId").GetString() == "wh-cr-update");

        // Replayed anyway, the closed update has nothing left to apply: it closes again, and no link comes back.
        using (var replay = new HttpRequestMessage(HttpMethod.Post, $"/!/shopify/admin/api/deliveries/{items["wh-cr-update"].Id}/replay"))
        {
            replay.Headers.Add("X-Api-Key", TestSite.AdminKey);
            using var replayed = await Site.Http.SendAsync(replay);
            Assert.Equal(HttpStatusCode.Accepted, replayed.StatusCode);
        }

        await TestSite.EventuallyAsync(async () => (await Site.ItemsWithWebhookIdAsync("wh-cr-update")).Single() is { Status: WorkStatus.Succeeded, Attempts: 1 }, "the replay is worked");
        Assert.Equal("redacted", Assert.Single(await Site.ItemsWithWebhookIdAsync("wh-cr-update")).Outcome);
        await using (var scope = Site.Services.CreateAsyncScope())
        {
            await using var db = await scope.ServiceProvider.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
            Assert.False(await db.Links.AnyAsync(l => l.CustomerId == Steve));
        }

        // A retry of an earlier update arrives after the redaction: skipped, and its body – Steve's data – is not kept.
        var late = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(SteveLastnameson.CreatePayload)
            .Replace("\"updated_at\": \"2025-07-01T14:37:24-04:00\"", "\"updated_at\": \"2025-07-04T10:00:00-04:00\"", StringComparison.Ordinal));
        await PostAsync("/!/shopify/webhook/customer/update", "customers/update", late, "wh-cr-late");
        await TestSite.EventuallyAsync(async () => (await Site.ItemsWithWebhookIdAsync("wh-cr-late")).Single().Status == WorkStatus.Succeeded, "the late update is worked");
        var lateItem = Assert.Single(await Site.ItemsWithWebhookIdAsync("wh-cr-late"));
        Assert.Equal(("skipped", Steve, (byte[]?)null), (lateItem.Outcome, lateItem.CustomerId, lateItem.Body));
        Assert.Null((await Site.Services.GetRequiredService<OrchardShopify.AspNetCore.Admin.ShopifySyncAdmin>().GetDeliveryAsync(lateItem.Id, CancellationToken.None))!.Payload);

        // The user stays, unlinked.
        var (user, claims) = await Site.WithUsersAsync(async users =>
        {
            var found = (await users.FindByIdAsync(steveId))!;
            return (found, await users.GetClaimsAsync(found));
        });
        Assert.Equal(SteveLastnameson.Email, user.Email);
        Assert.DoesNotContain(claims, c => c.Type == ShopifyUserClaims.ShopifyId);
    }

    private async Task PostAsync(string path, string topic, byte[] body, string webhookId)
    {
        using var response = await Site.PostWebhookAsync(path, topic, body, webhookId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<List<SyncLogRow>> LogAsync(System.Linq.Expressions.Expression<Func<SyncLogRow, bool>> filter)
    {
        await using var scope = Site.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        return await db.SyncLog.Where(filter).OrderBy(l => l.Id).ToListAsync();
    }
}
