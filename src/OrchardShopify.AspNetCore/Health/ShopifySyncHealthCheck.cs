using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Health;

/// <summary>
/// Healthy when the inbox keeps up: degraded when deliveries wait longer than <c>Shopify:HealthMaxInboxAge</c>
/// or dead letters exist; unhealthy when the sync database cannot be read. Data: backlog, oldest age,
/// dead letters, and the last delivery per store and topic.
/// </summary>
internal sealed class ShopifySyncHealthCheck(SyncDatabase database, IOptionsMonitor<ShopifyHostOptions> options, TimeProvider time) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await database.OpenAsync(cancellationToken);
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

            var now = time.GetUtcNow();
            var oldestAge = oldest is null ? TimeSpan.Zero : now - UnixTime.To(oldest.Value);
            var data = new Dictionary<string, object>
            {
                ["inbox_backlog"] = backlog,
                ["inbox_oldest_age_seconds"] = Math.Round(oldestAge.TotalSeconds),
                ["outbound_backlog"] = outbound,
                ["dead_letters"] = deadLetters,
            };
            foreach (var last in lastDeliveries)
            {
                data[$"last_delivery:{last.StoreHandle}:{last.Topic}"] = UnixTime.To(last.Last).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            }

            var problems = new List<string>();
            if (oldestAge > options.CurrentValue.HealthMaxInboxAge)
            {
                problems.Add($"the oldest waiting delivery is {oldestAge.TotalSeconds:0} s old");
            }

            if (deadLetters > 0)
            {
                problems.Add($"{deadLetters} dead letters wait for a replay");
            }

            return problems.Count == 0
                ? HealthCheckResult.Healthy("The Shopify inbox keeps up.", data)
                : HealthCheckResult.Degraded(string.Join("; ", problems) + ".", data: data);
        }
#pragma warning disable CA1031 // Any failure to read the database is the unhealthy answer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy("The Shopify sync database cannot be read.", ex);
        }
    }
}
