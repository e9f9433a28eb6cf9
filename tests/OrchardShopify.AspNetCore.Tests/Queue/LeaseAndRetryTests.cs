using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;

namespace OrchardShopify.AspNetCore.Tests.Queue;

#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class LeaseAndRetryTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orchardshopify-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
    private SyncNode _node = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _node = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={Path.Combine(_folder, "sync.db")}", _time);
        await _node.StartAsync(workers: false);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Expired_lease_lets_another_worker_claim_a_crashed_workers_item()
    {
        var queue = _node.Get<WorkQueue>();
        await _node.AppendDeleteAsync(42, "wh-crash");

        var crashed = Assert.Single(await queue.ClaimAsync(WorkKind.InboundDelivery, "node-a", 10, CancellationToken.None));
        Assert.Empty(await queue.ClaimAsync(WorkKind.InboundDelivery, "node-b", 10, CancellationToken.None));

        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(1));
        var reclaimed = Assert.Single(await queue.ClaimAsync(WorkKind.InboundDelivery, "node-b", 10, CancellationToken.None));

        Assert.Equal(crashed.Id, reclaimed.Id);
        Assert.Equal(2, reclaimed.Attempts);
        Assert.False(await queue.CompleteAsync(crashed, "node-a", "late", null, null, CancellationToken.None));
        Assert.True(await queue.CompleteAsync(reclaimed, "node-b", "skipped", 42, null, CancellationToken.None));
        var stored = await SingleItemAsync();
        Assert.Equal((WorkStatus.Succeeded, "skipped"), (stored.Status, stored.Outcome));
    }

    [Fact]
    public async Task Live_lease_keeps_the_item_from_other_workers()
    {
        var queue = _node.Get<WorkQueue>();
        await _node.AppendDeleteAsync(43, "wh-held");
        Assert.Single(await queue.ClaimAsync(WorkKind.InboundDelivery, "node-a", 10, CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(59));

        Assert.Empty(await queue.ClaimAsync(WorkKind.InboundDelivery, "node-b", 10, CancellationToken.None));
        Assert.Equal("node-a", (await SingleItemAsync()).LeaseOwner);
    }

    [Fact]
    public async Task Failed_item_waits_for_its_backoff_then_dead_letters_after_the_last_attempt()
    {
        var queue = _node.Get<WorkQueue>();
        await _node.AppendDeleteAsync(44, "wh-retry");

        for (var attempt = 1; attempt < 8; attempt++)
        {
            var item = Assert.Single(await queue.ClaimAsync(WorkKind.InboundDelivery, "node-a", 10, CancellationToken.None));
            Assert.Equal(WorkStatus.Pending, await queue.FailAsync(item, "node-a", $"boom {attempt}", permanent: false, CancellationToken.None));
            Assert.Empty(await queue.ClaimAsync(WorkKind.InboundDelivery, "node-a", 10, CancellationToken.None));
            _time.Advance(TimeSpan.FromHours(1));
        }

        var last = Assert.Single(await queue.ClaimAsync(WorkKind.InboundDelivery, "node-a", 10, CancellationToken.None));
        Assert.Equal(WorkStatus.DeadLetter, await queue.FailAsync(last, "node-a", "boom 8", permanent: false, CancellationToken.None));
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Empty(await queue.ClaimAsync(WorkKind.InboundDelivery, "node-a", 10, CancellationToken.None));
        var stored = await SingleItemAsync();
        Assert.Equal((WorkStatus.DeadLetter, 8, "boom 8"), (stored.Status, stored.Attempts, stored.LastError));
    }

    [Fact]
    public void Backoff_doubles_with_jitter_and_stops_at_the_maximum()
    {
        var queue = new ShopifyQueueOptions { RetryBaseDelay = TimeSpan.FromSeconds(10), RetryMaxDelay = TimeSpan.FromMinutes(5) };

        var delays = Enumerable.Range(1, 10).Select(attempt => WorkQueue.RetryDelay(attempt, queue)).ToList();

        Assert.InRange(delays[0], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));
        Assert.InRange(delays[2], TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40));
        Assert.All(delays[6..], d => Assert.InRange(d, TimeSpan.FromSeconds(150), TimeSpan.FromMinutes(5)));
    }

    private async Task<WorkItem> SingleItemAsync()
    {
        await using var db = await _node.Get<SyncDatabase>().OpenAsync(CancellationToken.None);
        return await db.WorkItems.AsNoTracking().SingleAsync();
    }
}
