using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.AspNetCore.Reconciliation;

/// <summary>
/// The scheduled reconciliation: for each store that is due, claims it (one node per run, across nodes sharing the
/// database) and runs the admin's reconciliation job, which stores its report as a Compare started from the admin does.
/// It fixes nothing. Each run writes a <see cref="RunTopic"/> entry to the sync log with the counts and the drift.
/// A store busy with another job (an import, a reconciliation started by hand) is tried again a few minutes later.
/// </summary>
public sealed partial class ReconciliationScheduler
{
    private readonly StoreRegistry _stores;
    private readonly SyncDatabase _database;
    private readonly ReconciliationService _reconciliation;
    private readonly IOptionsMonitor<ShopifyHostOptions> _hostOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<ReconciliationScheduler> _logger;

    internal ReconciliationScheduler(
        StoreRegistry stores,
        SyncDatabase database,
        ReconciliationService reconciliation,
        IOptionsMonitor<ShopifyHostOptions> hostOptions,
        TimeProvider time,
        ILogger<ReconciliationScheduler> logger)
    {
        _stores = stores;
        _database = database;
        _reconciliation = reconciliation;
        _hostOptions = hostOptions;
        _time = time;
        _logger = logger;
    }

    /// <summary>Sync log topic of a scheduled run's entry (outcome, counts and drift).</summary>
    public const string RunTopic = "reconcile/run";

    /// <summary>How long a store busy with another job waits before the scheduled run is tried again (at most the interval).</summary>
    internal static readonly TimeSpan RetryWhenBusy = TimeSpan.FromMinutes(5);

    internal string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>
    /// Runs every store that is due and that this node claims, one after another, each until its report is stored;
    /// returns how many started. A node whose workers are off leaves the schedule to the others.
    /// </summary>
    internal async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        var options = _hostOptions.CurrentValue;
        if (!options.ScheduledReconciliation.Enabled || !_stores.Options.Enabled || !options.Queue.WorkersEnabled)
        {
            return 0;
        }

        var runs = 0;
        foreach (var store in _stores.Stores.Where(s => s.CanCallAdminApi))
        {
            if (await TryClaimAsync(store.Handle, options.ScheduledReconciliation.Interval, cancellationToken) is { } claimedAt
                && await RunAsync(store, claimedAt, options.ScheduledReconciliation.Interval, cancellationToken))
            {
                runs++;
            }
        }

