using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>
/// Copies the SQLite sync database's write-ahead log into the database file in the background, once the log has
/// grown past <see cref="Threshold"/> (SQLite's own default point), and empties it on shutdown. The sync's
/// connections do not checkpoint on commit, so a webhook's answer never waits for one. Runs whether or not
/// this node's workers do; does nothing on PostgreSQL.
/// </summary>
internal sealed partial class SqliteCheckpointWorker(SyncDatabase database, TimeProvider time, ILogger<SqliteCheckpointWorker> logger) : BackgroundService
{
    internal const long Threshold = 4 * 1024 * 1024;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (database.IsPostgres)
        {
            return;
        }

        string? file;
        await using (var db = await database.OpenAsync(stoppingToken))
        {
            file = SyncDatabase.SqliteFile(db);
        }

        if (file is null)
        {
            return;
        }

        var log = new FileInfo(file + "-wal");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken);
                log.Refresh();
                if (log.Exists && log.Length >= Threshold)
                {
                    await CheckpointAsync("PASSIVE", stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // A checkpoint that fails is tried again; the log only grows meanwhile.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.CheckpointFailed(logger, ex);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (database.IsPostgres)
        {
            return;
        }

        try
        {
            // Leave an empty log behind: the database file alone then holds everything.
            await CheckpointAsync("TRUNCATE", cancellationToken);
        }
#pragma warning disable CA1031 // The log is kept and applied when the database is next opened.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.CheckpointFailed(logger, ex);
        }
    }

    /// <summary>Runs <c>PRAGMA wal_checkpoint(mode)</c>.</summary>
    internal async Task CheckpointAsync(string mode, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode});";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpointing the Shopify sync database's write-ahead log failed; trying again")]
        public static partial void CheckpointFailed(ILogger logger, Exception exception);
    }
}
