using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.Tests.Support;

namespace OrchardShopify.AspNetCore.Tests.Persistence;

/// <summary>The workers poll the sync database about once a second per tenant; with default logging that must not fill the log.</summary>
public sealed class CommandLoggingTests
{
    [Fact]
    public async Task Workers_polling_the_sync_database_log_its_commands_at_debug_not_information()
    {
        await using var logged = new LoggedSqliteNode();
        var node = logged.Node;
        await node.StartAsync(workers: true);

        // A delivery to apply, then idle polls (every 50 ms here) until it is done and a few more have run.
        Assert.True(await node.AppendDeleteAsync(7_000_000_001, Guid.NewGuid().ToString("N")));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (logged.ExecutedCommands().Count() < 20 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await node.StopAsync();

        var executed = logged.ExecutedCommands().ToList();
        Assert.True(executed.Count >= 20, $"only {executed.Count} executed commands were logged");
        Assert.All(executed, entry => Assert.Equal(LogLevel.Debug, entry.Level));
        Assert.DoesNotContain(logged.Logs.GetSnapshot(), entry => entry.Category == LoggedSqliteNode.CommandCategory && entry.Level >= LogLevel.Information);
    }
}