        return runs;
    }

    /// <summary>Each configured store's schedule and what its last completed reconciliation found.</summary>
    public async Task<ReconciliationScheduleOverview> GetOverviewAsync(CancellationToken cancellationToken)
    {
        var options = _hostOptions.CurrentValue;
        var schedule = options.ScheduledReconciliation;
        var handles = _stores.Stores.Select(s => s.Handle).ToList();
        List<ReconciliationScheduleRow> rows;
        IReadOnlyList<ReconciliationDriftStatus> drifts;
        await using (var db = await _database.OpenAsync(cancellationToken))
        {
            rows = await db.ReconciliationSchedule.AsNoTracking().Where(r => handles.Contains(r.StoreHandle)).ToListAsync(cancellationToken);
            drifts = await ReconciliationDrift.LatestAsync(db, handles, _stores.Options, options, cancellationToken);
        }

        var now = UnixTime.From(_time.GetUtcNow());
        var enabled = schedule.Enabled && _stores.Options.Enabled;
        var list = _stores.Stores.Select(store =>
        {
            var row = rows.FirstOrDefault(r => r.StoreHandle == store.Handle);
            var runs = enabled && store.CanCallAdminApi;
            return new ReconciliationScheduleStatus(
                store.Handle,
                runs,
                runs ? null : !enabled ? "Scheduled reconciliation or the sync is turned off." : "The store has no access token.",
                runs ? UnixTime.To(Math.Min(row?.NextRunAt ?? now + (long)schedule.Interval.TotalMilliseconds, now + (long)schedule.Interval.TotalMilliseconds)) : null,
                UnixTime.To(row?.LastClaimedAt),
                row?.LastJobId,
                row?.LastSkipReason,
                drifts.FirstOrDefault(d => d.Store == store.Handle));
        }).ToList();
        return new ReconciliationScheduleOverview(schedule.Enabled, schedule.Interval, options.HealthMaxReconciliationDrift, options.HealthMaxReconciliationDriftShare, list);
    }

    private async Task<long?> TryClaimAsync(string handle, TimeSpan interval, CancellationToken cancellationToken)
    {
        var now = UnixTime.From(_time.GetUtcNow());
        var every = (long)interval.TotalMilliseconds;
        await using var unit = await _database.OpenToWriteAsync(cancellationToken);
        var db = unit.Db;
        if (!await db.ReconciliationSchedule.AnyAsync(r => r.StoreHandle == handle, cancellationToken))
        {
            // The first run is one interval after the store's last reconciliation, or after now.
            var last = await db.Jobs.AsNoTracking()
                .Where(j => j.StoreHandle == handle && j.Kind == ReconciliationJob.Kind)
                .OrderByDescending(j => j.StartedAt)
                .Select(j => (long?)j.StartedAt)
                .FirstOrDefaultAsync(cancellationToken);
            // Nodes starting together may both add it: the first one's row stays (no failed insert to log).
            var next = (last ?? now) + every;
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO shopify_reconcile_schedule (store, next_run_at) VALUES ({handle}, {next}) ON CONFLICT (store) DO NOTHING",
                cancellationToken);
        }

        // A shortened interval takes effect at once: no run is further away than one interval.
        await db.ReconciliationSchedule
            .Where(r => r.StoreHandle == handle && r.NextRunAt > now + every)
            .ExecuteUpdateAsync(set => set.SetProperty(r => r.NextRunAt, now + every), cancellationToken);

        // Due, in one statement that moves the next run on: of nodes polling together, one updates the row. The previous
        // run's job id goes with it: until this run's job has started, the status names no job rather than the last one
        // beside this run's time.
        var claimed = await db.ReconciliationSchedule
            .Where(r => r.StoreHandle == handle && r.NextRunAt <= now)
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(r => r.NextRunAt, now + every)
                    .SetProperty(r => r.ClaimedBy, Owner)
                    .SetProperty(r => r.LastClaimedAt, now)
                    .SetProperty(r => r.LastJobId, (string?)null),
                cancellationToken);
        return claimed == 0 ? null : now;
    }

    private async Task<bool> RunAsync(ShopifyStore store, long claimedAt, TimeSpan interval, CancellationToken cancellationToken)
    {
        ReconciliationStatus started;
        try
        {
            started = await _reconciliation.StartScheduledAsync(store, cancellationToken);
        }
        catch (AdminConflictException busy)
        {
            var retry = interval < RetryWhenBusy ? interval : RetryWhenBusy;
            await using var unit = await _database.OpenToWriteAsync(CancellationToken.None);
            var db = unit.Db;
            await db.ReconciliationSchedule.Where(r => r.StoreHandle == store.Handle).ExecuteUpdateAsync(
                set => set
                    .SetProperty(r => r.NextRunAt, claimedAt + (long)retry.TotalMilliseconds)
                    .SetProperty(r => r.LastJobId, (string?)null)
                    .SetProperty(r => r.LastSkipReason, busy.Message),
                CancellationToken.None);
            await WriteLogAsync(db, store.Handle, "postponed", $"Scheduled reconciliation postponed by {retry.TotalMinutes:0.#} min: {busy.Message}");
            Log.Postponed(_logger, store.Handle, busy.Message);
            return false;
        }

        await using (var unit = await _database.OpenToWriteAsync(CancellationToken.None))
        {
            var db = unit.Db;
            await db.ReconciliationSchedule.Where(r => r.StoreHandle == store.Handle).ExecuteUpdateAsync(
                set => set.SetProperty(r => r.LastJobId, started.Id).SetProperty(r => r.LastSkipReason, (string?)null),
                CancellationToken.None);
        }

        // On shutdown the job host stops the job (stored as interrupted); this run then writes no entry.
        await _reconciliation.WaitAsync(started.Id).WaitAsync(cancellationToken);
        var finished = await _reconciliation.GetAsync(started.Id, CancellationToken.None) ?? started;
        var counts = finished.Report.Counts;
        var mismatches = ReconciliationDrift.Count(counts, _stores.Options);
        var outcome = finished.Status.ToString().ToLowerInvariant();
        var detail = string.Create(
            CultureInfo.InvariantCulture,
            $"Scheduled reconciliation {finished.Id}: {counts.ShopifyCustomers} Shopify customers, {counts.LinkedCustomers} linked; drift {mismatches} ({ReconciliationDrift.Describe(counts, _stores.Options)}).");
        if (!_stores.Options.CreateUsersFromShopify)
        {
            detail += string.Create(CultureInfo.InvariantCulture, $" Not drift: {counts.CustomersWithoutUser} customers without a user.");
        }

        if (counts.UnlinkedUsers is { } unlinked)
        {
            detail += string.Create(CultureInfo.InvariantCulture, $" Not drift: {unlinked} users without a customer.");
        }
        if (finished.Error is { } error)
        {
            detail += " " + error;
        }

        await using (var unit = await _database.OpenToWriteAsync(CancellationToken.None))
        {
            var db = unit.Db;
            await WriteLogAsync(db, store.Handle, outcome, detail);
        }

        if (finished.Status == SyncJobStatus.Succeeded)
        {
            Log.RunSucceeded(_logger, store.Handle, finished.Id, counts.ShopifyCustomers, mismatches);
        }
        else
        {
            Log.RunFailed(_logger, store.Handle, finished.Id, finished.Status, finished.Error);
        }

        return true;
    }

    private async Task WriteLogAsync(ShopifySyncDbContext db, string store, string outcome, string detail)
    {
        db.SyncLog.Add(new SyncLogRow
        {
            At = UnixTime.From(_time.GetUtcNow()),
            Direction = "inbound",
            StoreHandle = store,
            Topic = RunTopic,
            Outcome = outcome,
            Detail = detail.Length > 2000 ? detail[..2000] : detail,
        });
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled Shopify reconciliation of store {Store} ({JobId}): {Customers} customers compared, drift {Mismatches}")]
        public static partial void RunSucceeded(ILogger logger, string store, string jobId, long customers, long mismatches);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled Shopify reconciliation of store {Store} ({JobId}) ended {Status}: {Error}")]
        public static partial void RunFailed(ILogger logger, string store, string jobId, SyncJobStatus status, string? error);

        [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled Shopify reconciliation of store {Store} postponed: {Reason}")]
        public static partial void Postponed(ILogger logger, string store, string reason);
    }
}

