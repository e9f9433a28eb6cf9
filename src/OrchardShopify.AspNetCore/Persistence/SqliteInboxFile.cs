using System.Globalization;
using Microsoft.Data.Sqlite;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>
/// On SQLite, the webhook inbox is a database file of its own beside the sync database (<c>shopify-sync.db</c> →
/// <c>shopify-sync.inbox.db</c>). SQLite has one write lock per file: the workers' apply transactions hold the sync
/// database's, and with the inbox in its own file a webhook's append never waits for them. Verified deliveries are
/// stored there (durably: the request is answered after the commit), then moved into the sync database's work queue by
/// <see cref="WebhookInbox.MoveAsync"/> and deleted from the inbox. The file holds only deliveries not yet moved.
/// </summary>
internal static class SqliteInboxFile
{
    public const string Table = "shopify_inbox";

    /// <summary>The schema name the sync database is attached under on the inbox's connections.</summary>
    public const string SyncAlias = "sync";

    private static readonly string Schema = $"""
        CREATE TABLE IF NOT EXISTS {Table} (
          seq INTEGER PRIMARY KEY,
          webhook_id TEXT NOT NULL UNIQUE,
          store TEXT NOT NULL,
          topic TEXT NOT NULL,
          event_id TEXT,
          triggered_at INTEGER,
          api_version TEXT,
          body BLOB NOT NULL,
          received_at INTEGER NOT NULL);
        """;

    /// <summary>The inbox file of a sync database file: same folder, <c>.inbox</c> before the extension.</summary>
    public static string PathFor(string syncFile)
    {
        var extension = Path.GetExtension(syncFile);
        return Path.Combine(Path.GetDirectoryName(syncFile) ?? "", Path.GetFileNameWithoutExtension(syncFile) + ".inbox" + (extension.Length > 0 ? extension : ".db"));
    }

    /// <summary>
    /// A connection of its own (not pooled: the attached database stays with it) to the inbox file, created if need be,
    /// with the sync database attached as <see cref="SyncAlias"/>; both in WAL mode with the configured <c>synchronous</c>
    /// setting and busy timeout. No commit copies the log into the file (<c>wal_autocheckpoint=0</c>): the inbox's mover
    /// checkpoints its file, <see cref="Workers.SqliteCheckpointWorker"/> the sync database.
    /// </summary>
    public static async Task<SqliteConnection> OpenAsync(string inboxFile, string syncFile, ShopifyStorageOptions storage)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = inboxFile, Pooling = false }.ToString());
        try
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            var mode = storage.SqliteSynchronous == SqliteSynchronous.Normal ? "NORMAL" : "FULL";
            command.CommandText = string.Create(
                CultureInfo.InvariantCulture,
                $"PRAGMA busy_timeout={(long)storage.SqliteBusyTimeout.TotalMilliseconds}; PRAGMA journal_mode=WAL; PRAGMA synchronous={mode}; PRAGMA wal_autocheckpoint=0;");
            await command.ExecuteNonQueryAsync();
            command.CommandText = Schema;
            await command.ExecuteNonQueryAsync();
            command.CommandText = $"ATTACH DATABASE @file AS {SyncAlias}";
            command.Parameters.AddWithValue("@file", syncFile);
            await command.ExecuteNonQueryAsync();
            command.Parameters.Clear();
            command.CommandText = $"PRAGMA {SyncAlias}.synchronous={mode};";
            await command.ExecuteNonQueryAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
