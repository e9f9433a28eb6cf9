using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OrchardShopify.AspNetCore.Health;

/// <summary>
/// Healthy when the sync keeps up; degraded (<see cref="ShopifySyncHealth"/>) when deliveries wait longer than
/// <c>Shopify:HealthMaxInboxAge</c>, dead letters exist, a store's last scheduled catch-up failed, or a store's customer
/// webhook subscriptions are missing or point elsewhere than <c>Shopify:PublicUrls</c>; unhealthy when the sync database
/// cannot be read. Data: backlog, oldest age, dead letters, the last delivery per store and topic, each store's last
/// catch-up outcome and webhook subscriptions.
/// </summary>
internal sealed class ShopifySyncHealthCheck(ShopifySyncHealth health) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ShopifySyncHealthReport report;
        try
        {
            report = await health.CheckAsync(cancellationToken);
        }
#pragma warning disable CA1031 // Any failure to read the database is the unhealthy answer.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy("The Shopify sync database cannot be read.", ex);
        }

        return report.Problems.Count == 0
            ? HealthCheckResult.Healthy("The Shopify sync keeps up.", report.Data)
            : HealthCheckResult.Degraded(string.Join("; ", report.Problems.Select(p => p.Message)) + ".", data: report.Data);
    }
}
