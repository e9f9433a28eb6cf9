using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.Core.Tests.Sync;

public sealed class UserUpdateJobSelectionTests
{
    [Fact]
    public void The_default_job_is_used_when_none_is_configured()
    {
        using var harness = SyncHarness.SingleStore();

        Assert.IsType<DefaultShopifyUserUpdateJob>(harness.Job);
    }

    [Fact]
    public async Task A_job_named_in_configuration_replaces_the_default()
    {
        using var harness = SyncHarness.SingleStore(o =>
        {
            o.UpdateUsersInShopify = true;
            o.UpdateShopifyUserJob = typeof(RecordingJob).AssemblyQualifiedName;
        });
        await harness.Users.AddByHostAsync("ada@example.com", displayName: "Ada Lovelace");

        var result = Assert.Single(await harness.RunOutboundAsync());

        Assert.IsType<RecordingJob>(harness.Job);
        Assert.Equal(OutboundOutcome.Skipped, result.Outcome);
        Assert.Equal("recorded user-1 for uk", result.Detail);
        Assert.Empty(harness.Shopify.Calls);
    }

    [Fact]
    public void A_job_chosen_in_code_wins_over_configuration()
    {
        using var harness = SyncHarness.SingleStore(
            o => o.UpdateShopifyUserJob = typeof(DefaultShopifyUserUpdateJob).FullName,
            b => b.UseUserUpdateJob<RecordingJob>());

        Assert.IsType<RecordingJob>(harness.Job);
    }

    [Fact]
    public void A_job_type_that_is_not_a_job_is_refused_with_the_key_named()
    {
        Assert.False(UserUpdateJobType.TryResolve(typeof(string).FullName!, out _, out var error));
        Assert.StartsWith("Shopify:UpdateShopifyUserJob", error, StringComparison.Ordinal);
        Assert.Contains("IShopifyUserUpdateJob", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_job_type_is_found_by_full_name_in_loaded_assemblies()
    {
        Assert.True(UserUpdateJobType.TryResolve(typeof(RecordingJob).FullName!, out var type, out _));
        Assert.Equal(typeof(RecordingJob), type);
    }

    public sealed class RecordingJob : IShopifyUserUpdateJob
    {
        public Task<OutboundResult> RunAsync(OutboundPush push, CancellationToken cancellationToken)
            => Task.FromResult(new OutboundResult(OutboundOutcome.Skipped, Detail: $"recorded {push.UserId} for {push.StoreHandle}"));
    }
}
