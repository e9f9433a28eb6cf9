using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;
using OrchardShopify.Testing;

namespace OrchardShopify.Core.Tests.Sync;

/// <summary>Both directions on at once: nothing may ping-pong.</summary>
public sealed class EchoSuppressionTests
{
    private static SyncHarness BothWays(bool multiStore = false)
    {
        static void Both(ShopifySyncOptions o)
        {
            o.CreateUsersFromShopify = true;
            o.UpdateUsersInShopify = true;
        }

        return multiStore ? SyncHarness.MultiStore(Both) : SyncHarness.SingleStore(Both);
    }

    [Fact]
    public async Task An_inbound_change_does_not_trigger_a_push()
    {
        using var harness = BothWays();
        var customer = harness.Shopify.Seed("uk", new CustomerProfile("Grace", "Hopper", "grace@example.com", "+16135550000"));

        await harness.DeliverAsync("customers/create", FakeShopifyCustomers.WebhookBody(customer));
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        var edited = harness.Shopify.EditInAdmin("uk", customer.Id, p => p with { LastName = "Murray Hopper" });
        var result = await harness.DeliverAsync("customers/update", FakeShopifyCustomers.WebhookBody(edited));

        Assert.Equal(InboundOutcome.Updated, result.Outcome);
        Assert.Equal("Murray Hopper", Assert.Single(harness.Users.All).LastName);
        Assert.Equal(0, harness.Queue.Count);
        Assert.Empty(await harness.RunOutboundAsync());
        Assert.DoesNotContain(harness.Shopify.Calls, c => c.StartsWith("update", StringComparison.Ordinal) || c.StartsWith("create", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_user_a_webhook_links_keeps_its_own_name_and_its_next_save_sends_nothing_over_the_customers()
    {
        using var harness = BothWays();
        var customer = harness.Shopify.Seed("uk", new CustomerProfile("Robert", "Smith", "bob@example.com", "+16135550199"));

        // Bob's account was there before the sync (nothing was pushed for it); Shopify's customer with his email is "Robert".
        var bob = await harness.Users.AddByHostAsync("bob@example.com", first: "Bob", last: "Smith");
        DrainQueue(harness);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        var edited = harness.Shopify.EditInAdmin("uk", customer.Id, p => p with { LastName = "Smith" });
        var linked = await harness.DeliverAsync("customers/update", FakeShopifyCustomers.WebhookBody(edited));

        Assert.Equal(InboundOutcome.Linked, linked.Outcome);
        Assert.Equal(("Bob", "+16135550199"), (harness.Users.Get(bob.Id).FirstName, harness.Users.Get(bob.Id).Phone));

        // Bob saves his account without changing his profile (a password change, say): nothing goes to Shopify.
        harness.Shopify.ClearCalls();
        await harness.Users.EditByHostAsync(bob.Id, u => u);
        await harness.RunOutboundAsync();

        Assert.DoesNotContain(harness.Shopify.Calls, c => c.StartsWith("update", StringComparison.Ordinal));
        Assert.Equal("Robert", harness.Shopify.In("uk").Single(c => c.Id == customer.Id).Profile.FirstName);

        // A change he does make is sent, and only that.
        await harness.Users.EditByHostAsync(bob.Id, u => u with { LastName = "Smythe" });
        await harness.RunOutboundAsync();
        var now = harness.Shopify.In("uk").Single(c => c.Id == customer.Id).Profile;
        Assert.Equal(("Robert", "Smythe"), (now.FirstName, now.LastName));
    }

    [Fact]
    public async Task The_webhook_shopify_sends_back_after_our_push_is_not_applied_again()
    {
        using var harness = BothWays();
        var user = await harness.Users.AddByHostAsync("ada@example.com", first: "Ada", last: "Lovelace");
        await harness.RunOutboundAsync();
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.Users.EditByHostAsync(user.Id, u => u with { LastName = "King" });
        await harness.RunOutboundAsync();
        var shopifyState = Assert.Single(harness.Shopify.In("uk"));
        var updatesBefore = harness.Users.ProfileUpdates;

        var echo = await harness.DeliverAsync("customers/update", FakeShopifyCustomers.WebhookBody(shopifyState));

        Assert.Equal(InboundOutcome.Echo, echo.Outcome);
        Assert.Equal(updatesBefore, harness.Users.ProfileUpdates);
        Assert.Equal(0, harness.Queue.Count);
        Assert.Single(harness.Shopify.Updates);
    }

    [Fact]
    public async Task A_late_echo_of_an_earlier_push_does_not_revert_a_newer_local_change()
    {
        using var harness = BothWays();
        var user = await harness.Users.AddByHostAsync("ada@example.com", first: "Ada", last: "Lovelace");
        await harness.RunOutboundAsync();
        var firstPush = Assert.Single(harness.Shopify.In("uk"));
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.Users.EditByHostAsync(user.Id, u => u with { LastName = "King" });
        await harness.RunOutboundAsync();

        var late = await harness.DeliverAsync("customers/update", FakeShopifyCustomers.WebhookBody(firstPush));

        Assert.Equal(InboundOutcome.Stale, late.Outcome);
        Assert.Equal("King", harness.Users.Get(user.Id).LastName);
        Assert.Equal(0, harness.Queue.Count);
    }

    [Fact]
    public async Task A_customer_created_in_shopify_and_linked_causes_no_push_back_in_any_store()
    {
        using var harness = BothWays(multiStore: true);
        var customer = harness.Shopify.Seed("uk", new CustomerProfile("Grace", "Hopper", "grace@example.com", null));

        await harness.DeliverAsync("customers/create", FakeShopifyCustomers.WebhookBody(customer), store: "uk");

        Assert.Equal(0, harness.Queue.Count);
        Assert.Empty(harness.Shopify.In("us"));
    }

    [Fact]
    public async Task A_full_round_trip_settles_with_no_further_work()
    {
        using var harness = BothWays();
        var user = await harness.Users.AddByHostAsync("ada@example.com", first: "Ada", last: "Lovelace");

        for (var round = 0; round < 3; round++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(30));
            await harness.Users.EditByHostAsync(user.Id, u => u with { FirstName = $"Ada{round}" });
            await harness.RunOutboundAsync();
            var state = Assert.Single(harness.Shopify.In("uk"));
            await harness.DeliverAsync("customers/update", FakeShopifyCustomers.WebhookBody(state));
            Assert.Equal(0, harness.Queue.Count);
        }

        Assert.Equal("Ada2", Assert.Single(harness.Shopify.In("uk")).Profile.FirstName);
        Assert.Equal("Ada2", harness.Users.Get(user.Id).FirstName);
        // Round 0 creates the customer; rounds 1 and 2 each send the one changed field once.
        Assert.Equal([ProfileFields.FirstName, ProfileFields.FirstName], harness.Shopify.Updates.Select(u => u.Fields));
    }

    [Fact]
    public async Task Shopifys_create_webhook_arriving_while_the_push_stores_its_link_does_not_undo_an_edit_made_meanwhile()
    {
        using var harness = BothWays();
        var user = await harness.Users.AddByHostAsync("ada@example.com", first: "Ada", last: "Lovelace");
        var push = Assert.Single(DrainQueue(harness));
        InboundResult? webhook = null;
        var links = new LinkStoreWithHook(harness.Links, async () =>
        {
            // The push has created the customer and stored its link; before it is done, the user edits the profile
            // and Shopify's customers/create webhook for the new customer arrives.
            await harness.Users.EditByHostAsync(user.Id, u => u with { FirstName = "Augusta" });
            var created = Assert.Single(harness.Shopify.In("uk"));
            webhook = await harness.DeliverAsync("customers/create", FakeShopifyCustomers.WebhookBody(created));
        });

        var pushed = await JobOver(harness, links).RunAsync(push, CancellationToken.None);
        await harness.RunOutboundAsync();

        Assert.Equal(OutboundOutcome.Created, pushed.Outcome);
        Assert.Equal("Augusta", harness.Users.Get(user.Id).FirstName);
        Assert.Equal(InboundOutcome.Echo, webhook?.Outcome);
        Assert.Equal("Augusta", Assert.Single(harness.Shopify.In("uk")).Profile.FirstName);
        Assert.Equal(0, harness.Queue.Count);
    }

    [Fact]
    public async Task Shopifys_create_webhook_arriving_while_the_push_stores_its_link_writes_nothing_to_the_user()
    {
        using var harness = BothWays();
        // Names are sent split from the display name; the user has none of its own.
        var user = await harness.Users.AddByHostAsync("ada@example.com", displayName: "Ada Lovelace");
        var push = Assert.Single(DrainQueue(harness));
        InboundResult? webhook = null;
        var links = new LinkStoreWithHook(harness.Links, async () =>
            webhook = await harness.DeliverAsync("customers/create", FakeShopifyCustomers.WebhookBody(Assert.Single(harness.Shopify.In("uk")))));
        var updatesBefore = harness.Users.ProfileUpdates;

        await JobOver(harness, links).RunAsync(push, CancellationToken.None);

        Assert.Equal(("Ada", "Lovelace"), (Assert.Single(harness.Shopify.In("uk")).Profile.FirstName, Assert.Single(harness.Shopify.In("uk")).Profile.LastName));
        Assert.Equal((null, null), (harness.Users.Get(user.Id).FirstName, harness.Users.Get(user.Id).LastName));
        Assert.Equal(updatesBefore, harness.Users.ProfileUpdates);
        Assert.Equal(InboundOutcome.Echo, webhook?.Outcome);
        Assert.Equal(0, harness.Queue.Count);
    }

    [Fact]
    public async Task Shopifys_update_webhook_arriving_before_the_push_remembers_the_answer_does_not_undo_an_edit_made_meanwhile()
    {
        using var harness = BothWays();
        var user = await harness.Users.AddByHostAsync("ada@example.com", first: "Ada", last: "Lovelace");
        await harness.RunOutboundAsync();
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        await harness.Users.EditByHostAsync(user.Id, u => u with { LastName = "King" });
        var push = Assert.Single(DrainQueue(harness));
        Task<InboundResult>? webhook = null;
        var links = new LinkStoreWithHook(harness.Links, afterFirstAdd: null, beforeFirstUpdate: async () =>
        {
            // Shopify has answered the update (its customer is now "King") and the push has not stored the answer yet.
            // The user edits again, and another worker picks up Shopify's customers/update webhook about the push.
            await harness.Users.EditByHostAsync(user.Id, u => u with { LastName = "Byron" });
            var answered = Assert.Single(harness.Shopify.In("uk"));
            webhook = Task.Run(() => harness.DeliverAsync("customers/update", FakeShopifyCustomers.WebhookBody(answered)));
            // Give that worker its chance to apply before the push goes on.
            await Task.WhenAny(webhook, Task.Delay(TimeSpan.FromSeconds(1)));
        });
        var job = new DefaultShopifyUserUpdateJob(harness.Stores, harness.Users, links, harness.Shopify, harness.Log, harness.Time,
            NullLogger<DefaultShopifyUserUpdateJob>.Instance, harness.Services.GetRequiredService<ISyncLock>());

        var pushed = await job.RunAsync(push, CancellationToken.None);
        var delivered = await webhook!;
        await harness.RunOutboundAsync();

        Assert.Equal(OutboundOutcome.Updated, pushed.Outcome);
        Assert.Equal(InboundOutcome.Echo, delivered.Outcome);
        Assert.Equal("Byron", harness.Users.Get(user.Id).LastName);
        Assert.Equal("Byron", Assert.Single(harness.Shopify.In("uk")).Profile.LastName);
        Assert.Equal(0, harness.Queue.Count);
    }

    private static List<OutboundPush> DrainQueue(SyncHarness harness)
    {
        var pushes = new List<OutboundPush>();
        while (harness.Queue.TryTake(out var push))
        {
            pushes.Add(push);
        }

        return pushes;
    }

    private static DefaultShopifyUserUpdateJob JobOver(SyncHarness harness, ICustomerLinkStore links)
        => new(harness.Stores, harness.Users, links, harness.Shopify, harness.Log, harness.Time, NullLogger<DefaultShopifyUserUpdateJob>.Instance);

    /// <summary>
    /// The link store, running <paramref name="afterFirstAdd"/> once, right after the first link is stored, and
    /// <paramref name="beforeFirstUpdate"/> once, right before the first link update is stored.
    /// </summary>
    private sealed class LinkStoreWithHook(ICustomerLinkStore inner, Func<Task>? afterFirstAdd, Func<Task>? beforeFirstUpdate = null) : ICustomerLinkStore
    {
        private Func<Task>? _hook = afterFirstAdd;
        private Func<Task>? _updateHook = beforeFirstUpdate;

        public async Task<LinkAttempt> TryAddAsync(CustomerLink link, CancellationToken cancellationToken)
        {
            var attempt = await inner.TryAddAsync(link, cancellationToken);
            if (attempt.Added && Interlocked.Exchange(ref _hook, null) is { } hook)
            {
                await hook();
            }

            return attempt;
        }

        public Task<CustomerLink?> FindByCustomerAsync(string storeHandle, long customerId, CancellationToken cancellationToken) => inner.FindByCustomerAsync(storeHandle, customerId, cancellationToken);

        public Task<IReadOnlyList<CustomerLink>> FindByUserAsync(string userId, CancellationToken cancellationToken) => inner.FindByUserAsync(userId, cancellationToken);

        public async Task UpdateAsync(CustomerLink link, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _updateHook, null) is { } hook)
            {
                await hook();
            }

            await inner.UpdateAsync(link, cancellationToken);
        }

        public Task<bool> RemoveAsync(string storeHandle, long customerId, CancellationToken cancellationToken) => inner.RemoveAsync(storeHandle, customerId, cancellationToken);

        public Task<IReadOnlyList<CustomerLink>> RemoveStoreAsync(string storeHandle, CancellationToken cancellationToken) => inner.RemoveStoreAsync(storeHandle, cancellationToken);

        public Task MarkDeletedAsync(string storeHandle, long customerId, string? userId, DateTimeOffset deletedAt, CancellationToken cancellationToken) => inner.MarkDeletedAsync(storeHandle, customerId, userId, deletedAt, cancellationToken);

        public Task<DateTimeOffset?> FindDeletedAsync(string storeHandle, long customerId, CancellationToken cancellationToken) => inner.FindDeletedAsync(storeHandle, customerId, cancellationToken);

        public Task<DeletedCustomer?> FindDeletedForUserAsync(string storeHandle, string userId, CancellationToken cancellationToken) => inner.FindDeletedForUserAsync(storeHandle, userId, cancellationToken);

        public Task ForgetDeletedForUserAsync(string storeHandle, string userId, CancellationToken cancellationToken) => inner.ForgetDeletedForUserAsync(storeHandle, userId, cancellationToken);
    }
}
