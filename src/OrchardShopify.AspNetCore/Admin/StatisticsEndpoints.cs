using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.AspNetCore.Statistics;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>Chart data: deliveries and failures per hour per store.</summary>
internal static class StatisticsEndpoints
{
    public static void MapStatisticsEndpoints(this RouteGroupBuilder group) => group.MapGet("/statistics/deliveries", GetDeliveriesAsync);

    internal static async Task<Results<JsonHttpResult<DeliveryStatistics>, ProblemHttpResult>> GetDeliveriesAsync(int? hours, string? store, DeliveryStatisticsService statistics, CancellationToken cancellationToken)
        => hours is < 1 or > 168
            ? AdminJson.Problem("invalid_hours", $"hours must be between 1 and 168 (was {hours}).")
            : AdminJson.Json(await statistics.GetAsync(hours ?? 24, store, cancellationToken));
}
