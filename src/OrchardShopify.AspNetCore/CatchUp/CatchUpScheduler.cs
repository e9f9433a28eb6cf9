using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Backfill;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.CatchUp;

/// <summary>
/// The scheduled catch-up: for each store that is due, claims it (one node per run, across nodes sharing the database),
/// reads the customers Shopify updated since the watermark (the import's paged <c>updated_at:&gt;'…'</c> query, within the
/// Admin API throttle) and applies each with the inbound rules of webhooks and imports. A successful run moves the
/// watermark to its own start minus the overlap; a failed run keeps it, so the next run reads the same window again.
/// Each run writes a <see cref="RunTopic"/> entry with its counts to the sync log.
/// </summary>
internal sealed partial class CatchUpScheduler(
    StoreRegistry stores,
    SyncDatabase database,
    IServiceProvider services,
    IOptionsMonitor<ShopifyHostOptions> hostOptions,
    IOptionsMonitor<ShopifyBackfillOptions> backfillOptions,
    TimeProvider time,
    ILogger<CatchUpScheduler> logger)
{
    /// <summary>Sync log topic of a run's entry (outcome and counts).</summary>
    public const string RunTopic = "catchup/run";

    /// <summary>Sync log topic of the changes a run made to users.</summary>
    public const string CustomerTopic = "catchup/customers";

    /// <summary>How long a claim holds without renewal; the running node renews it, a node that died loses it after this.</summary>
    internal static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>
    /// Runs every store that is due and that this node claims; returns how many ran. A node whose workers are off
    /// (<c>Queue:WorkersEnabled</c>: it only receives webhooks) leaves the catch-up to the others.
    /// </summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        var options = hostOptions.CurrentValue.CatchUp;
        var sync = stores.Options;
        if (!options.Enabled || !sync.Enabled || !sync.InboundEnabled || !hostOptions.CurrentValue.Queue.WorkersEnabled)
        {
            return 0;
        }

        var runs = 0;
        foreach (var store in stores.Stores.Where(s => s.CanCallAdminApi))
        {
            if (await TryClaimAsync(store.Handle, options, cancellationToken) is { } claim)
            {
                await RunAsync(store, claim, options, cancellationToken);
                runs++;
            }
        }

        return runs;
    }

    /// <summary>Each configured store's catch-up: the last run, the watermark and when the next run is due.</summary>
    public async Task<CatchUpOverview> GetOverviewAsync(CancellationToken cancellationToken)
    {
        var options = hostOptions.CurrentValue.CatchUp;
        var sync = stores.Options;
        var handles = stores.Stores.Select(s => s.Handle).ToList();
        List<CatchUpRow> rows;
        await using (var db = await database.OpenAsync(cancellationToken))
        {
            rows = await db.CatchUp.AsNoTracking().Where(r => handles.Contains(r.StoreHandle)).ToListAsync(cancellationToken);
        }

        var now = UnixTime.From(time.GetUtcNow());
        var enabled = options.Enabled && sync.Enabled && sync.InboundEnabled;
        var list = stores.Stores.Select(store =>
        {
            var row = rows.FirstOrDefault(r => r.StoreHandle == store.Handle);
            var runs = enabled && store.CanCallAdminApi;
            return new CatchUpStoreStatus(
                store.Handle,
                runs,
                runs ? null : !enabled ? "Catch-up or inbound sync is turned off." : "The store has no access token.",
                row is null ? null : UnixTime.To(row.Watermark),
                runs ? UnixTime.To(row?.NextRunAt ?? now) : null,
                row is { LeaseExpiresAt: { } expires } && expires > now,
                row?.LastOutcome is null ? null : new CatchUpRunStatus(
                    UnixTime.To(row.LastStartedAt ?? 0),
                    UnixTime.To(row.LastFinishedAt),
                    row.LastOutcome,
                    new CatchUpCounts(row.LastFetched, row.LastApplied, row.LastUnchanged, row.LastSkipped, row.LastFailed),
                    row.LastError));
        }).ToList();
        return new CatchUpOverview(options.Enabled, options.Interval, list);
    }

    private async Task<Claim?> TryClaimAsync(string handle, ShopifyCatchUpOptions options, CancellationToken cancellationToken)
    {
        var now = UnixTime.From(time.GetUtcNow());
        var overlap = (long)options.Overlap.TotalMilliseconds;
        await using var unit = await database.OpenToWriteAsync(cancellationToken);
        var db = unit.Db;
        if (!await db.CatchUp.AnyAsync(r => r.StoreHandle == handle, cancellationToken))
        {
            // The first run is one interval from now and reads from the start of the last successful import, or else
            // from now: customers changed before catch-up was turned on are brought in by an import.
            var imported = await db.Jobs.AsNoTracking()
                .Where(j => j.StoreHandle == handle && j.Kind == CustomerImportJob.Kind && j.Status == SyncJobStatus.Succeeded)
                .OrderByDescending(j => j.StartedAt)
                .Select(j => (long?)j.StartedAt)
                .FirstOrDefaultAsync(cancellationToken);
            // Nodes starting together may both add it: the first one's row stays (no failed insert to log).
            var start = (imported ?? now) - overlap;
            var next = now + (long)options.Interval.TotalMilliseconds;
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO shopify_catch_up (store, watermark, next_run_at, last_fetched, last_applied, last_unchanged, last_skipped, last_failed)
                VALUES ({handle}, {start}, {next}, 0, 0, 0, 0, 0) ON CONFLICT (store) DO NOTHING
                """,
                cancellationToken);
        }

        // Due and not held by a live claim, in one statement: of nodes polling together, one updates the row.
        var claimed = await db.CatchUp
            .Where(r => r.StoreHandle == handle && r.NextRunAt <= now && (r.LeaseExpiresAt == null || r.LeaseExpiresAt < now))
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(r => r.NextRunAt, now + (long)options.Interval.TotalMilliseconds)
                    .SetProperty(r => r.LeaseOwner, Owner)
                    .SetProperty(r => r.LeaseExpiresAt, now + (long)Lease.TotalMilliseconds),
                cancellationToken);
        if (claimed == 0)
        {
            return null;
        }

        var watermark = await db.CatchUp.Where(r => r.StoreHandle == handle).Select(r => r.Watermark).FirstAsync(cancellationToken);
        return new Claim(now, watermark);
    }

    private async Task RunAsync(ShopifyStore store, Claim claim, ShopifyCatchUpOptions options, CancellationToken cancellationToken)
    {
        var since = UnixTime.To(claim.Watermark);
        var job = CustomerImportJob.Create(services, store, CustomerImportMode.Changed, since, backfillOptions.CurrentValue, CustomerTopic);

        using var renewal = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewing = RenewAsync(store.Handle, renewal.Token);
        CustomerImportSummary summary;
        string? error = null;
        try
        {
            summary = (CustomerImportSummary)await job.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the claim is released and the window is read again by the next run, here or on another node.
            await renewal.CancelAsync();
            await renewing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await ReleaseAsync(store.Handle, claim);
            throw;
        }
#pragma warning disable CA1031 // A failed run is its outcome: logged, stored and shown; the next run reads the same window.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            summary = (CustomerImportSummary)job.Snapshot();
            error = ProtectedCustomerData.IsRefusal(ex)
                ? ProtectedCustomerData.Explain(store.Handle, (ex as ShopifyApiException ?? ex.GetBaseException() as ShopifyApiException)?.ShopifyMessage ?? ex.Message)
                : $"{ex.GetType().Name}: {ex.Message}";
            Log.RunFailed(logger, ex, store.Handle, since);
        }

        await renewal.CancelAsync();
        await renewing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        var succeeded = error is null;
        var counts = new CatchUpCounts(summary.Processed, summary.Created + summary.Linked + summary.Updated, summary.Unchanged, summary.Skipped, summary.Failed);
        var finished = UnixTime.From(time.GetUtcNow());
        var watermark = succeeded ? Math.Max(claim.Watermark, claim.StartedAt - (long)options.Overlap.TotalMilliseconds) : claim.Watermark;
        var outcome = succeeded ? "succeeded" : "failed";
        var detail = string.Create(
            CultureInfo.InvariantCulture,
            $"Customers updated since {since.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}: fetched {counts.Fetched}, applied {counts.Applied}, unchanged {counts.Unchanged}, skipped {counts.Skipped}, failed {counts.Failed}; took {finished - claim.StartedAt} ms.");
        if (error is not null)
        {
            detail += " " + error;
        }

        await using var unit = await database.OpenToWriteAsync(CancellationToken.None);
        var db = unit.Db;
        await db.CatchUp.Where(r => r.StoreHandle == store.Handle).ExecuteUpdateAsync(
            set => set
                .SetProperty(r => r.Watermark, watermark)
                .SetProperty(r => r.LastStartedAt, claim.StartedAt)
                .SetProperty(r => r.LastFinishedAt, finished)
                .SetProperty(r => r.LastOutcome, outcome)
                .SetProperty(r => r.LastFetched, counts.Fetched)
                .SetProperty(r => r.LastApplied, counts.Applied)
                .SetProperty(r => r.LastUnchanged, counts.Unchanged)
                .SetProperty(r => r.LastSkipped, counts.Skipped)
                .SetProperty(r => r.LastFailed, counts.Failed)
                .SetProperty(r => r.LastError, error)
                .SetProperty(r => r.LeaseOwner, (string?)null)
                .SetProperty(r => r.LeaseExpiresAt, (long?)null),
            CancellationToken.None);
        // The entry is dated when the run started: runs are scheduled by their starts, an interval apart, while their
        // durations vary (the detail says how long it took).
        db.SyncLog.Add(new SyncLogRow
        {
            At = claim.StartedAt,
            Direction = "inbound",
            StoreHandle = store.Handle,
            Topic = RunTopic,
            Outcome = outcome,
            Detail = detail.Length > 2000 ? detail[..2000] : detail,
        });
        await db.SaveChangesAsync(CancellationToken.None);
        if (succeeded)
        {
            Log.RunSucceeded(logger, store.Handle, counts.Fetched, counts.Applied, counts.Unchanged, counts.Skipped, counts.Failed);
        }
    }

    private async Task RenewAsync(string handle, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(Lease / 4, time, cancellationToken);
            try
            {
                var expires = UnixTime.From(time.GetUtcNow() + Lease);
                await using var unit = await database.OpenToWriteAsync(cancellationToken);
                var db = unit.Db;
                await db.CatchUp.Where(r => r.StoreHandle == handle && r.LeaseOwner == Owner)
                    .ExecuteUpdateAsync(set => set.SetProperty(r => r.LeaseExpiresAt, expires), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Retried on the next tick; the claim holds until it expires.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.RenewFailed(logger, ex, handle);
            }
        }
    }

    private async Task ReleaseAsync(string handle, Claim claim)
    {
        try
        {
            await using var unit = await database.OpenToWriteAsync(CancellationToken.None);
            var db = unit.Db;
            await db.CatchUp.Where(r => r.StoreHandle == handle && r.LeaseOwner == Owner).ExecuteUpdateAsync(
                set => set
                    .SetProperty(r => r.NextRunAt, claim.StartedAt)
                    .SetProperty(r => r.LeaseOwner, (string?)null)
                    .SetProperty(r => r.LeaseExpiresAt, (long?)null),
                CancellationToken.None);
        }
#pragma warning disable CA1031 // The claim then expires after the lease.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.RenewFailed(logger, ex, handle);
        }
    }

    private readonly record struct Claim(long StartedAt, long Watermark);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Shopify catch-up of store {Store}: fetched {Fetched}, applied {Applied}, unchanged {Unchanged}, skipped {Skipped}, failed {Failed}")]
        public static partial void RunSucceeded(ILogger logger, string store, long fetched, long applied, long unchanged, long skipped, long failed);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify catch-up of store {Store} failed; the next run reads the customers updated since {Since} again")]
        public static partial void RunFailed(ILogger logger, Exception exception, string store, DateTimeOffset since);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify catch-up of store {Store}: the claim could not be renewed or released")]
        public static partial void RenewFailed(ILogger logger, Exception exception, string store);
    }
}

/// <summary>Counts of a catch-up run: customers read from Shopify and what applying each did.</summary>
/// <param name="Applied">Users created, linked or updated.</param>
/// <param name="Unchanged">The user already had this state (or newer).</param>
/// <param name="Skipped">Not applied by the inbound rules (no email, user creation off…), as in an import.</param>
public sealed record CatchUpCounts(long Fetched, long Applied, long Unchanged, long Skipped, long Failed);

/// <summary>A finished catch-up run.</summary>
/// <param name="Outcome"><c>succeeded</c> or <c>failed</c> (the watermark was kept; the next run reads the same window).</param>
public sealed record CatchUpRunStatus(DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string Outcome, CatchUpCounts Counts, string? Error);

/// <summary>One store's catch-up as the admin JSON shows it.</summary>
/// <param name="Scheduled">Whether this store is caught up on schedule; <paramref name="NotScheduledReason"/> says why not.</param>
/// <param name="Watermark">The next run reads customers updated after this.</param>
/// <param name="Running">A node holds the store's claim now.</param>
public sealed record CatchUpStoreStatus(
    string Store,
    bool Scheduled,
    string? NotScheduledReason,
    DateTimeOffset? Watermark,
    DateTimeOffset? NextRunAt,
    bool Running,
    CatchUpRunStatus? LastRun);

/// <summary>The catch-up settings and each store's catch-up.</summary>
public sealed record CatchUpOverview(bool Enabled, TimeSpan Interval, IReadOnlyList<CatchUpStoreStatus> Stores);
