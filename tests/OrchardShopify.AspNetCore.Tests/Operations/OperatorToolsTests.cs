using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Reconciliation;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Tests.Operations;

/// <summary>Bulk "Send to Shopify" and manual link / unlink, through the admin JSON of a site whose store is the emulator.</summary>
public sealed class OperatorToolsTests
{
    [Fact]
    public async Task A_bulk_send_pushes_exactly_the_verified_users_the_filter_takes_and_skips_the_unverified_with_the_reason()
    {
        await using var env = await EmulatorSite.StartAsync(0);
        var (linkedCustomer, errors, _) = env.Shop.Create(new Dictionary<string, object?> { ["firstName"] = "Eve", ["email"] = "eve@wholesale.example" });
        Assert.Empty(errors);

        // Created while sending is off, so only the bulk send can bring them to Shopify.
        var ann = await CreateUserAsync(env, "ann@wholesale.example", confirmed: true);
        var bob = await CreateUserAsync(env, "bob@wholesale.example", confirmed: true);
        var cy = await CreateUserAsync(env, "cy@wholesale.example", confirmed: false);
        var dee = await CreateUserAsync(env, "dee@retail.example", confirmed: true);
        var eve = await CreateUserAsync(env, "eve@wholesale.example", confirmed: true);
        await env.AdminJsonAsync(HttpMethod.Post, "/links?store=uk", new { userId = eve, customerId = linkedCustomer!.Id });
        await env.AdminJsonAsync(HttpMethod.Put, "/settings", new { updateUsersInShopify = true });
        Assert.Null(env.Shop.FindByEmail("ann@wholesale.example"));

        var started = await env.AdminJsonAsync(HttpMethod.Post, "/send?store=uk", new { search = "WHOLESALE", linked = false });
        Assert.Equal("running", started.GetProperty("status").GetString());
        var id = started.GetProperty("id").GetString();
        var done = await env.WaitForJobAsync($"/send/{id}");

        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(("WHOLESALE", false), (done.GetProperty("filter").GetProperty("search").GetString(), done.GetProperty("filter").GetProperty("linked").GetBoolean()));
        var progress = done.GetProperty("progress");
        Assert.Equal("finished", progress.GetProperty("stage").GetString());
        Assert.Equal(5, progress.GetProperty("scanned").GetInt64());
        Assert.Equal(3, progress.GetProperty("matched").GetInt64());
        Assert.Equal(2, progress.GetProperty("queued").GetInt64());
        Assert.Equal(2, progress.GetProperty("done").GetInt64());
        Assert.Equal(0, progress.GetProperty("failed").GetInt64());
        Assert.Equal(1, progress.GetProperty("skipped").GetInt64());
        Assert.Equal(1, progress.GetProperty("skippedByReason").GetProperty("unverified_email").GetInt64());
        var note = Assert.Single(progress.GetProperty("notes").EnumerateArray());
        Assert.Equal((cy, "unverified_email"), (note.GetProperty("userId").GetString(), note.GetProperty("reason").GetString()));
        Assert.Contains("not confirmed", note.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Exactly the two verified, unlinked wholesale users are customers now, linked to their users.
        var annCustomer = env.Shop.FindByEmail("ann@wholesale.example");
        var bobCustomer = env.Shop.FindByEmail("bob@wholesale.example");
        Assert.NotNull(annCustomer);
        Assert.NotNull(bobCustomer);
        Assert.Null(env.Shop.FindByEmail("cy@wholesale.example"));
        Assert.Null(env.Shop.FindByEmail("dee@retail.example"));
        Assert.Equal(3, env.Shop.Count);
        Assert.Equal(annCustomer.Id.ToString(CultureInfo.InvariantCulture), await ClaimAsync(env, ann, "shopify_id"));
        Assert.Equal(bobCustomer.Id.ToString(CultureInfo.InvariantCulture), await ClaimAsync(env, bob, "shopify_id"));
        Assert.Null(await ClaimAsync(env, cy, "shopify_id"));
        Assert.Null(await ClaimAsync(env, dee, "shopify_id"));
        var pushes = await env.Site.WorkItemsAsync(q => q.Where(w => w.Kind == WorkKind.OutboundPush));
        Assert.Equal(new[] { ann, bob }.Order(StringComparer.Ordinal), pushes.Select(p => p.UserId!).Order(StringComparer.Ordinal));
        Assert.All(pushes, p => Assert.Equal(DurableOutboundQueue.SendTopic, p.Topic));
        Assert.Equal(2, pushes.Count);

        // The store's newest send is the same job, as the admin page reads it.
        Assert.Equal(id, (await env.AdminJsonAsync(HttpMethod.Get, "/send?store=uk")).GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_bulk_send_is_refused_while_sending_is_off_and_names_the_setting()
    {
        await using var env = await EmulatorSite.StartAsync(0);
        await CreateUserAsync(env, "ann@example.com", confirmed: true);

        using var response = await env.AdminAsync(HttpMethod.Post, "/send?store=uk", new { });
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("push_off", problem.GetProperty("error").GetString());
        Assert.Contains("UpdateUsersInShopify", problem.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(await env.Site.WorkItemsAsync(q => q.Where(w => w.Kind == WorkKind.OutboundPush)));
    }

    [Fact]
    public async Task A_bulk_send_waiting_for_its_pushes_can_be_cancelled_and_the_queued_pushes_stay_queued()
    {
        // No outbound worker runs on this node: the pushes stay queued and the job waits for them.
        await using var env = await EmulatorSite.StartAsync(0, s =>
        {
            s["Shopify:UpdateUsersInShopify"] = "true";
            s["Shopify:Queue:WorkersEnabled"] = "false";
        });
        for (var i = 0; i < 3; i++)
        {
            await CreateUserAsync(env, $"waiting{i}@example.com", confirmed: true);
        }

        var id = (await env.AdminJsonAsync(HttpMethod.Post, "/send?store=uk")).GetProperty("id").GetString();
        await TestSite.EventuallyAsync(
            async () => (await env.AdminJsonAsync(HttpMethod.Get, $"/send/{id}")).GetProperty("progress").GetProperty("stage").GetString() == "waiting",
            "every push is queued and the job waits for them");
        using var busy = await env.AdminAsync(HttpMethod.Post, "/import?store=uk");
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);

        // The bulk send's id given to another kind of job's cancel stops nothing.
        using var wrongKind = await env.AdminAsync(HttpMethod.Post, $"/import/{id}/cancel");
        Assert.Equal(HttpStatusCode.Conflict, wrongKind.StatusCode);
        Assert.Equal(("running", "waiting"), await StatusAndStageAsync(env, id!));

        var cancelled = await env.AdminJsonAsync(HttpMethod.Post, $"/send/{id}/cancel");
        Assert.Equal(id, cancelled.GetProperty("id").GetString());
        var done = await env.WaitForJobAsync($"/send/{id}");

        Assert.Equal("canceled", done.GetProperty("status").GetString());
        Assert.Equal((3L, 0L), (done.GetProperty("progress").GetProperty("queued").GetInt64(), done.GetProperty("progress").GetProperty("done").GetInt64()));
        var pushes = await env.Site.WorkItemsAsync(q => q.Where(w => w.Kind == WorkKind.OutboundPush));
        Assert.Equal(3, pushes.Count);
        Assert.All(pushes, p => Assert.Equal((WorkStatus.Pending, DurableOutboundQueue.SendTopic), (p.Status, p.Topic)));
        Assert.Equal(0, env.Shop.Count);
    }

    [Fact]
    public async Task The_user_catalog_pages_every_user_once_in_order()
    {
        await using var env = await EmulatorSite.StartAsync(0);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await CreateUserAsync(env, $"user{i}@example.com", confirmed: true));
        }

        var catalog = env.Site.Services.GetRequiredService<ISiteUserCatalog>();
        var seen = new List<string>();
        string? after = null;
        while (await catalog.ListUserIdPageAsync(after, 2, CancellationToken.None) is { Count: > 0 } page)
        {
            Assert.True(page.Count <= 2);
            seen.AddRange(page);
            after = page[^1];
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task A_manual_link_stores_the_link_and_the_id_and_is_refused_for_a_mismatch_or_a_linked_customer_with_the_reason()
    {
        await using var env = await EmulatorSite.StartAsync(0);
        var (anna, _, _) = env.Shop.Create(new Dictionary<string, object?> { ["firstName"] = "Anna", ["lastName"] = "Shopify", ["email"] = "Anna@Example.com" });
        var (other, _, _) = env.Shop.Create(new Dictionary<string, object?> { ["firstName"] = "Other", ["email"] = "someone-else@example.com" });
        var (unconfirmedCustomer, _, _) = env.Shop.Create(new Dictionary<string, object?> { ["email"] = "late@example.com" });
        var annaUser = await CreateUserAsync(env, "anna@example.com", confirmed: true);
        var bert = await CreateUserAsync(env, "bert@example.com", confirmed: true);
        var late = await CreateUserAsync(env, "late@example.com", confirmed: false);

        var linked = await env.AdminJsonAsync(HttpMethod.Post, "/links?store=uk", new { userId = annaUser, customerId = anna!.Id });
        Assert.Equal("linked", linked.GetProperty("outcome").GetString());
        Assert.Equal(anna.Id.ToString(CultureInfo.InvariantCulture), await ClaimAsync(env, annaUser, "shopify_id"));
        Assert.Equal(annaUser, (await LinkAsync(env, anna.Id))?.UserId);
        // Shopify filled only what the user lacked.
        Assert.Equal("Anna", await ClaimAsync(env, annaUser, "given_name"));

        var mismatch = await ProblemAsync(env, "/links?store=uk", new { userId = bert, customerId = other!.Id });
        Assert.Equal((HttpStatusCode.Conflict, "email_mismatch"), (mismatch.Status, mismatch.Code));
        Assert.Contains($"user {bert} is not the customer's email", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("override", mismatch.Message, StringComparison.Ordinal);

        var taken = await ProblemAsync(env, "/links?store=uk", new { userId = bert, customerId = anna.Id });
        Assert.Equal((HttpStatusCode.Conflict, "customer_linked"), (taken.Status, taken.Code));
        Assert.Equal($"Customer {anna.Id} of store 'uk' is already linked to user {annaUser}; unlink it there first.", taken.Message);

        var userTaken = await ProblemAsync(env, "/links?store=uk", new { userId = annaUser, customerId = other.Id, @override = true });
        Assert.Equal((HttpStatusCode.Conflict, "user_linked"), (userTaken.Status, userTaken.Code));
        Assert.Equal($"User {annaUser} is already linked to customer {anna.Id} of store 'uk'; unlink it first.", userTaken.Message);

        var unverified = await ProblemAsync(env, "/links?store=uk", new { userId = late, customerId = unconfirmedCustomer!.Id });
        Assert.Equal((HttpStatusCode.Conflict, "unverified_email"), (unverified.Status, unverified.Code));

        var missing = await ProblemAsync(env, "/links?store=uk", new { userId = bert, customerId = 999999999L });
        Assert.Equal((HttpStatusCode.NotFound, "unknown_customer"), (missing.Status, missing.Code));

        Assert.Null(await LinkAsync(env, other.Id));
        Assert.Null(await LinkAsync(env, unconfirmedCustomer.Id));
        Assert.Null(await ClaimAsync(env, bert, "shopify_id"));

        // The override links a mismatched pair, and the sync log says who did it.
        var forced = await env.AdminJsonAsync(HttpMethod.Post, "/links?store=uk", new { userId = bert, customerId = other.Id, @override = true });
        Assert.Equal("linked_override", forced.GetProperty("outcome").GetString());
        var bertLink = await LinkAsync(env, other.Id);
        Assert.Equal(bert, bertLink?.UserId);

        // What both sides agree on is what the user holds, Shopify's values only where it had none: the user's next save
        // sends only what changes on the site, never its own email over the customer's.
        Assert.Equal(("bert@example.com", "Other"), (bertLink!.SyncedEmail, bertLink.SyncedFirstName));
        var log = await env.Site.Services.GetRequiredService<ShopifySyncAdmin>().GetLogAsync(new SyncLogQuery(Topic: "admin/link"), CancellationToken.None);
        var overrideEntry = Assert.Single(log, e => e.UserId == bert);
        Assert.Equal(("linked_override", other.Id), (overrideEntry.Outcome, overrideEntry.CustomerId));
        Assert.Contains("admin API key", overrideEntry.Detail, StringComparison.Ordinal);
        Assert.Contains("override", overrideEntry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unlinking_removes_the_link_and_the_id_and_keeps_the_user_and_the_Shopify_customer()
    {
        await using var env = await EmulatorSite.StartAsync(0);
        var (customer, _, _) = env.Shop.Create(new Dictionary<string, object?> { ["firstName"] = "Una", ["email"] = "una@example.com" });
        var user = await CreateUserAsync(env, "una@example.com", confirmed: true);
        await env.AdminJsonAsync(HttpMethod.Post, "/links?store=uk", new { userId = user, customerId = customer!.Id });

        var unlinked = await env.AdminJsonAsync(HttpMethod.Post, "/links/unlink?store=uk", new { userId = user });

        Assert.Equal(("unlinked", customer.Id), (unlinked.GetProperty("outcome").GetString(), unlinked.GetProperty("customerId").GetInt64()));
        Assert.Null(await LinkAsync(env, customer.Id));
        Assert.Null(await ClaimAsync(env, user, "shopify_id"));
        Assert.NotNull(await env.Site.WithUsersAsync(users => users.FindByIdAsync(user)));
        Assert.Equal("una@example.com", env.Shop.Find(customer.Id)?.Email);
        var entry = Assert.Single(await env.Site.Services.GetRequiredService<ShopifySyncAdmin>().GetLogAsync(new SyncLogQuery(Topic: "admin/unlink"), CancellationToken.None));
        Assert.Equal(("unlinked", user, customer.Id), (entry.Outcome, entry.UserId, entry.CustomerId));
        Assert.Contains("admin API key", entry.Detail, StringComparison.Ordinal);

        // Not deleted in Shopify: the pair can be linked again.
        Assert.Equal("linked", (await env.AdminJsonAsync(HttpMethod.Post, "/links?store=uk", new { userId = user, customerId = customer.Id })).GetProperty("outcome").GetString());
        await env.AdminJsonAsync(HttpMethod.Post, "/links/unlink?store=uk", new { userId = user });
        var again = await ProblemAsync(env, "/links/unlink?store=uk", new { userId = user });
        Assert.Equal((HttpStatusCode.NotFound, "not_linked"), (again.Status, again.Code));
    }

    [Fact]
    public async Task Link_unlink_and_bulk_send_refuse_a_caller_without_the_admin_key_and_change_nothing()
    {
        await using var env = await EmulatorSite.StartAsync(0);
        var (customer, _, _) = env.Shop.Create(new Dictionary<string, object?> { ["email"] = "anon@example.com" });
        var user = await CreateUserAsync(env, "anon@example.com", confirmed: true);

        foreach (var (path, body) in new (string, object)[]
        {
            ("/links?store=uk", new { userId = user, customerId = customer!.Id }),
            ("/links/unlink?store=uk", new { userId = user }),
            ("/send?store=uk", new { }),
        })
        {
            using var response = await env.Site.Http.PostAsync(EmulatorSite.Admin + path, System.Net.Http.Json.JsonContent.Create(body));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Null(await LinkAsync(env, customer.Id));
        Assert.Empty(await env.Site.WorkItemsAsync(q => q.Where(w => w.Kind == WorkKind.OutboundPush)));
    }

    private static async Task<string> CreateUserAsync(EmulatorSite env, string email, bool confirmed)
        => await env.Site.WithUsersAsync(async users =>
        {
            var user = new IdentityUser { UserName = email, Email = email, EmailConfirmed = confirmed };
            Assert.True((await users.CreateAsync(user)).Succeeded);
            return user.Id;
        });

    private static Task<string?> ClaimAsync(EmulatorSite env, string userId, string type)
        => env.Site.WithUsersAsync(async users => (await users.GetClaimsAsync((await users.FindByIdAsync(userId))!)).FirstOrDefault(c => c.Type == type)?.Value);

    private static async Task<CustomerLinkRow?> LinkAsync(EmulatorSite env, long customerId)
    {
        await using var db = await env.Site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        return await db.Links.AsNoTracking().FirstOrDefaultAsync(l => l.StoreHandle == "uk" && l.CustomerId == customerId);
    }

    private static async Task<(HttpStatusCode Status, string? Code, string Message)> ProblemAsync(EmulatorSite env, string path, object body)
    {
        using var response = await env.AdminAsync(HttpMethod.Post, path, body);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (response.StatusCode, problem.GetProperty("error").GetString(), problem.GetProperty("message").GetString()!);
    }

    private static async Task<(string?, string?)> StatusAndStageAsync(EmulatorSite env, string id)
    {
        var job = await env.AdminJsonAsync(HttpMethod.Get, $"/send/{id}");
        return (job.GetProperty("status").GetString(), job.GetProperty("progress").GetProperty("stage").GetString());
    }
}
