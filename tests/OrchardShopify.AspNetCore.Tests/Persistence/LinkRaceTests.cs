using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Persistence;

/// <summary>
/// Two linkers racing for one customer or one user (a push and the customers/create Shopify sends back about it, two
/// nodes) is ordinary: the loser gets the winner's link, nothing is logged as an error, and the surrounding work goes on.
/// </summary>
public sealed class LinkRaceTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 8, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task Losing_a_link_race_on_SQLite_returns_the_winner_and_logs_no_error()
    {
        await using var scratch = new ScratchSqliteDatabase();
        var logs = new FakeLogCollector();
        var options = new DbContextOptionsBuilder<ShopifySyncDbContext>()
            .UseSqlite($"Data Source={scratch.File};Pooling=False")
            .UseLoggerFactory(LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Trace)))
            .Options;
        await AssertRaceAsync(options, isPostgres: false, logs);
    }

    [PostgresFact]
    public async Task Losing_a_link_race_on_PostgreSQL_returns_the_winner_and_logs_no_error()
    {
        await using var scratch = await ScratchPostgresDatabase.CreateAsync();
        var logs = new FakeLogCollector();
        var options = new DbContextOptionsBuilder<ShopifySyncDbContext>()
            .UseNpgsql(scratch.ConnectionString)
            .UseLoggerFactory(LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Trace)))
            .Options;
        await AssertRaceAsync(options, isPostgres: true, logs);
    }

    private static async Task AssertRaceAsync(DbContextOptions<ShopifySyncDbContext> options, bool isPostgres, FakeLogCollector logs)
    {
        await using (var db = new ShopifySyncDbContext(options))
        {
            await db.Database.MigrateAsync();
        }

        // Only what the race logs counts (creating the schema of a new PostgreSQL database logs its own probe).
        var before = logs.Count;

        var links = new EfCustomerLinkStore(SyncDatabases.Over(options, isPostgres));
        var none = CancellationToken.None;
        var sent = new CustomerProfile("Ada", "Lovelace", "ada@example.com", "+442079460958");
        var winner = new CustomerLink("uk", 706405506930370084, "user-ada", At, At.AddMinutes(-1), null, sent);

        var first = await links.TryAddAsync(winner, none);
        Assert.True(first.Added);

        // The same customer for another user: the loser reads the winner's link, every field as stored.
        var sameCustomer = await links.TryAddAsync(new CustomerLink("uk", 706405506930370084, "user-mallory", At.AddSeconds(1)), none);
        Assert.False(sameCustomer.Added);
        Assert.Equal("user-ada", sameCustomer.Link.UserId);
        Assert.Equal(At, sameCustomer.Link.LinkedAt);
        Assert.Equal(At.AddMinutes(-1), sameCustomer.Link.AppliedUpdatedAt);
        Assert.Equal(sent, sameCustomer.Link.SyncedProfile);

        // Another customer for the same user in the same store: the user keeps its link.
        var sameUser = await links.TryAddAsync(new CustomerLink("uk", 5503, "user-ada", At.AddSeconds(2)), none);
        Assert.False(sameUser.Added);
        Assert.Equal(706405506930370084, sameUser.Link.CustomerId);
        Assert.Null(await links.FindByCustomerAsync("uk", 5503, none));

        // Another store is another link, and the store still takes writes after the lost races.
        Assert.True((await links.TryAddAsync(new CustomerLink("us", 5503, "user-ada", At.AddSeconds(3)), none)).Added);
        Assert.Equal(["uk", "us"], (await links.FindByUserAsync("user-ada", none)).Select(l => l.StoreHandle).Order().ToArray());

        Assert.DoesNotContain(logs.GetSnapshot().Skip(before), e => e.Level >= LogLevel.Error && Fail(e));
    }

    private static bool Fail(FakeLogRecord entry)
    {
        Console.WriteLine($"{entry.Level} {entry.Category}: {entry.Message} {entry.Exception}");
        return true;
    }
}
