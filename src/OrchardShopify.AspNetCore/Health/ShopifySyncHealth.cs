using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.CatchUp;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Reconciliation;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.AspNetCore.Health;

/// <summary>One thing the sync health check found wrong.</summary>
/// <param name="Kind">
/// <c>inbox_behind</c>, <c>dead_letters</c>, <c>catch_up_failed</c>, <c>reconciliation_drift</c>, <c>webhooks_missing</c>,
/// <c>webhooks_elsewhere</c> or <c>webhooks_register_failed</c>.
/// </param>
/// <param name="Store">The store it concerns; null for the inbox.</param>
/// <param name="Message">What is wrong, in a sentence an administrator can act on.</param>
public sealed record ShopifySyncProblem(string Kind, string? Store, string Message);

/// <summary>What the sync health check found: the problems (none: healthy) and the data the health check reports.</summary>
public sealed record ShopifySyncHealthReport(IReadOnlyList<ShopifySyncProblem> Problems, IReadOnlyDictionary<string, object> Data);

/// <summary>
/// What the <c>shopify-sync</c> health check and the admin banner read: the inbox backlog and dead letters, each store's last
/// scheduled catch-up, the drift its last completed reconciliation found, and each store's customer webhook subscriptions
/// (<see cref="WebhookSubscriptionMonitor"/>, cached).
/// Logs a warning when the set of problems changes to a non-empty one, once per change.
/// </summary>
public sealed partial class ShopifySyncHealth
{
    private readonly SyncDatabase _database;
    private readonly StoreRegistry _stores;
    private readonly WebhookSubscriptionMonitor _webhooks;
    private readonly IOptionsMonitor<ShopifyHostOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ShopifySyncHealth> _logger;
    private readonly Lock _lock = new();
    private string _lastProblems = string.Empty;

    internal ShopifySyncHealth(
        SyncDatabase database,
        StoreRegistry stores,
        WebhookSubscriptionMonitor webhooks,
        IOptionsMonitor<ShopifyHostOptions> options,
        TimeProvider time,
        ILogger<ShopifySyncHealth> logger)
    {
        _database = database;
        _stores = stores;
        _webhooks = webhooks;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Reads the sync database (throws when it cannot) and the cached webhook subscriptions.</summary>
    public async Task<ShopifySyncHealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        var data = new Dictionary<string, object>();
        var problems = new List<ShopifySyncProblem>();
        await using (var db = await _database.OpenAsync(cancellationToken))
        {
            var waiting = db.WorkItems.Where(w => w.Status == WorkStatus.Pending || w.Status == WorkStatus.Processing);
            var backlog = await waiting.CountAsync(w => w.Kind == WorkKind.InboundDelivery, cancellationToken);
            var outbound = await waiting.CountAsync(w => w.Kind == WorkKind.OutboundPush, cancellationToken);
            var oldest = await waiting.Where(w => w.Kind == WorkKind.InboundDelivery).MinAsync(w => (long?)w.ReceivedAt, cancellationToken);
            var deadLetters = await db.WorkItems.CountAsync(w => w.Status == WorkStatus.DeadLetter, cancellationToken);
            var lastDeliveries = await db.WorkItems
                .Where(w => w.Kind == WorkKind.InboundDelivery)
                .GroupBy(w => new { w.StoreHandle, w.Topic })
                .Select(g => new { g.Key.StoreHandle, g.Key.Topic, Last = g.Max(w => w.ReceivedAt) })
                .ToListAsync(cancellationToken);
            var handles = _stores.Stores.Select(s => s.Handle).ToList();
            var catchUps = _options.CurrentValue.CatchUp.Enabled
                ? await db.CatchUp.AsNoTracking().Where(r => handles.Contains(r.StoreHandle) && r.LastOutcome != null).ToListAsync(cancellationToken)
                : [];

            var oldestAge = oldest is null ? TimeSpan.Zero : _time.GetUtcNow() - UnixTime.To(oldest.Value);
            data["inbox_backlog"] = backlog;
            data["inbox_oldest_age_seconds"] = Math.Round(oldestAge.TotalSeconds);
            data["outbound_backlog"] = outbound;
            data["dead_letters"] = deadLetters;
            foreach (var last in lastDeliveries)
            {
                data[$"last_delivery:{last.StoreHandle}:{last.Topic}"] = Iso(UnixTime.To(last.Last));
            }

            if (oldestAge > _options.CurrentValue.HealthMaxInboxAge)
            {
                problems.Add(new("inbox_behind", null, $"the oldest waiting delivery is {oldestAge.TotalSeconds:0} s old"));
            }

            if (deadLetters > 0)
            {
                problems.Add(new("dead_letters", null, $"{deadLetters} dead letters wait for a replay"));
            }

            foreach (var run in catchUps.OrderBy(r => r.StoreHandle, StringComparer.Ordinal))
            {
                data[$"catch_up:{run.StoreHandle}"] = run.LastOutcome!;
                if (run.LastOutcome == "failed")
                {
                    var at = run.LastFinishedAt is { } finished ? " at " + Iso(UnixTime.To(finished)) : string.Empty;
                    var why = run.LastError is { Length: > 0 } error ? ": " + error : string.Empty;
                    problems.Add(new("catch_up_failed", run.StoreHandle, $"the last catch-up of store {run.StoreHandle} failed{at}{why}"));
                }
            }

            foreach (var drift in await ReconciliationDrift.LatestAsync(db, handles, _stores.Options, _options.CurrentValue, cancellationToken))
            {
                data[$"reconciliation_drift:{drift.Store}"] = drift.Mismatches;
                if (drift.Limit is { } limit)
                {
                    problems.Add(new(
                        "reconciliation_drift",
                        drift.Store,
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"the last reconciliation of store {drift.Store} at {Iso(drift.FinishedAt)} found {drift.Mismatches} mismatches in {drift.ShopifyCustomers} Shopify customers ({ReconciliationDrift.Describe(drift.Counts, _stores.Options)}), {limit}")));
                }
            }
        }

