using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.AspNetCore.Statistics;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>Chart data: deliveries and failures per hour per store.</summary>
internal static class StatisticsEndpoints
{
    public static void MapStatisticsEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/statistics/deliveries", async (int? hours, string? store, HttpContext http, DeliveryStatisticsService statistics) =>
            hours is < 1 or > 168
                ? AdminJson.Error("invalid_hours", $"hours must be between 1 and 168 (was {hours}).")
                : AdminJson.Ok(await statistics.GetAsync(hours ?? 24, store, http.RequestAborted)));
    }
}
