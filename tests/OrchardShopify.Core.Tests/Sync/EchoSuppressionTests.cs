using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
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
}