        foreach (var status in await _webhooks.GetAsync(cancellationToken))
        {
            data[$"webhooks_checked_at:{status.Store}"] = Iso(status.CheckedAt);
            if (status.Error is not null)
            {
                data[$"webhooks:{status.Store}"] = "not checked: " + status.Error;
                continue;
            }

            data[$"webhooks:{status.Store}"] = status.Missing.Count == 0 ? "ok" : "missing " + string.Join(", ", status.Missing);
            if (status.Registered.Count > 0)
            {
                data[$"webhooks_registered:{status.Store}"] = string.Join(", ", status.Registered) + " at " + Iso(status.CheckedAt);
            }

            if (status.RegistrationError is { } registrationError)
            {
                problems.Add(new(
                    "webhooks_register_failed",
                    status.Store,
                    $"registering the missing webhook subscriptions of store {status.Store} again failed: {registrationError}"));
            }

            if (status.Missing.Count > 0)
            {
                problems.Add(new(
                    "webhooks_missing",
                    status.Store,
                    $"store {status.Store} has no webhook subscription of {string.Join(", ", status.Missing)} to {string.Join(" or ", _webhooks.CallbackUrls)}"));
            }

            if (status.Elsewhere.Count > 0)
            {
                data[$"webhooks_elsewhere:{status.Store}"] = string.Join(" ", status.Elsewhere);
                problems.Add(new(
                    "webhooks_elsewhere",
                    status.Store,
                    $"store {status.Store} sends customer webhooks to {string.Join(", ", status.Elsewhere)}, which is not this site"));
            }
        }

        var summary = string.Join("; ", problems.Select(p => p.Message));
        bool changed;
        lock (_lock)
        {
            changed = !string.Equals(summary, _lastProblems, StringComparison.Ordinal);
            _lastProblems = summary;
        }

        if (changed && problems.Count > 0)
        {
            Log.Degraded(_logger, summary);
        }

        return new ShopifySyncHealthReport(problems, data);
    }

    private static string Iso(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify sync health is degraded: {Problems}")]
        public static partial void Degraded(ILogger logger, string problems);
    }
}
