using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Users;
using OrchardShopify.AspNetCore.Workers;

namespace OrchardShopify.AspNetCore.Tests.Queue;

/// <summary>
/// Deliveries claimed together are applied in one transaction per database (Identity and the sync), each item
/// inside savepoints. The worker is driven by hand: the site's own workers are off.
/// </summary>
#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class BatchApplyTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private const long FirstCustomer = 6_100_000_000;
    private static readonly string SteveJson = Encoding.UTF8.GetString(TestSite.Payload("customers-create-steve-lastnameson.json"));
    private TestSite _site = null!;

    public async Task InitializeAsync() => _site = await TestSite.StartAsync(s => s["Shopify:Queue:WorkersEnabled"] = "false");

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task Deliveries_claimed_together_all_create_linked_users()
    {
        await DeliverAsync(0, 8);

        Assert.Equal(8, await RunWorkerOnceAsync());

        var items = await _site.WorkItemsAsync();
        Assert.All(items, i => Assert.Equal((WorkStatus.Succeeded, "created", 1), (i.Status, i.Outcome, i.Attempts)));
        for (var n = 0; n < 8; n++)
        {
            var (user, claims) = await UserAsync(n);
            Assert.NotNull(user);
            Assert.Equal(Phone(n), user.PhoneNumber);
            Assert.Contains(claims, c => c.Type == ShopifyUserClaims.ShopifyId && c.Value == (FirstCustomer + n).ToString(CultureInfo.InvariantCulture));
            Assert.Contains(claims, c => c.Type == ShopifyUserClaims.GivenName && c.Value == "Steve");
        }

        await using var db = await _site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        Assert.Equal(8, await db.Links.CountAsync());
        Assert.Equal(8, await db.SyncLog.CountAsync(l => l.Outcome == "created"));
    }

    [Fact]
    public async Task New_customers_are_created_together_beside_a_known_email_and_a_customer_delivered_twice()
    {
        // Customer 2's email belongs to a user already; customer 4 is delivered twice. The others are new to the site.
        await _site.WithUsersAsync(async users => (await users.CreateAsync(new IdentityUser { UserName = Email(2), Email = Email(2), EmailConfirmed = true })).Succeeded);
        await DeliverAsync(0, 6);
        await DeliverAsync(4, 1, "-again");

        Assert.Equal(7, await RunWorkerOnceAsync());

        foreach (var (webhookId, outcome) in new[] { (0, "created"), (1, "created"), (2, "linked"), (3, "created"), (4, "created"), (5, "created") }.Select(p => (WebhookId(p.Item1), p.Item2)).Append((WebhookId(4) + "-again", "unchanged")))
        {
            var item = Assert.Single(await _site.ItemsWithWebhookIdAsync(webhookId));
            Assert.Equal((WorkStatus.Succeeded, outcome, 1), (item.Status, item.Outcome, item.Attempts));
        }

        for (var n = 0; n < 6; n++)
        {
            var (user, claims) = await UserAsync(n);
            Assert.NotNull(user);
            Assert.Equal((FirstCustomer + n).ToString(CultureInfo.InvariantCulture), Assert.Single(claims, c => c.Type == ShopifyUserClaims.ShopifyId).Value);
            // The existing user (2) keeps what it had and gets Shopify's values for its blanks.
            Assert.Equal(Phone(n), user.PhoneNumber);
            Assert.Equal("Steve", Assert.Single(claims, c => c.Type == ShopifyUserClaims.GivenName).Value);
        }

        Assert.Equal(6, await _site.WithUsersAsync(users => Task.FromResult(users.Users.Count())));
        await using var db = await _site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        Assert.Equal(6, await db.Links.CountAsync());
        Assert.Equal(7, await db.SyncLog.CountAsync());
    }

    [Fact]
    public async Task The_user_names_and_emails_of_new_customers_are_checked_by_one_query_each_and_a_taken_user_name_still_refuses_its_customer()
    {
        // Customer 3's email is another user's user name: Identity refuses the user, and the item fails as it would alone.
        await _site.WithUsersAsync(async users => (await users.CreateAsync(new IdentityUser { UserName = Email(3), Email = "someone-else@example.com", EmailConfirmed = true })).Succeeded);
        await DeliverAsync(0, 8);

        using var commands = new IdentityCommands(_site.IdentityDatabaseFile);
        Assert.Equal(8, await RunWorkerOnceAsync());

        var refused = Assert.Single(await _site.ItemsWithWebhookIdAsync(WebhookId(3)));
        Assert.Equal((WorkStatus.Pending, 1), (refused.Status, refused.Attempts));
        Assert.Contains("the email is taken but no user has it", refused.LastError, StringComparison.Ordinal);
        foreach (var n in new[] { 0, 1, 2, 4, 5, 6, 7 })
        {
            Assert.Equal((WorkStatus.Succeeded, "created"), Assert.Single(await _site.ItemsWithWebhookIdAsync(WebhookId(n))) is var item ? (item.Status, item.Outcome) : default);
            Assert.NotNull((await UserAsync(n)).User);
        }

        Assert.Equal(8, await _site.WithUsersAsync(users => Task.FromResult(users.Users.Count())));

        // One look-up of a single user name: Identity's validator asking about customer 3's, the one name found taken by
        // the batch's query (the seven others are answered from it). A failed bulk step would have sent all eight one by
        // one, each asking again. Customer 3's own attempt then goes through CreateAsync alone: one more.
        Assert.Equal(2, commands.Count(sql => sql.Contains("\"NormalizedUserName\" = @", StringComparison.Ordinal)));
        Assert.Equal(1, commands.Count(sql => sql.Contains("\"NormalizedUserName\" IN (", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_customer_deleted_before_its_create_arrived_is_left_out_of_the_runs_new_customers()
    {
        // Customer 3's delete overtook its create: the run creates the other five together and skips customer 3.
        using (var delete = await _site.PostWebhookAsync("/!/shopify/webhook/customer/delete", "customers/delete", Encoding.UTF8.GetBytes($$"""{"id":{{FirstCustomer + 3}}}"""), "wh-batch-delete-3"))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }

        Assert.Equal(1, await RunWorkerOnceAsync());
        await DeliverAsync(0, 6);

        Assert.Equal(6, await RunWorkerOnceAsync());

        var skipped = Assert.Single(await _site.ItemsWithWebhookIdAsync(WebhookId(3)));
        Assert.Equal((WorkStatus.Succeeded, "skipped", FirstCustomer + 3), (skipped.Status, skipped.Outcome, skipped.CustomerId));
        Assert.Null((await UserAsync(3)).User);
        foreach (var n in new[] { 0, 1, 2, 4, 5 })
        {
            Assert.Equal("created", Assert.Single(await _site.ItemsWithWebhookIdAsync(WebhookId(n))).Outcome);
        }

        await using var db = await _site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        Assert.Equal(5, await db.Links.CountAsync());
        Assert.Contains("Shopify deleted customer", await db.SyncLog.Where(l => l.WebhookId == WebhookId(3)).Select(l => l.Detail).SingleAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_update_claimed_in_the_same_run_after_its_customers_redaction_links_nobody_and_loses_its_body()
    {
        using (var create = await _site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", TestSite.Payload("customers-create-steve-lastnameson.json"), "wh-batch-steve"))
        {
            Assert.Equal(HttpStatusCode.OK, create.StatusCode);
        }

        Assert.Equal(1, await RunWorkerOnceAsync());

        // The redaction and a (late) update of the same customer are claimed together, the update after it.
        var update = SteveJson.Replace("\"updated_at\": \"2025-07-01T14:37:24-04:00\"", "\"updated_at\": \"2025-07-05T08:00:00-04:00\"", StringComparison.Ordinal);
        using (var redact = await _site.PostWebhookAsync("/!/shopify/webhook/compliance", "customers/redact", TestSite.Payload("customers-redact.json"), "wh-batch-redact"))
        using (var late = await _site.PostWebhookAsync("/!/shopify/webhook/customer/update", "customers/update", Encoding.UTF8.GetBytes(update), "wh-batch-late-update"))
        {
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (redact.StatusCode, late.StatusCode));
        }

        Assert.Equal(2, await RunWorkerOnceAsync());

        var updated = Assert.Single(await _site.ItemsWithWebhookIdAsync("wh-batch-late-update"));
        Assert.Equal((WorkStatus.Succeeded, "skipped", 1073339470L, (byte[]?)null), (updated.Status, updated.Outcome, updated.CustomerId, updated.Body));
        var user = await _site.WithUsersAsync(async users =>
        {
            var steve = (await users.FindByEmailAsync("steve.lastnameson@example.com"))!;
            return await users.GetClaimsAsync(steve);
        });
        Assert.DoesNotContain(user, c => c.Type == ShopifyUserClaims.ShopifyId);
        await using var db = await _site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        Assert.Equal(0, await db.Links.CountAsync());
    }

    [Fact]
    public async Task An_item_failing_mid_batch_is_undone_in_both_databases_and_retried_alone()
    {
        // Customer 3's link cannot be stored: by then its user has been created, and must be rolled back.
        await _site.ExecuteSyncSqlAsync($"""
            CREATE TRIGGER refuse_link BEFORE INSERT ON shopify_customer_links WHEN NEW.customer_id = {FirstCustomer + 3}
            BEGIN SELECT RAISE(ABORT, 'link store unavailable'); END;
            """);
        await DeliverAsync(0, 6);

        Assert.Equal(6, await RunWorkerOnceAsync());

        var failed = Assert.Single(await _site.ItemsWithWebhookIdAsync(WebhookId(3)));
        Assert.Equal((WorkStatus.Pending, 1), (failed.Status, failed.Attempts));
        Assert.Contains("link store unavailable", failed.LastError, StringComparison.Ordinal);
        Assert.Null((await UserAsync(3)).User);
        foreach (var n in new[] { 0, 1, 2, 4, 5 })
        {
            Assert.Equal(WorkStatus.Succeeded, Assert.Single(await _site.ItemsWithWebhookIdAsync(WebhookId(n))).Status);
            Assert.NotNull((await UserAsync(n)).User);
        }

        await using (var db = await _site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None))
        {
            Assert.Equal(5, await db.Links.CountAsync());
            Assert.Single(await db.SyncLog.Where(l => l.WebhookId == WebhookId(3) && l.Outcome == "failed").ToListAsync());
        }

        // Once the store works again, the retry creates the user afresh: nothing of the failed attempt was kept.
        await _site.ExecuteSyncSqlAsync("DROP TRIGGER refuse_link;");
        await TestSite.EventuallyAsync(async () => await RunWorkerOnceAsync() == 1, "the retry is due");
        var retried = Assert.Single(await _site.ItemsWithWebhookIdAsync(WebhookId(3)));
        Assert.Equal((WorkStatus.Succeeded, "created", 2), (retried.Status, retried.Outcome, retried.Attempts));
        Assert.NotNull((await UserAsync(3)).User);
    }

    [Fact]
    public async Task A_malformed_delivery_in_a_batch_is_dead_lettered_alone()
    {
        await DeliverAsync(0, 2);
        using (var response = await _site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", Encoding.UTF8.GetBytes("""{"id":"not-a-number","email":"x@example.com"}"""), "wh-batch-malformed"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await DeliverAsync(2, 2);

        Assert.Equal(5, await RunWorkerOnceAsync());

        var malformed = Assert.Single(await _site.ItemsWithWebhookIdAsync("wh-batch-malformed"));
        Assert.Equal((WorkStatus.DeadLetter, 1), (malformed.Status, malformed.Attempts));
        for (var n = 0; n < 4; n++)
        {
            Assert.Equal(WorkStatus.Succeeded, Assert.Single(await _site.ItemsWithWebhookIdAsync(WebhookId(n))).Status);
            Assert.NotNull((await UserAsync(n)).User);
        }
    }

    private async Task<int> RunWorkerOnceAsync()
    {
        var worker = ActivatorUtilities.CreateInstance<SyncWorker>(_site.Services, _site.Services.GetRequiredService<InboundDeliveryHandler>());
        return await worker.RunOnceAsync(CancellationToken.None);
    }

    private async Task DeliverAsync(int first, int count, string webhookSuffix = "")
    {
        for (var n = first; n < first + count; n++)
        {
            var body = SteveJson
                .Replace("1073339470", (FirstCustomer + n).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("steve.lastnameson@example.com", Email(n), StringComparison.Ordinal)
                .Replace("+15142546011", Phone(n), StringComparison.Ordinal);
            using var response = await _site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", Encoding.UTF8.GetBytes(body), WebhookId(n) + webhookSuffix);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private Task<(IdentityUser? User, IList<System.Security.Claims.Claim> Claims)> UserAsync(int n) => _site.WithUsersAsync(async users =>
    {
        var user = await users.FindByEmailAsync(Email(n));
        return (user, user is null ? [] : await users.GetClaimsAsync(user));
    });

    private static string WebhookId(int n) => $"wh-batch-{n}";

    private static string Email(int n) => $"batch-customer-{n}@example.com";

    private static string Phone(int n) => "+1514555" + (1000 + n).ToString(CultureInfo.InvariantCulture);
}
