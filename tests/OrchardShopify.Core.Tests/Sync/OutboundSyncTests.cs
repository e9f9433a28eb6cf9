using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.Core.Tests.Sync;

public sealed class OutboundSyncTests
{
    private static SyncHarness Outbound(Action<ShopifySyncOptions>? configure = null) => SyncHarness.SingleStore(o =>
    {
        o.UpdateUsersInShopify = true;
        configure?.Invoke(o);
    });

    [Fact]
    public async Task A_new_site_user_is_created_in_shopify_and_linked()
    {
        using var harness = Outbound();
        var user = await harness.Users.AddByHostAsync("ada@example.com", displayName: "Ada Lovelace", phone: "(613) 555-1212");

        var result = Assert.Single(await harness.RunOutboundAsync());

        Assert.Equal(OutboundOutcome.Created, result.Outcome);
        var customer = Assert.Single(harness.Shopify.In("uk"));
        Assert.Equal(new CustomerProfile("Ada", "Lovelace", "ada@example.com", "+16135551212"), customer.Profile);
        Assert.Equal(customer.Id, harness.Users.Get(user.Id).ShopifyId);
        Assert.Equal(customer.Id, Assert.Single(harness.Links.All).CustomerId);
    }

    [Fact]
    public async Task Last_first_rule_splits_display_names_the_other_way()
    {
        using var harness = Outbound(o => o.NameSplitRule = NameSplitRule.LastFirst);
        await harness.Users.AddByHostAsync("ada@example.com", displayName: "Lovelace Ada King");

        await harness.RunOutboundAsync();

        var customer = Assert.Single(harness.Shopify.In("uk"));
        Assert.Equal(("Ada King", "Lovelace"), (customer.Profile.FirstName, customer.Profile.LastName));
    }

    [Fact]
    public async Task An_unlinked_user_is_linked_to_the_customer_with_the_same_email_instead_of_creating_one()
    {
        using var harness = Outbound();
        var existing = harness.Shopify.Seed("uk", new CustomerProfile("Ada", "Lovelace", "ADA@example.com", null));
        var user = await harness.Users.AddByHostAsync("ada@example.com", displayName: "Ada Lovelace");

        var result = Assert.Single(await harness.RunOutboundAsync());

        Assert.Equal(OutboundOutcome.Linked, result.Outcome);
        Assert.Single(harness.Shopify.In("uk"));
        Assert.DoesNotContain(harness.Shopify.Calls, c => c.StartsWith("create", StringComparison.Ordinal));
        Assert.Equal(existing.Id, harness.Users.Get(user.Id).ShopifyId);
    }

    [Fact]
    public async Task A_linked_user_sends_only_the_fields_that_changed()
    {
        using var harness = Outbound();
        var user = await harness.Users.AddByHostAsync("ada@example.com", first: "Ada", last: "Lovelace", phone: "+16135551212");
        await harness.RunOutboundAsync();

        await harness.Users.EditByHostAsync(user.Id, u => u with { LastName = "King" });
        var result = Assert.Single(await harness.RunOutboundAsync());

        Assert.Equal(OutboundOutcome.Updated, result.Outcome);
        var (_, fields) = Assert.Single(harness.Shopify.Updates);
        Assert.Equal(ProfileFields.LastName, fields);
        Assert.Equal("King", Assert.Single(harness.Shopify.In("uk")).Profile.LastName);
    }

    [Fact]
    public async Task A_save_that_changes_no_synced_field_schedules_no_push()
    {
        using var harness = Outbound();
        var user = await harness.Users.AddByHostAsync("ada@example.com", first: "Ada", last: "Lovelace");
        await harness.RunOutboundAsync();

        await harness.Users.EditByHostAsync(user.Id, u => u with { DisplayName = "ada-the-countess" });

        Assert.Equal(0, harness.Queue.Count);
    }

