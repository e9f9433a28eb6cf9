using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.AspNetCore.Settings;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>
/// Settings: read (secrets as "set"/"not set"), save (validated, applied without restart), remove a store's saved values.
/// Invalid settings are refused with every key at fault (<see cref="AdminJson.Refusal"/>: <c>invalid_settings</c>, <c>errors</c>).
/// </summary>
internal static class SettingsEndpoints
{
    public static void MapSettingsEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/settings", Get);
        group.MapPut("/settings", SaveAsync);
        group.MapDelete("/settings/stores/{handle}", RemoveStoreAsync);
    }

    internal static JsonHttpResult<ShopifySettingsView> Get(ShopifySettingsService settings) => AdminJson.Json(settings.Get());

    internal static async Task<JsonHttpResult<ShopifySettingsView>> SaveAsync(AdminBody<JsonElement> body, ShopifySettingsService settings, CancellationToken cancellationToken)
        => AdminJson.Json(await settings.SaveAsync(body.Value, cancellationToken));

    internal static async Task<JsonHttpResult<ShopifySettingsView>> RemoveStoreAsync(string handle, ShopifySettingsService settings, CancellationToken cancellationToken)
        => AdminJson.Json(await settings.RemoveStoreAsync(handle, cancellationToken));
}
