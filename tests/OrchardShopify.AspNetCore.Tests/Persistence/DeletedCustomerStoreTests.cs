using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Core.Ports;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Persistence;

/// <summary>The link store's memory of deleted customers, on SQLite and PostgreSQL: per store, first time kept, the user it was linked to until a deliberate send, pruned with the log, dropped by shop/redact.</summary>
public sealed class DeletedCustomerStoreTests
{
    private static readonly DateTimeOffset First = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Deleted_customers_on_SQLite()
    {
        await using var scratch = new ScratchSqliteDatabase();
        await AssertDeletedCustomersAsync(scratch.SyncOptions, isPostgres: false);
    }

    [PostgresFact]
    public async Task Deleted_customers_on_PostgreSQL()
    {
        await using var scratch = await ScratchPostgresDatabase.CreateAsync();
        await AssertDeletedCustomersAsync(new DbContextOptionsBuilder<ShopifySyncDbContext>().UseNpgsql(scratch.ConnectionString).Options, isPostgres: true);
    }

    private static async Task AssertDeletedCustomersAsync(DbContextOptions<ShopifySyncDbContext> options, bool isPostgres)
    {
        await using (var db = new ShopifySyncDbContext(options))
        {
            await db.Database.MigrateAsync();
        }

        var database = SyncDatabases.Over(options, isPostgres);
        var links = new EfCustomerLinkStore(database);
        var none = CancellationToken.None;
        await links.MarkDeletedAsync("uk", 101, null, First, none);
        await links.MarkDeletedAsync("uk", 101, null, First.AddHours(3), none);
        await links.MarkDeletedAsync("uk", 102, null, First.AddDays(40), none);
        await links.MarkDeletedAsync("us", 201, null, First.AddDays(35), none);
        await links.MarkDeletedAsync("uk", 105, "user-105", First, none);
        await links.MarkDeletedAsync("uk", 105, null, First.AddHours(1), none);
        await links.MarkDeletedAsync("uk", 106, null, First, none);
        await links.MarkDeletedAsync("uk", 106, "user-106", First.AddHours(1), none);
        await links.MarkDeletedAsync("uk", 107, "user-107", First, none);
        await links.TryAddAsync(new CustomerLink("uk", 103, "user-103", First), none);

        // A duplicate delete keeps the first time; a customer of another store is another customer.
        Assert.Equal(First, await links.FindDeletedAsync("uk", 101, none));
        Assert.Null(await links.FindDeletedAsync("us", 101, none));
        Assert.Null(await links.FindDeletedAsync("uk", 103, none));

        // The bulk apply leaves linked and deleted customers to the one-by-one rules.
        Assert.Equal(new HashSet<long> { 101, 102, 103 }, (await links.FindLinkedAsync("uk", [101, 102, 103, 104], none)).ToHashSet());

        // The user whose customer was deleted is remembered (a repeat without a user keeps it; a later one with a user adds it), per store.
        Assert.Equal(new DeletedCustomer("uk", 105, First), await links.FindDeletedForUserAsync("uk", "user-105", none));
        Assert.Equal(new DeletedCustomer("uk", 106, First), await links.FindDeletedForUserAsync("uk", "user-106", none));
        Assert.Null(await links.FindDeletedForUserAsync("us", "user-105", none));
        Assert.Null(await links.FindDeletedForUserAsync("uk", "user-103", none));

        // Pruned with the log: a deletion older than the retention goes, unless it still holds a user back.
        var log = new EfSyncLog(database, TimeProvider.System);
        await log.PruneAsync(First.AddDays(30), none);
        Assert.Null(await links.FindDeletedAsync("uk", 101, none));
        Assert.Equal(First.AddDays(40), await links.FindDeletedAsync("uk", 102, none));
        Assert.Equal(new DeletedCustomer("uk", 107, First), await links.FindDeletedForUserAsync("uk", "user-107", none));

        // A deliberate send forgets the user; the deletion itself is still known until pruned.
        await links.ForgetDeletedForUserAsync("uk", "user-107", none);
        Assert.Null(await links.FindDeletedForUserAsync("uk", "user-107", none));
        Assert.Equal(First, await links.FindDeletedAsync("uk", 107, none));
        await log.PruneAsync(First.AddDays(30), none);
        Assert.Null(await links.FindDeletedAsync("uk", 107, none));

        // shop/redact drops the store's deletions with its links, not the other store's.
        Assert.Single(await links.RemoveStoreAsync("uk", none));
        Assert.Null(await links.FindDeletedAsync("uk", 102, none));
        Assert.Equal(First.AddDays(35), await links.FindDeletedAsync("us", 201, none));
    }
}
