using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.Persistence;

using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.AspNetCore.Jobs;

/// <summary>The work of one background job; <see cref="Snapshot"/> is called from other threads while it runs.</summary>
internal interface ISyncJob
{
    /// <summary>The progress so far, as the status JSON shows it.</summary>
    object Snapshot();

    /// <summary>Does the work and returns the final summary (or report).</summary>
    Task<object> RunAsync(CancellationToken cancellationToken);
}

/// <summary>A job as stored, with its live progress when it runs on this node.</summary>
internal sealed record SyncJobInfo(
    string Id,
    string Kind,
    string StoreHandle,
    SyncJobStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt,
    DateTimeOffset? FinishedAt,
    bool CancelRequested,
    string? Parameters,
    string? StateJson,
    object? LiveState,
    string? Error);

/// <summary>Another job of the store is running; <see cref="RunningJobId"/> names it.</summary>
public sealed class SyncJobConflictException : Exception
{
    public SyncJobConflictException(string storeHandle, string runningJobId, string runningKind)
        : base($"A {runningKind} job ({runningJobId}) is already running for store '{storeHandle}'; wait for it or cancel it.")
    {
        StoreHandle = storeHandle;
        RunningJobId = runningJobId;
        RunningKind = runningKind;
    }

    public SyncJobConflictException()
    {
        StoreHandle = RunningJobId = RunningKind = "";
    }

    public SyncJobConflictException(string message)
        : base(message)
    {
        StoreHandle = RunningJobId = RunningKind = "";
    }

    public SyncJobConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
        StoreHandle = RunningJobId = RunningKind = "";
    }

    public string StoreHandle { get; }

    public string RunningJobId { get; }

    public string RunningKind { get; }
}

