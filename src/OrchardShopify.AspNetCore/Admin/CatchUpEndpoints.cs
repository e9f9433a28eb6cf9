using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.AspNetCore.CatchUp;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>Scheduled catch-up: each store's last run (when, outcome, counts), watermark and next run.</summary>
internal static class CatchUpEndpoints
{
    public static void MapCatchUpEndpoints(this RouteGroupBuilder group) => group.MapGet("/catchup", GetOverviewAsync);

    internal static async Task<JsonHttpResult<CatchUpOverview>> GetOverviewAsync(CatchUpScheduler scheduler, CancellationToken cancellationToken)
        => AdminJson.Json(await scheduler.GetOverviewAsync(cancellationToken));
}
