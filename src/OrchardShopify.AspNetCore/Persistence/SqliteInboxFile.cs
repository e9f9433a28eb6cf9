using System.Globalization;
using Microsoft.Data.Sqlite;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>
/// The webhook inbox: a SQLite file of this node's own. On SQLite it sits beside the sync database
/// (<c>shopify-sync.db</c> → <c>shopify-sync.inbox.db</c>); on PostgreSQL it is a local file of each node
/// (<c>Shopify:Storage:InboxFile</c>, by default under the content root's <c>App_Data</c>). The workers' apply
/// transactions write the sync database (its write lock on SQLite, its log on PostgreSQL); a webhook's append writes
/// only this file, so it never waits for them. Verified deliveries are stored here (durably: the request is answered
/// after the commit), then moved into the sync database's work queue by <see cref="WebhookInbox.MoveAsync"/> and deleted
/// from <see cref="Table"/>; their webhook ids stay in <see cref="IdsTable"/> (for duplicates arriving after the move)
/// until they are older than <c>Shopify:SyncLogRetention</c>.
/// </summary>
internal static class SqliteInboxFile
{
    public const string Table = "shopify_inbox";

    /// <summary>Webhook ids of deliveries already moved into the work queue, with the time they were received.</summary>
    public const string IdsTable = "shopify_inbox_ids";

    /// <summary>The schema name the SQLite sync database is attached under on the mover's connection.</summary>
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
        CREATE TABLE IF NOT EXISTS {IdsTable} (
          seq INTEGER PRIMARY KEY,
          webhook_id TEXT NOT NULL UNIQUE,
          received_at INTEGER NOT NULL);
        """;

    /// <summary>The inbox file of a sync database file: same folder, <c>.inbox</c> before the extension.</summary>
    public static string PathFor(string syncFile)
    {
        var extension = Path.GetExtension(syncFile);
        return Path.Combine(Path.GetDirectoryName(syncFile) ?? "", Path.GetFileNameWithoutExtension(syncFile) + ".inbox" + (extension.Length > 0 ? extension : ".db"));
    }

    /// <summary>
    /// The default inbox file of a node on PostgreSQL: <c>App_Data/shopify-sync.inbox.{id}.db</c> under the content root,
    /// where the id is drawn from the database's host, port, name, user and search path, so two sites (or two tenants)
    /// sharing a content root never share an inbox file.
    /// </summary>
    public static string DefaultForPostgres(string contentRoot, string? connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString ?? "");
        var identity = string.Join('\n', builder.Host?.ToUpperInvariant(), builder.Port, builder.Database, builder.Username, builder.SearchPath);
        var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(identity)).AsSpan(0, 6));
        return Path.Combine(contentRoot, "App_Data", $"shopify-sync.inbox.{id}.db");
    }

    /// <summary>
    /// A connection of its own (not pooled: an attached database stays with it) to the inbox file, created (with its
    /// folder) if need be, in WAL mode with the configured <c>synchronous</c> setting and busy timeout; with the SQLite
    /// sync database attached as <see cref="SyncAlias"/> when <paramref name="syncFile"/> is given (the mover's, on
    /// SQLite). No commit copies the log into the file (<c>wal_autocheckpoint=0</c>): the inbox's mover checkpoints its
    /// file, <see cref="Workers.SqliteCheckpointWorker"/> the sync database.
    /// </summary>
    public static async Task<SqliteConnection> OpenAsync(string inboxFile, string? syncFile, ShopifyStorageOptions storage)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(inboxFile)) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

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
            if (syncFile is null)
            {
                return connection;
            }

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