/// <summary>
/// Hosts the long admin jobs (import, reconciliation): stores each as a row, runs it in the background, one per store at
/// a time across all nodes. Progress and a
/// heartbeat are written every second; a cancel asked on any node reaches the owner through the row. A job whose
/// heartbeat stops (its node crashed) reads as <see cref="SyncJobStatus.Interrupted"/>; on shutdown running jobs stop
/// and are stored as interrupted.
/// </summary>
internal sealed partial class SyncJobHost(SyncDatabase database, TimeProvider time, ILogger<SyncJobHost> logger) : IHostedService, IDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly ConcurrentDictionary<string, Running> _running = new(StringComparer.Ordinal);
    // Replaced at each start so a job host stopped and started again (a tenant reloading) runs jobs again.
    private CancellationTokenSource _stopping = new();

    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A running job whose heartbeat is older than this is taken as interrupted.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Stores the job as running and starts it.</summary>
    /// <exception cref="SyncJobConflictException">Another job of the store is running.</exception>
    public async Task<string> StartAsync(string kind, string storeHandle, object? parameters, ISyncJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var now = UnixTime.From(time.GetUtcNow());
        await MarkStaleAsync(storeHandle, cancellationToken);
        if (await LatestAsync(storeHandle, null, cancellationToken) is { Status: SyncJobStatus.Running } running)
        {
            // The unique index below still decides a race between two nodes; this spares the usual case a failed insert.
            throw new SyncJobConflictException(storeHandle, running.Id, running.Kind);
        }

        var id = Guid.NewGuid().ToString("N");
        await using (var unit = await database.OpenToWriteAsync(cancellationToken))
        {
            var db = unit.Db;
            db.Jobs.Add(new SyncJobRow
            {
                Id = id,
                Kind = kind,
                StoreHandle = storeHandle,
                Status = SyncJobStatus.Running,
                Owner = Owner,
                StartedAt = now,
                HeartbeatAt = now,
                Parameters = parameters is null ? null : JsonSerializer.Serialize(parameters, Json),
                State = JsonSerializer.Serialize(job.Snapshot(), Json),
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (SyncDatabase.IsUniqueViolation(ex))
            {
                var winner = await LatestAsync(storeHandle, null, cancellationToken);
                throw new SyncJobConflictException(storeHandle, winner?.Id ?? "unknown", winner?.Kind ?? "sync");
            }
        }

        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var run = new Running(job, cancel);
        _running[id] = run;
        run.Completion = Task.Run(() => ExecuteAsync(id, kind, storeHandle, run), CancellationToken.None);
        Log.Started(logger, kind, storeHandle, id);
        return id;
    }

    public async Task<SyncJobInfo?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var row = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, cancellationToken);
        return row is null ? null : await ToInfoAsync(row, cancellationToken);
    }

    /// <summary>The store's newest job, of <paramref name="kind"/> or of any kind.</summary>
    public async Task<SyncJobInfo?> LatestAsync(string storeHandle, string? kind, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var query = db.Jobs.AsNoTracking().Where(j => j.StoreHandle == storeHandle);
        if (kind is not null)
        {
            query = query.Where(j => j.Kind == kind);
        }

        var row = await query.OrderByDescending(j => j.StartedAt).ThenByDescending(j => j.Id).FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : await ToInfoAsync(row, cancellationToken);
    }

    /// <summary>The newest finished job of the kind that succeeded, for "since the last import".</summary>
    public async Task<SyncJobInfo?> LatestSucceededAsync(string storeHandle, string kind, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var row = await db.Jobs.AsNoTracking()
            .Where(j => j.StoreHandle == storeHandle && j.Kind == kind && j.Status == SyncJobStatus.Succeeded)
            .OrderByDescending(j => j.StartedAt)
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : await ToInfoAsync(row, cancellationToken);
    }

    /// <summary>Asks the job to stop. Returns false when it is not running.</summary>
    /// <remarks>
    /// A job running on this node is stopped first and then the request is stored: on SQLite the store waits for the
    /// database's write lock, which a busy job takes batch after batch, so a cancel stored first could wait until the job
    /// had finished. Such a job then records itself as canceled; the request is stored for the other nodes' readers.
    /// </remarks>
    public async Task<bool> CancelAsync(string id, CancellationToken cancellationToken)
    {
        var local = _running.TryGetValue(id, out var run) && await TryCancelAsync(run);
        await using var unit = await database.OpenToWriteAsync(cancellationToken);
        var db = unit.Db;
        var updated = await db.Jobs
            .Where(j => j.Id == id && j.Status == SyncJobStatus.Running)
            .ExecuteUpdateAsync(set => set.SetProperty(j => j.CancelRequested, true), cancellationToken);
        return local || updated > 0;
    }

    private static async Task<bool> TryCancelAsync(Running run)
    {
        run.CanceledByRequest = true;
        try
        {
            await run.Cancel.CancelAsync();
            return true;
        }
        catch (ObjectDisposedException)
        {
            // The job finished and stored its outcome meanwhile.
            return false;
        }
    }

    /// <summary>Waits until the job, if it runs on this node, has finished and stored its outcome.</summary>
    public Task WaitAsync(string id) => _running.TryGetValue(id, out var run) && run.Completion is { } task ? task : Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_stopping.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _stopping, new CancellationTokenSource()).Dispose();
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        var running = _running.Values.Select(r => r.Completion).OfType<Task>().ToArray();
        await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task ExecuteAsync(string id, string kind, string storeHandle, Running run)
    {
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(id, run, stopHeartbeat.Token);
        SyncJobStatus status;
        object state;
        string? error = null;
        try
        {
            state = await run.Job.RunAsync(run.Cancel.Token);
            status = SyncJobStatus.Succeeded;
        }
        catch (OperationCanceledException) when (run.Cancel.IsCancellationRequested)
        {
            status = run.CanceledByRequest ? SyncJobStatus.Canceled : SyncJobStatus.Interrupted;
            state = run.Job.Snapshot();
            error = run.CanceledByRequest ? "Canceled." : "The site stopped before the job finished; start it again (it is safe to repeat).";
        }
#pragma warning disable CA1031 // A job's failure is its outcome: stored, logged and shown, never thrown at the host.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            status = SyncJobStatus.Failed;
            state = run.Job.Snapshot();
            error = ProtectedCustomerData.IsRefusal(ex)
                ? ProtectedCustomerData.Explain(storeHandle, (ex as ShopifyApiException ?? ex.GetBaseException() as ShopifyApiException)?.ShopifyMessage ?? ex.Message)
                : $"{ex.GetType().Name}: {ex.Message}";
            Log.Failed(logger, ex, kind, storeHandle, id);
        }

        await stopHeartbeat.CancelAsync();
        await heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            var now = UnixTime.From(time.GetUtcNow());
            var json = JsonSerializer.Serialize(state, Json);
            await using var unit = await database.OpenToWriteAsync(CancellationToken.None);
            var db = unit.Db;
            await db.Jobs.Where(j => j.Id == id).ExecuteUpdateAsync(
                set => set
                    .SetProperty(j => j.Status, status)
                    .SetProperty(j => j.State, json)
                    .SetProperty(j => j.Error, error)
                    .SetProperty(j => j.HeartbeatAt, now)
                    .SetProperty(j => j.FinishedAt, now),
                CancellationToken.None);
            Log.Finished(logger, kind, storeHandle, id, status);
        }