/// <summary>One store's scheduled reconciliation as the admin JSON shows it.</summary>
/// <param name="Scheduled">Whether this store is compared on schedule; <paramref name="NotScheduledReason"/> says why not.</param>
/// <param name="LastScheduledAt">When the last scheduled run was due and claimed.</param>
/// <param name="LastScheduledJobId">The reconciliation job it started (its report: <c>GET …/reconcile/{id}</c>).</param>
/// <param name="LastSkipReason">Why the last scheduled run was postponed (another job of the store was running).</param>
/// <param name="LastCompleted">What the store's newest finished reconciliation, scheduled or started by hand, found.</param>
public sealed record ReconciliationScheduleStatus(
    string Store,
    bool Scheduled,
    string? NotScheduledReason,
    DateTimeOffset? NextRunAt,
    DateTimeOffset? LastScheduledAt,
    string? LastScheduledJobId,
    string? LastSkipReason,
    ReconciliationDriftStatus? LastCompleted);

/// <summary>The scheduled reconciliation's settings, the drift thresholds and each store's schedule.</summary>
public sealed record ReconciliationScheduleOverview(
    bool Enabled,
    TimeSpan Interval,
    int? MaxDrift,
    double? MaxDriftShare,
    IReadOnlyList<ReconciliationScheduleStatus> Stores);