    [Theory]
    [InlineData("not-an-email", null, "not a valid address")]
    [InlineData("ada@example", null, "not a valid address")]
    [InlineData("", null, "has no email")]
    [InlineData("ada@example.com", "12", "E.164")]
    [InlineData("ada@example.com", "+44 7700 900123", "'+44 7700 900123' is not a valid phone number")]
    [InlineData("ada@example.com", "555-625-1199", "default region US")]
    public async Task Invalid_data_is_a_recorded_validation_error_and_nothing_is_sent(string email, string? phone, string expected)
    {
        using var harness = Outbound();
        await harness.Users.AddByHostAsync(email, displayName: "Ada Lovelace", phone: phone);

        var result = Assert.Single(await harness.RunOutboundAsync());

        Assert.Equal(OutboundOutcome.ValidationFailed, result.Outcome);
        Assert.Contains(expected, result.Detail, StringComparison.Ordinal);
        Assert.Empty(harness.Shopify.Calls);
        Assert.Contains(harness.Log.Entries, e => e.Outcome == "validationfailed" && e.Detail!.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Multi_store_schedules_one_push_per_store_and_links_each()
    {
        using var harness = SyncHarness.MultiStore(o => o.UpdateUsersInShopify = true);
        var user = await harness.Users.AddByHostAsync("ada@example.com", displayName: "Ada Lovelace");

        Assert.Equal(["uk", "us"], harness.Queue.Pending.Select(p => p.StoreHandle).Order());
        await harness.RunOutboundAsync();

        var stored = harness.Users.Get(user.Id);
        Assert.Equal(Assert.Single(harness.Shopify.In("uk")).Id, stored.ShopifyIds["uk"]);
        Assert.Equal(Assert.Single(harness.Shopify.In("us")).Id, stored.ShopifyIds["us"]);
    }

    [Fact]
    public async Task A_store_without_an_access_token_is_not_pushed_to()
    {
        using var harness = SyncHarness.MultiStore(o =>
        {
            o.UpdateUsersInShopify = true;
            o.Stores["us"].AccessToken = null;
        });

        await harness.Users.AddByHostAsync("ada@example.com", displayName: "Ada Lovelace");

        Assert.Equal("uk", Assert.Single(harness.Queue.Pending).StoreHandle);
    }

    [Fact]
    public async Task Without_update_users_in_shopify_nothing_is_scheduled_or_sent()
    {
        using var harness = SyncHarness.SingleStore();

        await harness.Users.AddByHostAsync("ada@example.com", displayName: "Ada Lovelace");

        Assert.Equal(0, harness.Queue.Count);
        Assert.Empty(await harness.RunOutboundAsync());
        Assert.Empty(harness.Shopify.Calls);
    }

    [Fact]
    public async Task A_phone_taken_in_shopify_is_a_rejection_not_a_retry()
    {
        using var harness = Outbound();
        harness.Shopify.Seed("uk", new CustomerProfile("Other", "Person", "other@example.com", "+16135551212"));
        await harness.Users.AddByHostAsync("ada@example.com", displayName: "Ada Lovelace", phone: "+16135551212");

        var result = Assert.Single(await harness.RunOutboundAsync());

        Assert.Equal(OutboundOutcome.Rejected, result.Outcome);
        Assert.Contains("PhoneTaken", result.Detail, StringComparison.Ordinal);
        Assert.Empty(harness.Links.All);
    }

    [Fact]
    public async Task A_transient_shopify_failure_propagates_so_the_queue_retries_and_the_retry_creates_one_customer()
    {
        using var harness = Outbound();
        await harness.Users.AddByHostAsync("ada@example.com", displayName: "Ada Lovelace");
        var push = Assert.Single(harness.Queue.Pending);
        harness.Shopify.TransientFailures = 1;

        var ex = await Assert.ThrowsAsync<ShopifyApiException>(() => harness.RunOutboundAsync());
        Assert.True(ex.IsTransient);
        var retry = await harness.Job.RunAsync(push, CancellationToken.None);

        Assert.Equal(OutboundOutcome.Created, retry.Outcome);
        Assert.Single(harness.Shopify.In("uk"));
    }

    [Fact]
    public async Task Pushing_the_same_user_twice_creates_one_customer()
    {
        using var harness = Outbound();
        var user = await harness.Users.AddByHostAsync("ada@example.com", displayName: "Ada Lovelace");
        var push = Assert.Single(harness.Queue.Pending);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => harness.Job.RunAsync(push, CancellationToken.None))));

        Assert.Single(harness.Shopify.In("uk"));
        Assert.Single(harness.Links.All);
        Assert.NotNull(harness.Users.Get(user.Id).ShopifyId);
    }

    [Fact]
    public async Task A_push_for_a_deleted_user_is_skipped()
    {
        using var harness = Outbound();
        var result = await harness.Job.RunAsync(new Ports.OutboundPush("user-404", "uk", DateTimeOffset.UtcNow), CancellationToken.None);

        Assert.Equal(OutboundOutcome.Skipped, result.Outcome);
        Assert.Empty(harness.Shopify.Calls);
    }
}
