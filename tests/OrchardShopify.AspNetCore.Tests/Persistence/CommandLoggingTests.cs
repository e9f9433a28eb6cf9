using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Tests.Persistence;

/// <summary>The workers poll the sync database about once a second per tenant; with default logging that must not fill the log.</summary>
public sealed class CommandLoggingTests
{
    private const string CommandCategory = "Microsoft.EntityFrameworkCore.Database.Command";

    [Fact]
    public async Task Workers_polling_the_sync_database_log_its_commands_at_debug_not_information()
    {
        var folder = Directory.CreateTempSubdirectory("orchardshopify-commandlog-").FullName;
        var logs = new FakeLogCollector();
        try
        {
            await using (var node = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={Path.Combine(folder, "sync.db")}", logs: new FakeLoggerProvider(logs)))
            {
                await node.StartAsync(workers: true);

                // A delivery to apply, then idle polls (every 50 ms here) until it is done and a few more have run.
                Assert.True(await node.AppendDeleteAsync(7_000_000_001, Guid.NewGuid().ToString("N")));
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (Executed(logs).Count() < 20 && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50);
                }

                await node.StopAsync();
            }

            var executed = Executed(logs).ToList();
            Assert.True(executed.Count >= 20, $"only {executed.Count} executed commands were logged");
            Assert.All(executed, entry => Assert.Equal(LogLevel.Debug, entry.Level));
            Assert.DoesNotContain(logs.GetSnapshot(), entry => entry.Category == CommandCategory && entry.Level >= LogLevel.Information);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static IEnumerable<FakeLogRecord> Executed(FakeLogCollector logs) =>
        logs.GetSnapshot().Where(entry => entry.Category == CommandCategory && entry.Message.StartsWith("Executed DbCommand", StringComparison.Ordinal));
}
