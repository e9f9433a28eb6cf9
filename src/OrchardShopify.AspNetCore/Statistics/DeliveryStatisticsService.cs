using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Backfill;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Reconciliation;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.AspNetCore.Statistics;

/// <summary>One hour of one store: webhook deliveries applied and failed attempts, pushes sent and failed attempts.</summary>
/// <param name="Hour">Start of the hour, UTC.</param>
public sealed record DeliveryHour(DateTimeOffset Hour, long Deliveries, long Failures, long Pushes, long PushFailures);

public sealed record StoreDeliverySeries(string Store, long Deliveries, long Failures, long Pushes, long PushFailures, IReadOnlyList<DeliveryHour> Hours);

/// <summary>Hourly series per store over <see cref="From"/> .. <see cref="To"/>, for a chart; every hour is present, empty ones as zeros.</summary>
public sealed record DeliveryStatistics(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<StoreDeliverySeries> Stores);

/// <summary>
/// Counts the sync log per store and hour: a delivery is a webhook the inbox applied (one log entry each, whatever its
/// outcome), a failure is a failed or dead-lettered attempt; pushes likewise. Imports and reconciliation fixes are not
/// deliveries and are left out. One grouped query; the log is indexed by time.
/// </summary>
public sealed class DeliveryStatisticsService
{
    private const long HourMs = 3_600_000;

    private readonly SyncDatabase _database;
    private readonly StoreRegistry _stores;
    private readonly TimeProvider _time;

    internal DeliveryStatisticsService(SyncDatabase database, StoreRegistry stores, TimeProvider time)
    {
        _database = database;
        _stores = stores;
        _time = time;
    }

    /// <param name="hours">1 to 168; the last bucket is the current, unfinished hour.</param>
    /// <param name="storeHandle">One store, or every store (the enabled ones, and any other that has entries).</param>
    public async Task<DeliveryStatistics> GetAsync(int hours, string? storeHandle, CancellationToken cancellationToken)
    {
        hours = Math.Clamp(hours, 1, 168);
        var now = UnixTime.From(_time.GetUtcNow());
        var firstHour = (now / HourMs) - (hours - 1);
        var from = firstHour * HourMs;
        var importTopic = CustomerImportJob.LogTopic;
        var fixTopic = ReconciliationService.FixTopic;

        await using var db = await _database.OpenAsync(cancellationToken);
        var query = db.SyncLog.AsNoTracking().Where(l => l.At >= from && l.Topic != importTopic && l.Topic != fixTopic);
        if (!string.IsNullOrWhiteSpace(storeHandle))
        {
            query = query.Where(l => l.StoreHandle == storeHandle);
        }

        var rows = await query
            .GroupBy(l => new { l.StoreHandle, l.Direction, Hour = l.At / HourMs, Failed = l.Outcome == "failed" || l.Outcome == "deadlettered" })
            .Select(g => new { g.Key.StoreHandle, g.Key.Direction, g.Key.Hour, g.Key.Failed, Count = g.LongCount() })
            .ToListAsync(cancellationToken);

        var handles = rows.Select(r => r.StoreHandle)
            .Concat(_stores.Stores.Select(s => s.Handle).Where(h => string.IsNullOrWhiteSpace(storeHandle) || string.Equals(h, storeHandle, StringComparison.OrdinalIgnoreCase)))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Order(StringComparer.OrdinalIgnoreCase);
        var series = new List<StoreDeliverySeries>();
        foreach (var handle in handles)
        {
            var mine = rows.Where(r => string.Equals(r.StoreHandle, handle, StringComparison.OrdinalIgnoreCase)).ToList();
            long Count(long hour, string direction, bool failed) => mine.Where(r => r.Hour == hour && r.Direction == direction && r.Failed == failed).Sum(r => r.Count);
            var buckets = Enumerable.Range(0, hours)
                .Select(i => firstHour + i)
                .Select(hour => new DeliveryHour(UnixTime.To(hour * HourMs), Count(hour, "inbound", false), Count(hour, "inbound", true), Count(hour, "outbound", false), Count(hour, "outbound", true)))
                .ToList();
            series.Add(new StoreDeliverySeries(handle, buckets.Sum(b => b.Deliveries), buckets.Sum(b => b.Failures), buckets.Sum(b => b.Pushes), buckets.Sum(b => b.PushFailures), buckets));
        }

        return new DeliveryStatistics(UnixTime.To(from), UnixTime.To(now), series);
    }
}
