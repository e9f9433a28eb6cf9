using System.Text;
using System.Text.Json.Nodes;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.Core.Tests.Sync;

/// <summary>Commerce signals on the link: stored by every inbound state, never replaced by an older one.</summary>
public sealed class SignalStorageTests
{
    private static readonly byte[] SteveCreate = SyncHarness.Payload("customers-create-steve-lastnameson.json");

    private static byte[] Edit(Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(SteveCreate)!.AsObject();
        edit(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    [Fact]
    public async Task A_created_users_link_stores_the_signals_of_the_delivery()
    {
        using var harness = SyncHarness.SingleStore();

        await harness.DeliverAsync("customers/create", Edit(c => c["tags"] = "wholesale, vip"));

        var signals = Assert.Single(harness.Links.All).Signals;
        Assert.NotNull(signals);
        Assert.Equal(["wholesale", "vip"], signals.Tags);
        Assert.Equal(("enabled", "not_subscribed", 0L), (signals.State, signals.EmailMarketingState, signals.NumberOfOrders));
    }

    [Fact]
    public async Task A_newer_update_that_changes_only_signals_refreshes_them_without_touching_the_user()
    {
        using var harness = SyncHarness.SingleStore();
        await harness.DeliverAsync("customers/create", SteveCreate);
        var before = Assert.Single(harness.Users.All);

        var result = await harness.DeliverAsync("customers/update", Edit(c =>
        {
            c["updated_at"] = "2025-07-02T09:00:00-04:00";
            c["orders_count"] = 2;
            c["total_spent"] = "48.50";
            c["tags"] = "wholesale";
            c["email_marketing_consent"]!["state"] = "subscribed";
        }));

        Assert.Equal(InboundOutcome.Unchanged, result.Outcome);
        Assert.Equal(before, Assert.Single(harness.Users.All));
        var signals = Assert.Single(harness.Links.All).Signals!;
        Assert.Equal((2L, 48.50m, "subscribed"), (signals.NumberOfOrders, signals.AmountSpent, signals.EmailMarketingState));
        Assert.Equal(["wholesale"], signals.Tags);
        Assert.Empty(harness.Queue.Pending);
    }

    [Fact]
    public async Task A_stale_delivery_does_not_overwrite_newer_signals()
    {
        using var harness = SyncHarness.SingleStore();
        await harness.DeliverAsync("customers/create", SteveCreate);
        await harness.DeliverAsync("customers/update", Edit(c =>
        {
            c["updated_at"] = "2025-07-03T09:00:00-04:00";
            c["orders_count"] = 5;
            c["tags"] = "wholesale";
        }));

        // Shopify retried an older update after the newer one arrived.
        var stale = await harness.DeliverAsync("customers/update", Edit(c =>
        {
            c["updated_at"] = "2025-07-02T09:00:00-04:00";
            c["first_name"] = "Stephen";
            c["orders_count"] = 4;
            c["tags"] = "";
        }));

        Assert.Equal(InboundOutcome.Stale, stale.Outcome);
        Assert.Equal("Steve", Assert.Single(harness.Users.All).FirstName);
        var signals = Assert.Single(harness.Links.All).Signals!;
        Assert.Equal(5L, signals.NumberOfOrders);
        Assert.Equal(["wholesale"], signals.Tags);
        Assert.Equal(new DateTimeOffset(2025, 7, 3, 13, 0, 0, TimeSpan.Zero), signals.UpdatedAt);
    }

    [Fact]
    public async Task The_echo_of_a_state_already_applied_still_fills_signals_a_link_does_not_have()
    {
        using var harness = SyncHarness.SingleStore();
        var triggeredAt = new DateTimeOffset(2025, 7, 1, 18, 37, 25, TimeSpan.Zero);
        await harness.DeliverAsync("customers/create", SteveCreate, triggeredAt: triggeredAt);
        var link = Assert.Single(harness.Links.All);
        await harness.Links.UpdateAsync(link with { Signals = null }, CancellationToken.None);

        // The same state again (as after a push, whose answer the link remembers without signals).
        var echo = await harness.DeliverAsync("customers/update", SteveCreate, triggeredAt: triggeredAt);

        Assert.Equal(InboundOutcome.Echo, echo.Outcome);
        Assert.Equal("enabled", Assert.Single(harness.Links.All).Signals?.State);
    }

    [Fact]
    public void Signals_are_kept_unless_the_incoming_ones_are_at_least_as_new()
    {
        var at = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var stored = new CustomerSignals { Tags = ["a"], UpdatedAt = at };

        Assert.Same(stored, EchoRules.KeepNewerSignals(stored, null));
        Assert.Same(stored, EchoRules.KeepNewerSignals(stored, new CustomerSignals { Tags = ["b"], UpdatedAt = at.AddSeconds(-1) }));
        Assert.Same(stored, EchoRules.KeepNewerSignals(stored, new CustomerSignals { Tags = ["b"] }));
        var same = new CustomerSignals { Tags = ["b"], UpdatedAt = at };
        Assert.Same(same, EchoRules.KeepNewerSignals(stored, same));
        var newer = new CustomerSignals { UpdatedAt = at.AddSeconds(1) };
        Assert.Same(newer, EchoRules.KeepNewerSignals(stored, newer));
        var undated = new CustomerSignals();
        Assert.Same(undated, EchoRules.KeepNewerSignals(null, undated));
    }

    [Fact]
    public void A_link_whose_signals_do_not_change_is_not_rewritten()
    {
        var at = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var link = new CustomerLink("uk", 1, "u1", at) { Signals = new CustomerSignals { Tags = ["a"], UpdatedAt = at } };

        Assert.Same(link, EchoRules.WithSignals(link, new CustomerSignals { Tags = ["A"], UpdatedAt = at }));
        Assert.NotSame(link, EchoRules.WithSignals(link, new CustomerSignals { Tags = ["a", "b"], UpdatedAt = at }));
    }
}
