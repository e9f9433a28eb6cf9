using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Postgres;

/// <summary>A site started on an empty PostgreSQL database creates the sync schema without logging an error.</summary>
public sealed class FirstMigrationTests
{
    [PostgresFact]
    public async Task Two_nodes_starting_together_on_an_empty_database_create_the_schema_and_log_no_error()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var logs = new FakeLogCollector();
        await using var first = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString, logs: new FakeLoggerProvider(logs));
        await using var second = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString, logs: new FakeLoggerProvider(logs));

        await Task.WhenAll(first.StartAsync(workers: false), second.StartAsync(workers: false));
        Assert.True(await first.AppendDeleteAsync(7_100_000_001, "wh-first-migration"));

        await using var db = await second.Get<SyncDatabase>().OpenAsync(CancellationToken.None);
        Assert.Equal(1, await db.WorkItems.CountAsync());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        var problems = logs.GetSnapshot().Where(entry => entry.Level >= LogLevel.Warning).Select(entry => $"{entry.Level} {entry.Category}: {entry.Message}").ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
