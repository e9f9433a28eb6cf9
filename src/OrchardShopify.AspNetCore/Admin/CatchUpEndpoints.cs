using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.AspNetCore.CatchUp;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>Scheduled catch-up: each store's last run (when, outcome, counts), watermark and next run.</summary>
internal static class CatchUpEndpoints
{
    public static void MapCatchUpEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/catchup", async (HttpContext http, CatchUpScheduler scheduler) =>
            AdminJson.Ok(await scheduler.GetOverviewAsync(http.RequestAborted)));
    }
}
