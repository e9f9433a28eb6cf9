using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.AspNetCore.Settings;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>Settings: read (secrets as "set"/"not set"), save (validated, applied without restart), remove a store's saved values.</summary>
internal static class SettingsEndpoints
{
    public static void MapSettingsEndpoints(this RouteGroupBuilder group)
    {
        group.MapGet("/settings", (ShopifySettingsService settings) => AdminJson.Ok(settings.Get()));

        group.MapPut("/settings", async (HttpContext http, ShopifySettingsService settings) =>
        {
            var body = await AdminJson.ReadBodyAsync(http.Request, default(JsonElement));
            try
            {
                return AdminJson.Ok(await settings.SaveAsync(body, http.RequestAborted));
            }
            catch (ShopifySettingsValidationException invalid)
            {
                return Refused(invalid);
            }
        }).WithAdminErrors();

        group.MapDelete("/settings/stores/{handle}", async (string handle, HttpContext http, ShopifySettingsService settings) =>
        {
            try
            {
                return AdminJson.Ok(await settings.RemoveStoreAsync(handle, http.RequestAborted));
            }
            catch (ShopifySettingsValidationException invalid)
            {
                return Refused(invalid);
            }
        }).WithAdminErrors();
    }

    private static IResult Refused(ShopifySettingsValidationException invalid)
        => Results.Json(
            new { error = "invalid_settings", message = "Nothing was saved. " + string.Join(" ", invalid.Errors.Select(e => e.Message)), errors = invalid.Errors },
            AdminJson.Options,
            statusCode: StatusCodes.Status400BadRequest);
}
