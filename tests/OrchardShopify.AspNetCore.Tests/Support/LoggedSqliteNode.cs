using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Tests.Support;

/// <summary>
/// A <see cref="SyncNode"/> on a SQLite sync database in a folder of its own, every log entry kept; disposing it stops
/// nothing (the test does) but releases the files and deletes the folder.
/// </summary>
internal sealed class LoggedSqliteNode : IAsyncDisposable
{
    public const string CommandCategory = "Microsoft.EntityFrameworkCore.Database.Command";

    private readonly string _folder = Directory.CreateTempSubdirectory("orchardshopify-logged-").FullName;

    public LoggedSqliteNode()
    {
        Node = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={Path.Combine(_folder, "sync.db")}", logs: new FakeLoggerProvider(Logs));
    }

    public SyncNode Node { get; }

    public FakeLogCollector Logs { get; } = new();

    /// <summary>EF Core's "Executed DbCommand" entries, oldest first.</summary>
    public IEnumerable<FakeLogRecord> ExecutedCommands()
        => Logs.GetSnapshot().Where(entry => entry.Category == CommandCategory && entry.Message.StartsWith("Executed DbCommand", StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
