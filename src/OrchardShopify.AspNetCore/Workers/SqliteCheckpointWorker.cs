using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>
/// Copies the SQLite sync database's write-ahead log into the database file in the background and keeps the log
/// from growing without end. The sync's connections do not checkpoint on commit (<c>wal_autocheckpoint=0</c>), so
/// a commit never copies the log itself.
/// </summary>
/// <remarks>
/// Every <see cref="Interval"/>, once the log file has passed <see cref="Threshold"/> (SQLite's own default point), a
/// passive checkpoint copies what the log holds without stopping anyone. SQLite writes the log from its start again
/// only when a transaction begins at a moment when everything in the log has been copied and no reader still uses
/// it; under a steady stream of webhooks that moment never comes, and the log file grows by every commit's pages
/// (about 100 MB a second at 20,000 webhooks a second) until the stream pauses, each write extending the file.
/// So once the log holds <see cref="RestartThreshold"/> or more, a restarting checkpoint follows a few passive
/// passes (each copies what came in during the previous one): it holds the inbox's mover between two moves
/// (<see cref="WebhookInbox.HoldMovesAsync"/>), copies the last few pages, waits at most <see cref="RestartWait"/>
/// for other connections' readers and writers, and the next commit writes the log from its start again, over file
/// pages the operating system already holds. Webhook answers never wait for it: they are stored in the inbox file,
/// and only the move into this database pauses (typically 10 ms, at most about <see cref="RestartWait"/>). When
/// readers keep the restart from happening, it is tried again after <see cref="RestartBackoff"/>. The log is emptied
/// when the site stops. Does nothing on PostgreSQL.
/// </remarks>
internal sealed partial class SqliteCheckpointWorker(SyncDatabase database, WebhookInbox inbox, TimeProvider time, ILogger<SqliteCheckpointWorker> logger) : BackgroundService
{
    internal static readonly TimeSpan RestartWait = TimeSpan.FromMilliseconds(50);
    internal static readonly TimeSpan RestartBackoff = TimeSpan.FromSeconds(2);

    private const int MaxPassivePasses = 3;
    private const long RestartCopyBytes = 1024 * 1024;

    private long _restarts;
    private long _restartedAt = -1;
    private DateTimeOffset _nextRestart = DateTimeOffset.MinValue;
    private long _pageSize;

    /// <summary>How often the log file's size is looked at.</summary>
    internal TimeSpan Interval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Log file size from which a passive checkpoint runs.</summary>
    internal long Threshold { get; set; } = 4 * 1024 * 1024;

    /// <summary>Pages in the log from which a restarting checkpoint follows.</summary>
    internal long RestartThreshold { get; set; } = 32 * 1024 * 1024;

    /// <summary>How many restarting checkpoints have run (for tests).</summary>
    internal long Restarts => Interlocked.Read(ref _restarts);

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
                    await CheckpointAsync(stoppingToken);
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
            await RunAsync("TRUNCATE", busyTimeout: null, cancellationToken);
        }
#pragma warning disable CA1031 // The log is kept and applied when the database is next opened.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.CheckpointFailed(logger, ex);
        }
    }

    /// <summary>A passive checkpoint; when the log holds <see cref="RestartThreshold"/> or more, a few more and a restart.</summary>
    internal async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        var passive = await RunAsync("PASSIVE", busyTimeout: null, cancellationToken);
        if (!RestartDue(passive))
        {
            return;
        }

        // A pass copies the log as it was when the pass began, and copying is many times faster than webhooks fill
        // the log: each further pass finds less to copy, and the restart, which holds writers, copies only the rest.
        for (var pass = 1; pass < MaxPassivePasses; pass++)
        {
            var next = await RunAsync("PASSIVE", busyTimeout: null, cancellationToken);
            var grew = next.LogBytes - passive.LogBytes;
            passive = next;
            if (grew <= RestartCopyBytes)
            {
                break;
            }
        }

        if (!RestartDue(passive))
        {
            return;
        }

        CheckpointResult restart;
        using (await inbox.HoldMovesAsync(cancellationToken))
        {
            restart = await RunAsync("RESTART", RestartWait, cancellationToken);
        }

        Interlocked.Increment(ref _restarts);
        if (restart.Busy)
        {
            // A reader (or another connection's writer) outlasted the wait: the log goes on growing until it is gone.
            _restartedAt = -1;
            _nextRestart = time.GetUtcNow() + RestartBackoff;
        }
        else
        {
            // Until the next commit starts the log over, it still reports these pages: no second restart for them.
            _restartedAt = restart.LogBytes;
        }

        Log.Restarted(logger, passive.LogBytes / 1024, restart.Busy);
    }

    private bool RestartDue(CheckpointResult passive)
        => passive.LogBytes >= RestartThreshold && passive.LogBytes != _restartedAt && time.GetUtcNow() >= _nextRestart;

    /// <summary>Runs <c>PRAGMA wal_checkpoint(mode)</c>, optionally with its own busy timeout.</summary>
    private async Task<CheckpointResult> RunAsync(string mode, TimeSpan? busyTimeout, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        long? restoreTimeout = null;
        if (busyTimeout is { } wait)
        {
            // The pooled connection keeps its configured timeout for whoever uses it next.
            command.CommandText = "PRAGMA busy_timeout";
            restoreTimeout = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            command.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout={(long)wait.TotalMilliseconds}");
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            if (_pageSize == 0)
            {
                // Fixed once the database exists: asked once, not at every look.
                command.CommandText = "PRAGMA page_size";
                _pageSize = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            }

            // One row: busy (1 when a lock or a reader stopped it short), frames in the log, frames copied so far.
            command.CommandText = $"PRAGMA wal_checkpoint({mode})";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return new CheckpointResult(false, 0);
            }

            var busy = reader.GetInt64(0) != 0;
            var frames = reader.IsDBNull(1) ? 0 : Math.Max(0, reader.GetInt64(1));
            return new CheckpointResult(busy, frames * _pageSize);
        }
        finally
        {
            if (restoreTimeout is { } restore)
            {
                command.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout={restore}");
                await command.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
    }

    /// <param name="Busy">A lock or a reader stopped the checkpoint short.</param>
    /// <param name="LogBytes">The pages in the log when the checkpoint began, in bytes (frame headers not counted).</param>
    private readonly record struct CheckpointResult(bool Busy, long LogBytes);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpointing the Shopify sync database's write-ahead log failed; trying again")]
        public static partial void CheckpointFailed(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Debug, Message = "The Shopify sync database's write-ahead log held {Kilobytes} KB; restarting checkpoint run (stopped short by a reader: {Busy})")]
        public static partial void Restarted(ILogger logger, long kilobytes, bool busy);
    }
}
