using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.Core.Tests.Sync;

/// <summary>The echo rules on their own: which states and writes are the sync's own coming back.</summary>
public sealed class EchoRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly CustomerProfile Remembered = new("Ada", "Lovelace", "ada@example.com", "+16135550000");
    private static readonly CustomerProfile Other = Remembered with { LastName = "King" };

    private static DateTimeOffset? At(int? seconds) => seconds is { } s ? T0.AddSeconds(s) : null;

    private static CustomerLink Link(int? appliedUpdatedAt, int? appliedTriggeredAt, string memory)
        => new("uk", 42, "user-1", T0, At(appliedUpdatedAt), At(appliedTriggeredAt), memory switch
        {
            "same" => Remembered,
            "other" => Other,
            _ => null,
        });

    // link: applied updated_at, applied Triggered-At, remembered profile ("same" as incoming, "other", "none");
    // incoming: updated_at, Triggered-At; the incoming profile is always Remembered.
    [Theory]
    [InlineData(null, null, "none", 0, 0, true)]                 // a link that remembers nothing: any dated state is newer
    [InlineData(null, null, "none", null, null, true)]           // nothing to compare at all: applied
    [InlineData(null, 10, "same", null, 5, false)]               // no updated_at: an earlier Triggered-At is older
    [InlineData(null, 10, "same", null, 15, true)]               // no updated_at: a later Triggered-At is newer
    [InlineData(5, 10, "other", 10, 0, true)]                    // later updated_at wins whatever Triggered-At says
    [InlineData(10, 0, "other", 5, 20, false)]                   // earlier updated_at loses whatever Triggered-At says
    [InlineData(10, 10, "other", 10, 20, true)]                  // tie on updated_at: the later Triggered-At wins
    [InlineData(10, 20, "other", 10, 10, false)]                 // tie on updated_at: an earlier Triggered-At loses
    [InlineData(10, 20, "other", 10, 20, false)]                 // the same delivery again
    [InlineData(10, null, "same", 10, 30, false)]                // tie after a push (no Triggered-At): the pushed state is not newer
    [InlineData(10, null, "other", 10, 30, true)]                // tie after a push, a different state: newer
    [InlineData(10, null, "none", 10, 30, true)]                 // tie, nothing remembered: newer
    public void A_state_is_newer_only_when_its_timestamps_or_its_content_say_so(
        int? appliedUpdatedAt, int? appliedTriggeredAt, string memory, int? updatedAt, int? triggeredAt, bool newer)
    {
        var link = Link(appliedUpdatedAt, appliedTriggeredAt, memory);

        Assert.Equal(newer, EchoRules.IsNewer(At(updatedAt), At(triggeredAt), Remembered, link));
    }

    [Theory]
    [InlineData(10, null, "same", 10, 30, nameof(IncomingState.Echo))]   // Shopify's webhook about our push
    [InlineData(10, 20, "same", 10, 20, nameof(IncomingState.Echo))]     // a repeated delivery
    [InlineData(10, 20, "same", 5, 40, nameof(IncomingState.Echo))]      // an older state equal to what both sides hold
    [InlineData(10, 20, "other", 5, 40, nameof(IncomingState.Stale))]    // an older, different state
    [InlineData(10, 20, "other", 10, 10, nameof(IncomingState.Stale))]   // same second, earlier trigger, different
    [InlineData(10, 20, "same", 11, 10, nameof(IncomingState.Newer))]    // newer even when equal: applied (refreshes the memory)
    [InlineData(10, null, "other", 10, 30, nameof(IncomingState.Newer))]
    public void An_incoming_state_that_is_not_newer_is_an_echo_when_it_equals_what_the_link_remembers(
        int? appliedUpdatedAt, int? appliedTriggeredAt, string memory, int? updatedAt, int? triggeredAt, string expected)
    {
        var link = Link(appliedUpdatedAt, appliedTriggeredAt, memory);

        Assert.Equal(Enum.Parse<IncomingState>(expected), EchoRules.Classify(At(updatedAt), At(triggeredAt), Remembered, link));
    }

    [Theory]
    [InlineData("same", true)]
    [InlineData("other", false)]
    [InlineData("none", false)]
    public void A_user_is_in_step_with_a_store_only_when_the_link_remembers_exactly_its_profile(string memory, bool inStep)
    {
        Assert.Equal(inStep, EchoRules.InStep(Remembered, Link(10, null, memory)));
    }

    [Fact]
    public void A_user_without_a_link_to_the_store_is_never_in_step()
    {
        Assert.False(EchoRules.InStep(Remembered, null));
    }

    [Theory]
    [InlineData(5, 10, 10)]     // a newer updated_at is remembered
    [InlineData(20, 10, 20)]    // an older one (a forced apply) does not lower what was applied
    [InlineData(null, 10, 10)]  // the first dated state is remembered
    [InlineData(5, null, 5)]    // a state without updated_at keeps the applied one
    public void An_applied_state_is_remembered_with_the_latest_updated_at_and_its_trigger(int? appliedUpdatedAt, int? updatedAt, int? remembered)
    {
        var link = Link(appliedUpdatedAt, 1, "other");
        var incoming = new CustomerProfile("Grace", null, "grace@example.com", null);

        var after = EchoRules.AfterApply(link, At(updatedAt), At(99), incoming);

        Assert.Equal(At(remembered), after.AppliedUpdatedAt);
        Assert.Equal(At(99), after.AppliedTriggeredAt);
        Assert.Equal(incoming, after.SyncedProfile);
        Assert.Equal((link.StoreHandle, link.CustomerId, link.UserId, link.LinkedAt), (after.StoreHandle, after.CustomerId, after.UserId, after.LinkedAt));
    }

    [Fact]
    public void After_a_push_the_link_remembers_shopifys_answer_and_no_trigger()
    {
        var answered = new ShopifyCustomer(42, Other, T0.AddMinutes(3));

        var after = EchoRules.AfterPush(Link(10, 20, "same"), answered);

        Assert.Equal(answered.UpdatedAt, after.AppliedUpdatedAt);
        Assert.Null(after.AppliedTriggeredAt);
        Assert.Equal(Other, after.SyncedProfile);
    }

    [Fact]
    public void A_link_created_by_a_push_remembers_the_created_customer_from_its_first_write()
    {
        var created = new ShopifyCustomer(77, Remembered, T0.AddMinutes(1));

        var link = EchoRules.CreatedByPush("uk", "user-1", created, T0);

        Assert.Equal(new CustomerLink("uk", 77, "user-1", T0, created.UpdatedAt, null, Remembered), link);
        // Shopify's customers/create webhook for it, whenever it comes, is the echo.
        Assert.Equal(IncomingState.Echo, EchoRules.Classify(created.UpdatedAt, T0.AddMinutes(2), Remembered, link));
    }

    [Fact]
    public void After_a_first_link_the_sites_values_count_as_agreed_and_shopify_fills_what_the_site_lacks()
    {
        var site = new CustomerProfile("Ada", null, "ada@example.com", null);
        var shopify = new ShopifyCustomer(42, new CustomerProfile("Augusta", "King", "ada@example.com", "+16135550000"), T0);

        var after = EchoRules.AfterFirstLink(new CustomerLink("uk", 42, "user-1", T0), site, shopify);

        Assert.Equal(new CustomerProfile("Ada", "King", "ada@example.com", "+16135550000"), after.SyncedProfile);
        Assert.Equal(T0, after.AppliedUpdatedAt);
        Assert.Null(after.AppliedTriggeredAt);
    }

    [Fact]
    public async Task A_sync_write_is_marked_on_its_flow_until_disposed_and_nests()
    {
        Assert.False(EchoRules.IsSyncWrite);
        using (EchoRules.SyncWrite())
        {
            Assert.True(EchoRules.IsSyncWrite);
            using (EchoRules.SyncWrite())
            {
                Assert.True(await Task.Run(() => EchoRules.IsSyncWrite));
            }

            Assert.True(EchoRules.IsSyncWrite);
        }

        Assert.False(EchoRules.IsSyncWrite);
        Assert.False(SyncWriteScope.IsActive);
    }

    [Fact]
    public async Task A_sync_write_does_not_mark_writes_on_other_flows()
    {
        var started = new TaskCompletionSource();
        var other = Task.Run(async () =>
        {
            await started.Task;
            return EchoRules.IsSyncWrite;
        });

        using (EchoRules.SyncWrite())
        {
            started.SetResult();
            Assert.False(await other);
        }
    }

    [Fact]
    public void Disposing_a_sync_write_twice_ends_it_once()
    {
        using (EchoRules.SyncWrite())
        {
            var inner = EchoRules.SyncWrite();
            inner.Dispose();
            inner.Dispose();
            Assert.True(EchoRules.IsSyncWrite);
        }

        Assert.False(EchoRules.IsSyncWrite);
    }
}
