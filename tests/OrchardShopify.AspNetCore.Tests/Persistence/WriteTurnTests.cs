using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;

namespace OrchardShopify.AspNetCore.Tests.Persistence;

/// <summary>
/// How an import and the inbound workers share the database: on SQLite turns at the write lock, given in the order
/// asked for; on PostgreSQL an import waits, a bounded time, while the node's inbound workers have deliveries in hand.
/// (Through a site: <c>CustomerImportTests.A_customer_created_in_Shopify_while_an_import_applies_gets_its_user_before_the_import_ends</c>.)
/// </summary>
public sealed class WriteTurnTests
{
    [Fact]
    public async Task On_SQLite_turns_are_given_one_at_a_time_in_the_order_asked_for()
    {
        var database = Database(isPostgres: false);
        var first = await database.TakeWriteTurnAsync(CancellationToken.None);

        // Asked for in this order while the first turn is held: both wait.
        var second = database.TakeWriteTurnAsync(CancellationToken.None).AsTask();
        var third = database.TakeWriteTurnAsync(CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);

        // The first turn given up (twice: the second time changes nothing) goes to the second asker alone.
        first.Dispose();
        first.Dispose();
        var secondTurn = await second.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(100);
        Assert.False(third.IsCompleted);

        secondTurn.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Fact]
    public async Task A_turn_with_a_limit_holds_nothing_once_the_limit_has_passed_and_takes_its_place_in_the_order_otherwise()
    {
        var database = Database(isPostgres: false);
        var held = await database.TakeWriteTurnAsync(CancellationToken.None);

        // Not given within its limit: the turn holds nothing, and the next turn still waits for the held one.
        var late = await database.TakeWriteTurnAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None);
        late.Dispose();
        var next = database.TakeWriteTurnAsync(CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(next.IsCompleted);

        // Given within its limit: a real turn, which the next asker waits for.
        var limited = database.TakeWriteTurnAsync(TimeSpan.FromSeconds(10), CancellationToken.None).AsTask();
        held.Dispose();
        var nextTurn = await next.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(100);
        Assert.False(limited.IsCompleted);
        nextTurn.Dispose();
        var limitedTurn = await limited.WaitAsync(TimeSpan.FromSeconds(10));
        var after = database.TakeWriteTurnAsync(CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(after.IsCompleted);
        limitedTurn.Dispose();
        (await after.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }

    [Fact]
    public async Task A_single_write_takes_no_turn_of_its_own_while_its_flow_holds_one_and_waits_for_the_turn_otherwise()
    {
        var database = Database(isPostgres: false);

        // Nothing held: a single write gets a real turn. Held by this flow, the writes it makes (here and in what it
        // calls) take none of their own, and do not wait for it.
        using (var held = (await database.TakeSingleWriteTurnAsync(CancellationToken.None)).HeldByThisFlow())
        {
            var here = database.TakeSingleWriteTurnAsync(CancellationToken.None);
            Assert.True(here.IsCompleted);
            (await here).Dispose();
            var nested = NestedWriteTurnAsync(database);
            Assert.True(nested.IsCompleted);
            await nested;

            // Another flow's single write waits for the held turn, and gets it once it is given up.
            Task<SyncDatabase.WriteTurn> other;
            using (ExecutionContext.SuppressFlow())
            {
                other = Task.Run(() => database.TakeSingleWriteTurnAsync(CancellationToken.None).AsTask());
            }

            await Task.Delay(150);
            Assert.False(other.IsCompleted);
            held.Dispose();
            var otherTurn = await other.WaitAsync(TimeSpan.FromSeconds(3));

            // Given up, the flow's turn no longer counts: its next single write waits for the other flow's.
            var again = database.TakeSingleWriteTurnAsync(CancellationToken.None).AsTask();
            await Task.Delay(150);
            Assert.False(again.IsCompleted);
            otherTurn.Dispose();
            (await again.WaitAsync(TimeSpan.FromSeconds(3))).Dispose();
        }

        // Once the turn is held elsewhere: a single write waits at most its limit, then goes ahead holding nothing.
        var busy = await database.TakeWriteTurnAsync(CancellationToken.None);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var late = await database.TakeSingleWriteTurnAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(clock.Elapsed, SyncDatabase.SingleWriteTurnWait - TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(29));
        late.Dispose();
        var next = database.TakeWriteTurnAsync(CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(next.IsCompleted);
        busy.Dispose();
        (await next.WaitAsync(TimeSpan.FromSeconds(3))).Dispose();
    }

    [Fact]
    public async Task A_flow_going_ahead_without_a_turn_makes_its_single_writes_to_that_database_go_ahead_too_until_it_ends()
    {
        var database = Database(isPostgres: false);
        var other = Database(isPostgres: false);
        var busy = await database.TakeWriteTurnAsync(CancellationToken.None);
        var otherBusy = await other.TakeWriteTurnAsync(CancellationToken.None);

        // A save inside a transaction of the site's own goes ahead without a turn, and so do the writes it makes to the same
        // database meanwhile (the push it schedules); another database's turns are still waited for.
        using (var without = database.GoingWithoutTurn().HeldByThisFlow())
        {
            var same = database.TakeSingleWriteTurnAsync(CancellationToken.None);
            Assert.True(same.IsCompleted);
            (await same).Dispose();
            var elsewhere = other.TakeSingleWriteTurnAsync(CancellationToken.None).AsTask();
            await Task.Delay(150);
            Assert.False(elsewhere.IsCompleted);
            otherBusy.Dispose();
            (await elsewhere.WaitAsync(TimeSpan.FromSeconds(3))).Dispose();

            // Ended, it no longer counts: the flow's next single write waits for the held turn.
            without.Dispose();
            var after = database.TakeSingleWriteTurnAsync(CancellationToken.None).AsTask();
            await Task.Delay(150);
            Assert.False(after.IsCompleted);
            busy.Dispose();
            (await after.WaitAsync(TimeSpan.FromSeconds(3))).Dispose();
        }

        Assert.Same(SyncDatabase.WriteTurn.None, Database(isPostgres: true).GoingWithoutTurn());
    }

    private static async Task NestedWriteTurnAsync(SyncDatabase database)
    {
        var turn = database.TakeSingleWriteTurnAsync(CancellationToken.None);
        Assert.True(turn.IsCompleted);
        (await turn).Dispose();
    }

    [Fact]
    public async Task On_PostgreSQL_turns_hold_nothing()
    {
        var database = Database(isPostgres: true);
        using var first = await database.TakeWriteTurnAsync(CancellationToken.None);
        var second = database.TakeWriteTurnAsync(CancellationToken.None);
        Assert.True(second.IsCompleted);
        (await second).Dispose();
    }

    [Fact]
    public async Task An_import_waits_while_inbound_deliveries_are_in_hand_and_goes_on_once_they_are_applied()
    {
        var database = Database(isPostgres: true);

        // Nothing in hand: no wait.
        Assert.True(database.YieldToInboundAsync(TimeSpan.FromSeconds(30), CancellationToken.None).IsCompleted);

        var one = database.MarkInboundInHand();
        var two = database.MarkInboundInHand();
        var waiting = database.YieldToInboundAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        one.Dispose();
        one.Dispose();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        two.Dispose();
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        // Applied since: the next import transaction does not wait.
        Assert.True(database.YieldToInboundAsync(TimeSpan.FromSeconds(30), CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task An_import_waits_at_most_its_limit_when_deliveries_never_stop_arriving()
    {
        var database = Database(isPostgres: true);
        using var inHand = database.MarkInboundInHand();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await database.YieldToInboundAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));

        using var canceled = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => database.YieldToInboundAsync(TimeSpan.FromSeconds(30), canceled.Token));
    }

    private static SyncDatabase Database(bool isPostgres)
        => SyncDatabases.Over(new DbContextOptionsBuilder<ShopifySyncDbContext>().UseSqlite("Data Source=:memory:").Options, isPostgres);
}
