using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>
/// Puts a SQLite database in WAL mode with the given <c>synchronous</c> setting and a busy timeout, once per
/// native connection (pooled connections keep the settings). The sync database always uses it; add it to a
/// site's own SQLite context too, e.g. Identity's:
/// <c>options.UseSqlite(cs).AddInterceptors(new SqliteWalInterceptor(SqliteSynchronous.Normal))</c>.
/// </summary>
public sealed class SqliteWalInterceptor : DbConnectionInterceptor
{
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = [];
    private readonly string _pragmas;

    /// <param name="synchronous">See <see cref="ShopifyStorageOptions.SqliteSynchronous"/> for what each setting risks.</param>
    /// <param name="busyTimeout">How long a statement waits for another connection's write lock; 30 s when null.</param>
    public SqliteWalInterceptor(SqliteSynchronous synchronous, TimeSpan? busyTimeout = null)
        : this(synchronous, busyTimeout, backgroundCheckpoints: false)
    {
    }

    /// <param name="backgroundCheckpoints">
    /// Commits never copy the log into the database (<c>wal_autocheckpoint=0</c>); <see cref="Workers.SqliteCheckpointWorker"/> does it
    /// in the background, so no webhook's answer waits for a checkpoint.
    /// </param>
    internal SqliteWalInterceptor(SqliteSynchronous synchronous, TimeSpan? busyTimeout, bool backgroundCheckpoints)
    {
        var timeout = (long)(busyTimeout ?? TimeSpan.FromSeconds(30)).TotalMilliseconds;
        var mode = synchronous == SqliteSynchronous.Normal ? "NORMAL" : "FULL";
        _pragmas = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout={timeout}; PRAGMA journal_mode=WAL; PRAGMA synchronous={mode};")
            + (backgroundCheckpoints ? " PRAGMA wal_autocheckpoint=0;" : "");
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Configure(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Configure(connection);
        return Task.CompletedTask;
    }

    private void Configure(DbConnection connection)
    {
        // In-memory databases have no WAL; their journal_mode pragma is answered and ignored.
        if (connection is not SqliteConnection { Handle: { } handle } sqlite || _configured.TryGetValue(handle, out _))
        {
            return;
        }

        using var command = sqlite.CreateCommand();
        command.CommandText = _pragmas;
        command.ExecuteNonQuery();
        _configured.AddOrUpdate(handle, handle);
    }
}