#pragma warning disable CA1031 // The row then reads as interrupted once its heartbeat is stale.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.NotStored(logger, ex, id);
        }
        finally
        {
            _running.TryRemove(id, out _);
            run.Cancel.Dispose();
        }
    }

    private async Task HeartbeatAsync(string id, Running run, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(HeartbeatInterval, time, cancellationToken);
                var now = UnixTime.From(time.GetUtcNow());
                var json = JsonSerializer.Serialize(run.Job.Snapshot(), Json);
                await using (var unit = await database.OpenToWriteAsync(cancellationToken))
                {
                    await unit.Db.Jobs.Where(j => j.Id == id && j.Status == SyncJobStatus.Running).ExecuteUpdateAsync(
                        set => set.SetProperty(j => j.HeartbeatAt, now).SetProperty(j => j.State, json),
                        cancellationToken);
                }

                bool cancelRequested;
                await using (var db = await database.OpenAsync(cancellationToken))
                {
                    cancelRequested = await db.Jobs.Where(j => j.Id == id).Select(j => j.CancelRequested).FirstOrDefaultAsync(cancellationToken);
                }

                if (cancelRequested && !run.Cancel.IsCancellationRequested)
                {
                    // Asked on another node.
                    run.CanceledByRequest = true;
                    await run.Cancel.CancelAsync();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A missed heartbeat is retried on the next tick.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.HeartbeatFailed(logger, ex, id);
            }
        }
    }

    /// <summary>
    /// Stores the store's running jobs whose heartbeat is stale as interrupted, except those running on this node: their
    /// heartbeat could not be stored (the database was busy or unreachable), but they still run, and a second job of the
    /// store must not start beside them. Another node, which cannot tell, takes them as interrupted.
    /// </summary>
    private async Task MarkStaleAsync(string storeHandle, CancellationToken cancellationToken)
    {
        var now = UnixTime.From(time.GetUtcNow());
        var staleBefore = now - (long)StaleAfter.TotalMilliseconds;
        var runningHere = _running.Keys.ToList();
        await using var unit = await database.OpenToWriteAsync(cancellationToken);
        var db = unit.Db;
        await db.Jobs
            .Where(j => j.StoreHandle == storeHandle && j.Status == SyncJobStatus.Running && j.HeartbeatAt < staleBefore && !runningHere.Contains(j.Id))
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(j => j.Status, SyncJobStatus.Interrupted)
                    .SetProperty(j => j.FinishedAt, now)
                    .SetProperty(j => j.Error, "The node running this job stopped answering; start it again (it is safe to repeat)."),
                cancellationToken);
    }

    private async Task<SyncJobInfo> ToInfoAsync(SyncJobRow row, CancellationToken cancellationToken)
    {
        object? live = null;
        if (row.Status == SyncJobStatus.Running)
        {
            if (_running.TryGetValue(row.Id, out var run))
            {
                live = run.Job.Snapshot();
            }
            else if (row.HeartbeatAt < UnixTime.From(time.GetUtcNow()) - (long)StaleAfter.TotalMilliseconds)
            {
                await MarkStaleAsync(row.StoreHandle, cancellationToken);
                row.Status = SyncJobStatus.Interrupted;
                row.Error = "The node running this job stopped answering; start it again (it is safe to repeat).";
            }
        }

        return new SyncJobInfo(
            row.Id,
            row.Kind,
            row.StoreHandle,
            row.Status,
            UnixTime.To(row.StartedAt),
            UnixTime.To(row.HeartbeatAt),
            UnixTime.To(row.FinishedAt),
            row.CancelRequested,
            row.Parameters,
            row.State,
            live,
            row.Error);
    }

    private sealed class Running(ISyncJob job, CancellationTokenSource cancel)
    {
        public ISyncJob Job { get; } = job;

        public CancellationTokenSource Cancel { get; } = cancel;

        public volatile bool CanceledByRequest;

        public Task? Completion { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Shopify {Kind} job {JobId} started for store {Store}")]
        public static partial void Started(ILogger logger, string kind, string store, string jobId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Shopify {Kind} job {JobId} for store {Store} finished: {Status}")]
        public static partial void Finished(ILogger logger, string kind, string store, string jobId, SyncJobStatus status);

        [LoggerMessage(Level = LogLevel.Error, Message = "Shopify {Kind} job {JobId} for store {Store} failed")]
        public static partial void Failed(ILogger logger, Exception exception, string kind, string store, string jobId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify job {JobId}: the progress could not be stored")]
        public static partial void HeartbeatFailed(ILogger logger, Exception exception, string jobId);

        [LoggerMessage(Level = LogLevel.Error, Message = "Shopify job {JobId}: the outcome could not be stored")]
        public static partial void NotStored(ILogger logger, Exception exception, string jobId);
    }
}
