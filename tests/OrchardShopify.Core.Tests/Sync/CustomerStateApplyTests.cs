using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.Core.Tests.Sync;

public sealed class CustomerStateApplyTests
{
    private static readonly DateTimeOffset UpdatedAt = new(2026, 10, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly ShopifyCustomer Ada = new(6010000001, new CustomerProfile("Ada", "Lovelace", "ada@example.com", "+447700900123"), UpdatedAt);

    [Fact]
    public async Task A_customer_state_creates_once_and_applying_it_again_changes_nothing()
    {
        using var harness = SyncHarness.SingleStore();
        var store = harness.Stores.FindByHandle("uk")!;

        var first = await harness.Inbound.ApplyCustomerStateAsync(store, Ada, CustomerStateSource.Import, CustomerApplyMode.NewerOnly, CancellationToken.None);
        var again = await harness.Inbound.ApplyCustomerStateAsync(store, Ada, CustomerStateSource.Import, CustomerApplyMode.NewerOnly, CancellationToken.None);

        Assert.Equal(InboundOutcome.Created, first.Outcome);
        Assert.Equal(InboundOutcome.Echo, again.Outcome);
        var user = Assert.Single(harness.Users.All);
        Assert.Equal((Ada.Id, "Lovelace"), (user.ShopifyId, user.LastName));
        Assert.Equal(1, harness.Users.Creates);
    }

    [Fact]
    public async Task An_older_state_is_not_applied_unless_Shopify_data_is_taken()
    {
        using var harness = SyncHarness.SingleStore();
        var store = harness.Stores.FindByHandle("uk")!;
        await harness.Inbound.ApplyCustomerStateAsync(store, Ada, CustomerStateSource.Import, CustomerApplyMode.NewerOnly, CancellationToken.None);
        var userId = Assert.Single(harness.Users.All).Id;
        await harness.Users.EditByHostAsync(userId, u => u with { LastName = "Byron" });
        var older = new ShopifyCustomer(Ada.Id, Ada.Profile with { FirstName = "Augusta" }, UpdatedAt.AddDays(-1));

        var skipped = await harness.Inbound.ApplyCustomerStateAsync(store, older, CustomerStateSource.Import, CustomerApplyMode.NewerOnly, CancellationToken.None);
        Assert.Equal(("Ada", "Byron"), (harness.Users.Get(userId).FirstName, harness.Users.Get(userId).LastName));
        var forced = await harness.Inbound.ApplyCustomerStateAsync(store, older, CustomerStateSource.Reconciliation, CustomerApplyMode.TakeShopifyData, CancellationToken.None);

        Assert.Equal(InboundOutcome.Stale, skipped.Outcome);
        Assert.Equal(InboundOutcome.Updated, forced.Outcome);
        Assert.Equal(("Augusta", "Lovelace"), (harness.Users.Get(userId).FirstName, harness.Users.Get(userId).LastName));
        Assert.Equal(UpdatedAt, Assert.Single(harness.Links.All).AppliedUpdatedAt);
    }

    [Fact]
    public async Task A_state_is_skipped_with_a_reason_code_when_inbound_sync_is_off_or_no_user_may_be_created()
    {
        using var off = SyncHarness.SingleStore(o => o.InboundEnabled = false);
        using var noCreate = SyncHarness.SingleStore(o => o.CreateUsersFromShopify = false);

        var inboundOff = await off.Inbound.ApplyCustomerStateAsync(off.Stores.FindByHandle("uk")!, Ada, CustomerStateSource.Import, CustomerApplyMode.NewerOnly, CancellationToken.None);
        var creationOff = await noCreate.Inbound.ApplyCustomerStateAsync(noCreate.Stores.FindByHandle("uk")!, Ada, CustomerStateSource.Import, CustomerApplyMode.NewerOnly, CancellationToken.None);

        Assert.Equal((InboundOutcome.Skipped, InboundSkipReasons.InboundOff), (inboundOff.Outcome, inboundOff.Reason));
        Assert.Equal((InboundOutcome.Skipped, InboundSkipReasons.CreationOff), (creationOff.Outcome, creationOff.Reason));
        Assert.Empty(off.Users.All);
        Assert.Empty(noCreate.Users.All);
    }

    [Fact]
    public async Task A_deletion_holds_back_the_customers_delivery_but_not_the_customer_as_a_reconciliation_reads_it_from_Shopify()
    {
        using var harness = SyncHarness.SingleStore();
        var store = harness.Stores.FindByHandle("uk")!;
        await harness.DeliverAsync("customers/delete", SyncHarness.Payload("customers-delete.json"));

        var delivered = await harness.DeliverAsync("customers/create", SyncHarness.Payload("customers-create-steve-lastnameson.json"));
        Assert.Equal((InboundOutcome.Skipped, InboundSkipReasons.CustomerDeleted), (delivered.Outcome, delivered.Reason));
        Assert.Empty(harness.Users.All);

        var steve = new ShopifyCustomer(1073339470, new CustomerProfile("Steve", "Lastnameson", "steve.lastnameson@example.com", "+15142546011"), UpdatedAt);
        var read = await harness.Inbound.ApplyCustomerStateAsync(store, steve, CustomerStateSource.Reconciliation, CustomerApplyMode.NewerOnly, CancellationToken.None);

        Assert.Equal(InboundOutcome.Created, read.Outcome);
        var user = Assert.Single(harness.Users.All);
        Assert.Equal((1073339470L, "steve.lastnameson@example.com"), (user.ShopifyId, user.Email));
        Assert.Equal(user.Id, Assert.Single(harness.Links.All).UserId);
    }

    [Fact]
    public async Task A_customer_read_from_Shopify_is_refused_as_a_webhook_delivery_and_nothing_is_written()
    {
        using var harness = SyncHarness.SingleStore();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => harness.Inbound.ApplyCustomerStateAsync(
            harness.Stores.FindByHandle("uk")!, Ada, CustomerStateSource.WebhookDelivery, CustomerApplyMode.NewerOnly, CancellationToken.None));

        Assert.Equal("source", error.ParamName);
        Assert.Empty(harness.Users.All);
        Assert.Empty(harness.Links.All);
    }
}
