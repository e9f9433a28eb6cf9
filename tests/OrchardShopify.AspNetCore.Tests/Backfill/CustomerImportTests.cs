using System.Data.Common;
using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Users;
using OrchardShopify.Emulator;

namespace OrchardShopify.AspNetCore.Tests.Backfill;

public sealed class CustomerImportTests
{
    private const int Customers = 300;

    [Fact]
    public async Task Import_creates_and_links_users_with_matching_counts_and_a_second_run_changes_nothing()
    {
        await using var env = await EmulatorSite.StartAsync(Customers);
        var seeded = env.Shop.Snapshot();
        var byEmail = seeded[5];
        var byPhone = seeded[7];
        var (noEmail, errors, _) = env.Shop.Create(new Dictionary<string, object?> { ["firstName"] = "Nomail", ["phone"] = "+442079460123" });
        Assert.Empty(errors);
        var total = seeded.Count + 1;

        var emailUser = new IdentityUser { UserName = byEmail.Email, Email = byEmail.Email, EmailConfirmed = true };
        var phoneUser = new IdentityUser { UserName = "phone.owner@example.com", Email = "phone.owner@example.com", PhoneNumber = byPhone.Phone, PhoneNumberConfirmed = true };
        await env.Site.WithUsersAsync(async users =>
        {
            Assert.True((await users.CreateAsync(emailUser)).Succeeded);
            return await users.CreateAsync(phoneUser);
        });

        JsonElement first;
        using (var commands = new IdentityCommands(env.Site.IdentityDatabaseFile))
        {
            var started = await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk");
            Assert.Equal("running", started.GetProperty("status").GetString());
            first = await env.WaitForJobAsync($"/import/{started.GetProperty("id").GetString()}");

            // The new customers were created together, a transaction's worth at a time: Identity's uniqueness checks were
            // answered from one query per transaction (a chunk holds what the export has delivered, up to 200). The two single look-ups are the validation of the two matched users,
            // updated through UserManager with Shopify's values for their blanks; one by one, each created user adds one.
            Assert.Equal(2, commands.Count(sql => sql.Contains("\"NormalizedUserName\" = @", StringComparison.Ordinal)));
            Assert.NotEqual(0, commands.Count(sql => sql.Contains("\"NormalizedUserName\" IN (", StringComparison.Ordinal)));
        }

        Assert.Equal("succeeded", first.GetProperty("status").GetString());
        var progress = first.GetProperty("progress");
        Assert.Equal("finished", progress.GetProperty("stage").GetString());
        Assert.Equal(total, progress.GetProperty("total").GetInt64());
        Assert.Equal(total, progress.GetProperty("processed").GetInt64());
        Assert.Equal(total - 3, progress.GetProperty("created").GetInt64());
        Assert.Equal(2, progress.GetProperty("linked").GetInt64());
        Assert.Equal(1, progress.GetProperty("skipped").GetInt64());
        Assert.Equal(0, progress.GetProperty("failed").GetInt64());
        var skip = Assert.Single(progress.GetProperty("skippedReasons").EnumerateArray());
        Assert.Equal("no_email", skip.GetProperty("reason").GetString());
        Assert.Equal([noEmail!.Id], skip.GetProperty("exampleCustomerIds").EnumerateArray().Select(e => e.GetInt64()));

        // One sync-log row per customer created, linked or skipped, written by the import.
        Assert.Equal((total - 3, 2), (await CountAsync(env, db => db.SyncLog.CountAsync(l => l.Outcome == "created")), await CountAsync(env, db => db.SyncLog.CountAsync(l => l.Outcome == "linked"))));

        // Every customer with an email has a user holding its id, and the two existing users were linked, not duplicated.
        Assert.Equal(total - 1, await CountAsync(env, db => db.Links.CountAsync()));
        Assert.Equal(total - 1, await env.Site.WithUsersAsync(users => users.Users.CountAsync()));
        Assert.Equal(byEmail.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), await ShopifyIdClaimAsync(env, emailUser.Id));
        Assert.Equal(byPhone.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), await ShopifyIdClaimAsync(env, phoneUser.Id));
        var created = await env.Site.WithUsersAsync(users => users.FindByEmailAsync(seeded[11].Email!));
        Assert.NotNull(created);
        Assert.Equal(seeded[11].Id.ToString(System.Globalization.CultureInfo.InvariantCulture), await ShopifyIdClaimAsync(env, created.Id));

        var again = await env.WaitForJobAsync($"/import/{(await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk")).GetProperty("id").GetString()}");
        var second = again.GetProperty("progress");
        Assert.Equal("succeeded", again.GetProperty("status").GetString());
        Assert.Equal((0L, 0L, 0L), (second.GetProperty("created").GetInt64(), second.GetProperty("linked").GetInt64(), second.GetProperty("updated").GetInt64()));
        Assert.Equal(total - 1, second.GetProperty("unchanged").GetInt64());
        Assert.Equal(1, second.GetProperty("skipped").GetInt64());
        Assert.Equal(total - 1, await env.Site.WithUsersAsync(users => users.Users.CountAsync()));

        // The status endpoint shows the newest import of the store.
        var latest = await env.AdminJsonAsync(HttpMethod.Get, "/import?store=uk");
        Assert.Equal(again.GetProperty("id").GetString(), latest.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Import_of_changes_applies_customers_updated_since_the_last_import()
    {
        await using var env = await EmulatorSite.StartAsync(40);
        var full = await env.WaitForJobAsync($"/import/{(await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk")).GetProperty("id").GetString()}");
        Assert.Equal(40, full.GetProperty("progress").GetProperty("created").GetInt64());

        var changed = env.Shop.Snapshot()[3];
        Assert.Empty(env.Shop.Update(changed.Id, new Dictionary<string, object?> { ["lastName"] = "Renamed-In-Shopify" }).Errors);

        var started = await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk", new { mode = "changed" });
        Assert.Equal("changed", started.GetProperty("mode").GetString());
        var delta = await env.WaitForJobAsync($"/import/{started.GetProperty("id").GetString()}");

        Assert.Equal("succeeded", delta.GetProperty("status").GetString());
        Assert.Equal(1, delta.GetProperty("progress").GetProperty("updated").GetInt64());
        Assert.True(delta.GetProperty("progress").GetProperty("processed").GetInt64() < 40, "only recently updated customers are read");
        var user = await env.Site.WithUsersAsync(users => users.FindByEmailAsync(changed.Email!));
        Assert.Equal("Renamed-In-Shopify", await env.Site.WithUsersAsync(async users => (await users.GetClaimsAsync(user!)).FirstOrDefault(c => c.Type == "family_name")?.Value));
    }

    [Fact]
    public async Task Import_with_user_creation_off_links_matches_and_reports_the_rest_as_skipped()
    {
        await using var env = await EmulatorSite.StartAsync(25, s => s["Shopify:CreateUsersFromShopify"] = "false");
        var match = env.Shop.Snapshot()[0];
        await env.Site.WithUsersAsync(users => users.CreateAsync(new IdentityUser { UserName = match.Email, Email = match.Email, EmailConfirmed = true }));

        var done = await env.WaitForJobAsync($"/import/{(await env.AdminJsonAsync(HttpMethod.Post, "/import", new { mode = "all" })).GetProperty("id").GetString()}");

        var progress = done.GetProperty("progress");
        Assert.Equal(1, progress.GetProperty("linked").GetInt64());
        Assert.Equal(0, progress.GetProperty("created").GetInt64());
        var group = Assert.Single(progress.GetProperty("skippedReasons").EnumerateArray());
        Assert.Equal(("creation_off", 24L), (group.GetProperty("reason").GetString(), group.GetProperty("count").GetInt64()));
        Assert.Equal(1, await env.Site.WithUsersAsync(users => users.Users.CountAsync()));
    }

    [Fact]
    public async Task A_customer_the_user_store_refuses_is_counted_as_failed_and_the_others_are_stored()
    {
        await using var env = await EmulatorSite.StartAsync(30);
        // Shopify takes the apostrophe; Identity's default user names do not.
        var (refused, errors, _) = env.Shop.Create(new Dictionary<string, object?> { ["firstName"] = "Dara", ["email"] = "dara.o'brien@example.com" });
        Assert.Empty(errors);
        var done = await env.WaitForJobAsync($"/import/{(await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk")).GetProperty("id").GetString()}");

        var progress = done.GetProperty("progress");
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal((30L, 1L), (progress.GetProperty("created").GetInt64(), progress.GetProperty("failed").GetInt64()));
        var failure = Assert.Single(progress.GetProperty("failures").EnumerateArray());
        Assert.Equal([refused!.Id], failure.GetProperty("exampleCustomerIds").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(30, await env.Site.WithUsersAsync(users => users.Users.CountAsync()));
        Assert.Equal(30, await CountAsync(env, db => db.Links.CountAsync()));
    }

    [Fact]
    public async Task A_second_import_is_refused_while_one_runs_and_a_canceled_import_says_so()
    {
        await using var env = await EmulatorSite.StartAsync(20);
        env.Emulator.SetFaults(new OrchardShopify.Emulator.Control.FaultSettings { ApiLatencyMs = 1500 });

        var started = await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk");
        var id = started.GetProperty("id").GetString();
        using var second = await env.AdminAsync(HttpMethod.Post, "/import?store=uk");
        var refusal = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement;
        using var cancel = await env.AdminAsync(HttpMethod.Post, $"/import/{id}/cancel");
        var canceled = await env.WaitForJobAsync($"/import/{id}");

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("job_running", refusal.GetProperty("error").GetString());
        Assert.Contains(id!, refusal.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("canceled", canceled.GetProperty("status").GetString());
        Assert.Equal(0, await env.Site.WithUsersAsync(users => users.Users.CountAsync()));
        using var again = await env.AdminAsync(HttpMethod.Post, $"/import/{id}/cancel");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task An_import_interrupted_mid_file_is_run_again_and_every_customer_ends_with_one_user_and_one_link()
    {
        // The cancel must arrive while the import applies: site code run as each user is created (a validator) holds
        // the import once 500 users have been validated, until the cancel has been sent. (Racing the import with polls
        // lost on a busy machine: the whole file was applied before the cancel arrived.) The import is held inside its
        // transaction, which the cancel's update of the job waits for, so the hold ends soon after the cancel is sent;
        // the cancel stops the import on its node before it waits for that update.
        const int total = 10_000;
        using var held = new ManualResetEventSlim(false);
        using var release = new ManualResetEventSlim(false);
        var validated = 0;
        await using var env = await EmulatorSite.StartAsync(
            total,
            configureServices: services => services.AddScoped<IUserValidator<IdentityUser>>(_ => new HoldingValidator(() =>
            {
                if (Interlocked.Increment(ref validated) == 500)
                {
                    held.Set();
                    release.Wait(TimeSpan.FromSeconds(60));
                }
            })));

        var id = (await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk")).GetProperty("id").GetString();
        Assert.True(held.Wait(TimeSpan.FromSeconds(60)), "the import validated no 500 users within a minute");
        var cancelling = env.AdminAsync(HttpMethod.Post, $"/import/{id}/cancel");
        await Task.Delay(300);
        release.Set();
        using (var cancel = await cancelling)
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }
        var interrupted = await env.WaitForJobAsync($"/import/{id}");
        Assert.Equal("canceled", interrupted.GetProperty("status").GetString());
        var before = await env.Site.WithUsersAsync(users => users.Users.CountAsync());
        Assert.InRange(before, 1, total - 1);
        Assert.Equal(before, await CountAsync(env, db => db.Links.CountAsync()));

        var again = await env.WaitForJobAsync($"/import/{(await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk")).GetProperty("id").GetString()}");
        var progress = again.GetProperty("progress");
        Assert.Equal("succeeded", again.GetProperty("status").GetString());
        Assert.Equal(total, progress.GetProperty("processed").GetInt64());
        Assert.Equal(total - before, progress.GetProperty("created").GetInt64());
        Assert.Equal(before, progress.GetProperty("unchanged").GetInt64());
        Assert.Equal(total, await env.Site.WithUsersAsync(users => users.Users.CountAsync()));
        Assert.Equal(total, await env.Site.WithUsersAsync(users => users.Users.Select(u => u.NormalizedEmail).Distinct().CountAsync()));
        Assert.Equal(total, await CountAsync(env, db => db.Links.CountAsync()));
        Assert.Equal(total, await CountAsync(env, db => db.Links.Select(l => l.UserId).Distinct().CountAsync()));
        Assert.Equal(total, await CountAsync(env, db => db.SyncLog.CountAsync(l => l.Outcome == "created")));
    }

    [Fact]
    public async Task A_customer_created_in_Shopify_while_an_import_applies_gets_its_user_before_the_import_ends()
    {
        // Site code run as each user is created (a validator) takes a few milliseconds, so the import applies its 1,500
        // customers for several seconds, transaction after transaction. SQLite's own wait for its write lock is not
        // fair: the webhook's worker, retrying at intervals, found the lock taken by the import's next transaction
        // every time and applied the delivery only once the import had finished.
        const int total = 1_500;
        await using var env = await EmulatorSite.StartAsync(
            total,
            configureServices: services => services.AddScoped<IUserValidator<IdentityUser>>(_ => new SlowValidator(TimeSpan.FromMilliseconds(4))));
        var id = (await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk")).GetProperty("id").GetString();
        await TestSite.EventuallyAsync(
            async () => (await env.AdminJsonAsync(HttpMethod.Get, $"/import/{id}")).GetProperty("progress").GetProperty("processed").GetInt64() >= 200,
            "the import has applied 200 customers",
            TimeSpan.FromSeconds(60));

        var body = TestSite.Payload("customers-create-steve-lastnameson.json");
        using (var acknowledged = await env.Site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", body, "during-import-1"))
        {
            Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        }

        IdentityUser? user = null;
        await TestSite.EventuallyAsync(
            async () => (user = await env.Site.WithUsersAsync(users => users.FindByEmailAsync("steve.lastnameson@example.com"))) is not null,
            "the delivered customer's user exists",
            TimeSpan.FromSeconds(60));
        var status = await env.AdminJsonAsync(HttpMethod.Get, $"/import/{id}");
        Assert.Equal("running", status.GetProperty("status").GetString());
        Assert.InRange(status.GetProperty("progress").GetProperty("processed").GetInt64(), 200, total - 1);
        Assert.Equal("1073339470", await ShopifyIdClaimAsync(env, user!.Id));

        var done = await env.WaitForJobAsync($"/import/{id}");
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(total, done.GetProperty("progress").GetProperty("created").GetInt64());
        Assert.Equal(total + 1, await env.Site.WithUsersAsync(users => users.Users.CountAsync()));
        Assert.Equal(total + 1, await CountAsync(env, db => db.Links.CountAsync()));
    }

    [Fact]
    public async Task A_user_renamed_on_the_site_while_an_import_applies_reaches_Shopify_before_the_import_ends()
    {
        // The import applies 8,000 customers for several seconds (a site validator taking 1 ms a user; each of its
        // transactions creates as many new customers together as fit in about 100 ms); a customer it has already created
        // a user for renames herself on the site meanwhile, and a member joins. Their pushes' worker claims its items from
        // the same SQLite file, and each of their writes waits for the import's current transaction.
        const int total = 8_000;
        await using var env = await EmulatorSite.StartAsync(
            total,
            settings =>
            {
                settings["Shopify:UpdateUsersInShopify"] = "true";
                settings["Shopify:CatchUp:Enabled"] = "false";
            },
            services => services.AddScoped<IUserValidator<IdentityUser>>(_ => new SleepingValidator(TimeSpan.FromMilliseconds(1))));
        var id = (await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk")).GetProperty("id").GetString();
        await TestSite.EventuallyAsync(
            async () => (await env.AdminJsonAsync(HttpMethod.Get, $"/import/{id}")).GetProperty("progress").GetProperty("processed").GetInt64() >= 200,
            "the import has applied 200 customers",
            TimeSpan.FromSeconds(60));

        // A customer the import has linked, whose email Shopify verified (so the site may push her).
        var links = await ListAsync(env, db => db.Links.AsNoTracking().Select(l => new { l.CustomerId, l.UserId }).ToListAsync());
        var (customer, userId) = links.Select(l => (Customer: env.Shop.Find(l.CustomerId)!, l.UserId)).First(l => l.Customer.VerifiedEmail && l.Customer.FirstName is not null);
        var renamed = await env.Site.WithUsersAsync(async users =>
        {
            var stored = (await users.FindByIdAsync(userId))!;
            var given = (await users.GetClaimsAsync(stored)).Single(c => c.Type == ShopifyUserClaims.GivenName);
            return await users.ReplaceClaimAsync(stored, given, new Claim(ShopifyUserClaims.GivenName, "Renamed-During-Import"));
        });
        Assert.True(renamed.Succeeded);

        // A member joins meanwhile: her email confirmed, no customer in Shopify.
        var member = new IdentityUser { UserName = "joined-during-import@example.com", Email = "joined-during-import@example.com", EmailConfirmed = true };
        Assert.True((await env.Site.WithUsersAsync(users => users.CreateAsync(member))).Succeeded);

        // The save did not wait for the import: it took its turn between two of the import's transactions. (SQLite's own
        // wait for the users' write lock is not fair; the save returned once the import had finished.)
        await AssertImportRunningAsync(env, id!, total);

        await TestSite.EventuallyAsync(
            () => Task.FromResult(env.Shop.Find(customer.Id)!.FirstName == "Renamed-During-Import"),
            "the rename reaches Shopify",
            TimeSpan.FromSeconds(60));
        await AssertImportRunningAsync(env, id!, total);

        // The push's writes once Shopify has answered (Shopify's answer on the link, the log row, the item's completion)
        // take turns too: the item is completed while the import still runs. (Without turns they waited for the lock as
        // SQLite does, until the import had finished, or failed once the busy timeout had passed.)
        await TestSite.EventuallyAsync(
            async () => await CountAsync(env, db => db.WorkItems.CountAsync(w => w.Kind == WorkKind.OutboundPush && w.UserId == userId && w.Status == WorkStatus.Succeeded)) == 1,
            "the push's work item is completed",
            TimeSpan.FromSeconds(60));
        var pushed = await CountAsync(env, db => db.SyncLog.CountAsync(l => l.Direction == "outbound" && l.UserId == userId && l.Outcome == "updated"));
        Assert.Equal(1, pushed);

        // The import's own heartbeat (every second) gets through too: a job whose heartbeat is a minute old is taken as
        // interrupted, and another import of the store may then start.
        var beat = (await ListAsync(env, db => db.Jobs.AsNoTracking().Where(j => j.Id == id).Select(j => j.HeartbeatAt).ToListAsync())).Single();
        await TestSite.EventuallyAsync(
            async () => (await ListAsync(env, db => db.Jobs.AsNoTracking().Where(j => j.Id == id).Select(j => j.HeartbeatAt).ToListAsync())).Single() > beat,
            "the import's next heartbeat is stored",
            TimeSpan.FromSeconds(60));
        await AssertImportRunningAsync(env, id!, total);

        // The member who joined meanwhile is created in Shopify by her push, whose writes once Shopify has answered (the
        // link, her shopify_id) get through while the import runs.
        await TestSite.EventuallyAsync(async () => await ShopifyIdClaimAsync(env, member.Id) is not null, "the member's shopify_id is stored", TimeSpan.FromSeconds(60));
        var memberCustomer = env.Shop.Find(long.Parse((await ShopifyIdClaimAsync(env, member.Id))!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(member.Email, memberCustomer?.Email);
        Assert.Equal(member.Id, (await ListAsync(env, db => db.Links.AsNoTracking().Where(l => l.CustomerId == memberCustomer!.Id).Select(l => l.UserId).ToListAsync())).Single());
        await AssertImportRunningAsync(env, id!, total);

        var done = await env.WaitForJobAsync($"/import/{id}");
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(total, done.GetProperty("progress").GetProperty("created").GetInt64());
        Assert.Equal("Renamed-During-Import", env.Shop.Find(customer.Id)!.FirstName);
        Assert.Equal(total + 1, await env.Site.WithUsersAsync(users => users.Users.CountAsync()));
    }

    [Fact]
    public async Task An_import_whose_site_validators_are_slow_creates_no_more_users_in_a_transaction_than_its_time_limit_holds()
    {
        // The site's validator blocks 2 ms a user, so a transaction of at most MaxTransactionTime (100 ms) can create at
        // most 50 users. Before the runs were sized to the time left, each transaction created the 200 new customers of its
        // chunk together whatever the time (400 ms here), and the single writes waiting for their turn waited that long.
        const int total = 1_000;
        var validated = 0;
        var commits = new CountingCommits(() => Volatile.Read(ref validated));
        await using var env = await EmulatorSite.StartAsync(
            total,
            settings => settings["Shopify:CatchUp:Enabled"] = "false",
            services =>
            {
                services.AddScoped<IUserValidator<IdentityUser>>(_ => new HoldingValidator(() =>
                {
                    Thread.Sleep(TimeSpan.FromMilliseconds(2));
                    Interlocked.Increment(ref validated);
                }));
                services.ConfigureDbContext<ShopifySyncDbContext>(o => o.AddInterceptors(commits));
            });

        var id = (await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk")).GetProperty("id").GetString();
        var done = await env.WaitForJobAsync($"/import/{id}");

        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(total, done.GetProperty("progress").GetProperty("created").GetInt64());
        Assert.Equal(total, await env.Site.WithUsersAsync(users => users.Users.CountAsync()));
        Assert.Equal(total, await CountAsync(env, db => db.Links.CountAsync()));
        Assert.Equal(total, await CountAsync(env, db => db.SyncLog.CountAsync(l => l.Topic == "import/customers" && l.Outcome == "created")));
        Assert.Equal(total, Volatile.Read(ref validated));

        // Every user was validated in one of the import's transactions, each of which created at most 50 (one more for a
        // run's rounding), and more than a handful of transactions did.
        var perCommit = commits.ValidatedPerCommit();
        Assert.Equal(total, perCommit.Sum());
        Assert.InRange(perCommit.Max(), 1, 51);
        Assert.True(perCommit.Count(n => n > 0) >= total / 51, $"{perCommit.Count(n => n > 0)} transactions created users");
    }

    [Fact]
    public async Task Import_links_no_user_whose_email_is_unconfirmed_and_creates_no_second_user_for_it()
    {
        await using var env = await EmulatorSite.StartAsync(450);
        var seeded = env.Shop.Snapshot();
        var claimed = seeded[310];
        var unconfirmed = new IdentityUser { UserName = claimed.Email, Email = claimed.Email, EmailConfirmed = false };
        Assert.True((await env.Site.WithUsersAsync(users => users.CreateAsync(unconfirmed))).Succeeded);

        var done = await env.WaitForJobAsync($"/import/{(await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk")).GetProperty("id").GetString()}");

        var progress = done.GetProperty("progress");
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal((449L, 0L, 1L), (progress.GetProperty("created").GetInt64(), progress.GetProperty("linked").GetInt64(), progress.GetProperty("skipped").GetInt64()));
        var skip = Assert.Single(progress.GetProperty("skippedReasons").EnumerateArray());
        Assert.Equal([claimed.Id], skip.GetProperty("exampleCustomerIds").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Null(await ShopifyIdClaimAsync(env, unconfirmed.Id));
        Assert.Equal(0, await CountAsync(env, db => db.Links.CountAsync(l => l.CustomerId == claimed.Id || l.UserId == unconfirmed.Id)));
        Assert.Equal(450, await env.Site.WithUsersAsync(users => users.Users.CountAsync()));
        Assert.Equal(449, await CountAsync(env, db => db.Links.CountAsync()));

        // A user created from a customer Shopify has not verified the email of does not get a confirmed email.
        var notVerified = seeded.First(c => !c.VerifiedEmail);
        var created = await env.Site.WithUsersAsync(users => users.FindByEmailAsync(notVerified.Email!));
        Assert.NotNull(created);
        Assert.False(created.EmailConfirmed);
    }

    [Fact]
    public async Task Import_requests_are_refused_with_the_reason()
    {
        await using var env = await EmulatorSite.StartAsync(1, s => s["Shopify:InboundEnabled"] = "false");

        using var unknown = await env.AdminAsync(HttpMethod.Post, "/import?store=fr");
        using var inboundOff = await env.AdminAsync(HttpMethod.Post, "/import?store=uk");
        using var badBody = await env.AdminAsync(HttpMethod.Post, "/import?store=uk", "{\"mode\": \"sometimes\"}");
        using var anonymous = await env.Site.Http.PostAsync(EmulatorSite.Admin + "/import?store=uk", null);

        Assert.Equal((HttpStatusCode.BadRequest, "unknown_store"), (unknown.StatusCode, await ErrorAsync(unknown)));
        Assert.Equal((HttpStatusCode.BadRequest, "inbound_off"), (inboundOff.StatusCode, await ErrorAsync(inboundOff)));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_json"), (badBody.StatusCode, await ErrorAsync(badBody)));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private static async Task<string?> ErrorAsync(HttpResponseMessage response)
        => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();

    private static async Task AssertImportRunningAsync(EmulatorSite env, string id, int total)
    {
        var status = await env.AdminJsonAsync(HttpMethod.Get, $"/import/{id}");
        Assert.Equal("running", status.GetProperty("status").GetString());
        Assert.InRange(status.GetProperty("progress").GetProperty("processed").GetInt64(), 200, total - 1);
    }

    private static async Task<List<T>> ListAsync<T>(EmulatorSite env, Func<ShopifySyncDbContext, Task<List<T>>> list)
    {
        await using var db = await env.Site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        return await list(db);
    }

    private static async Task<int> CountAsync(EmulatorSite env, Func<ShopifySyncDbContext, Task<int>> count)
    {
        await using var db = await env.Site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        return await count(db);
    }

    private static Task<string?> ShopifyIdClaimAsync(EmulatorSite env, string userId)
        => env.Site.WithUsersAsync(async users => (await users.GetClaimsAsync((await users.FindByIdAsync(userId))!)).FirstOrDefault(c => c.Type == "shopify_id")?.Value);

    /// <summary>Site code that takes <paramref name="delay"/> for each user created or updated; accepts every user.</summary>
    private sealed class SlowValidator(TimeSpan delay) : IUserValidator<IdentityUser>
    {
        public async Task<IdentityResult> ValidateAsync(UserManager<IdentityUser> manager, IdentityUser user)
        {
            await Task.Delay(delay);
            return IdentityResult.Success;
        }
    }

    /// <summary>
    /// Site code that blocks its thread for <paramref name="delay"/> for each user created or updated (a timer's delay
    /// would be rounded up to its resolution); accepts every user.
    /// </summary>
    private sealed class SleepingValidator(TimeSpan delay) : IUserValidator<IdentityUser>
    {
        public Task<IdentityResult> ValidateAsync(UserManager<IdentityUser> manager, IdentityUser user)
        {
            Thread.Sleep(delay);
            return Task.FromResult(IdentityResult.Success);
        }
    }

    /// <summary>How many users the site validated between one commit of the sync database and the next.</summary>
    private sealed class CountingCommits(Func<int> validated) : DbTransactionInterceptor
    {
        private readonly List<int> _perCommit = [];
        private int _atLastCommit;

        public List<int> ValidatedPerCommit()
        {
            lock (_perCommit)
            {
                return [.. _perCommit];
            }
        }

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            lock (_perCommit)
            {
                var now = validated();
                _perCommit.Add(now - _atLastCommit);
                _atLastCommit = now;
            }

            return base.TransactionCommittedAsync(transaction, eventData, cancellationToken);
        }
    }

    /// <summary>Site code called as each user is created or updated; accepts every user.</summary>
    private sealed class HoldingValidator(Action onValidate) : IUserValidator<IdentityUser>
    {
        public Task<IdentityResult> ValidateAsync(UserManager<IdentityUser> manager, IdentityUser user)
        {
            onValidate();
            return Task.FromResult(IdentityResult.Success);
        }
    }
}
