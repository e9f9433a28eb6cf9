using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.AspNetCore.Customers;

/// <summary>
/// Headless JSON to change the signed-in user's own addresses: <c>POST …/addresses</c>, <c>PATCH …/addresses/{id}</c>,
/// <c>DELETE …/addresses/{id}</c>, <c>POST …/addresses/{id}/default</c>. The customer is the user's link; the id must be
/// one of its addresses. A cookie-authenticated request needs the site's <c>Origin</c>, a JSON body and the antiforgery
/// token in the <c>RequestVerificationToken</c> header, as the admin JSON does.
/// </summary>
internal static class CustomerAddressEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static void MapCustomerAddressEndpoints(this RouteGroupBuilder customer)
    {
        var addresses = customer.MapGroup("/addresses").DisableAntiforgery().AddEndpointFilter(RequireOwnPagesAsync);

        addresses.MapPost("/", async (string? store, HttpContext http, CustomerAddressService service) =>
            await ChangeAsync(http, true, (user, body, ct) => service.CreateAsync(user, store, body!.ToInput(), body.SetAsDefault ?? false, ct), StatusCodes.Status201Created));

        addresses.MapMethods("/{id}", [HttpMethods.Patch], async (string id, string? store, HttpContext http, CustomerAddressService service) =>
            await ChangeAsync(http, true, (user, body, ct) => service.UpdateAsync(user, store, id, body!.ToInput(), body.SetAsDefault ?? false, ct)));

        addresses.MapDelete("/{id}", async (string id, string? store, HttpContext http, CustomerAddressService service) =>
            await ChangeAsync(http, false, (user, _, ct) => service.DeleteAsync(user, store, id, ct)));

        addresses.MapPost("/{id}/default", async (string id, string? store, HttpContext http, CustomerAddressService service) =>
            await ChangeAsync(http, false, (user, _, ct) => service.SetDefaultAsync(user, store, id, ct)));
    }

    /// <summary>The admin JSON's rule for browser-sent credentials: the site's own origin, a JSON body, the antiforgery token.</summary>
    private static async ValueTask<object?> RequireOwnPagesAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (ShopifyAdminAuthorization.RefuseCrossOrigin(http, "headless clients send the request from the site's pages with the antiforgery token.") is { } refused)
        {
            return refused;
        }

        var hasBody = http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0;
        if (hasBody && !http.Request.HasJsonContentType())
        {
            return AdminJson.Error("unsupported_media_type", $"The body must be application/json (was '{http.Request.ContentType}').", StatusCodes.Status415UnsupportedMediaType);
        }

        if (!await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
        {
            return AdminJson.Error(
                "antiforgery_token_missing",
                $"Changing your addresses needs the site's antiforgery token in the {ShopifyAdminAuthorization.AntiforgeryHeaderName(http)} header.");
        }

        return await next(context);
    }

    private static async Task<IResult> ChangeAsync(
        HttpContext http,
        bool needsBody,
        Func<string, AddressBody?, CancellationToken, Task<AddressChangeResult>> change,
        int successStatus = StatusCodes.Status200OK)
    {
        var userId = CustomerApiEndpoints.UserId(http)!;
        AddressBody? body = null;
        if (needsBody)
        {
            try
            {
                body = await JsonSerializer.DeserializeAsync<AddressBody>(http.Request.Body, Json, http.RequestAborted);
            }
            catch (JsonException invalid)
            {
                var where = invalid.Path is { Length: > 1 } path ? $" at {path}" : "";
                return Results.Json(new ApiError("invalid_json", $"The request body is not a valid address{where}: {invalid.Message.Split(" Path:", 2)[0]}"), statusCode: StatusCodes.Status400BadRequest);
            }

            if (body is null)
            {
                return Results.Json(new ApiError("invalid_json", "The request body must be a JSON object with the address fields."), statusCode: StatusCodes.Status400BadRequest);
            }
        }

        AddressChangeResult result;
        try
        {
            result = await change(userId, body, http.RequestAborted);
        }
        catch (UnknownStoreException ex)
        {
            return Results.Json(new ApiError("unknown_store", ex.Message), statusCode: StatusCodes.Status400BadRequest);
        }
        catch (ShopifyApiException ex)
        {
            return Results.Json(new ApiError("shopify_unavailable", $"Shopify did not apply the change: {ex.ShopifyMessage}"), statusCode: ex.IsTransient ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status502BadGateway);
        }

        return Answer(result, successStatus);
    }

    internal static IResult Answer(AddressChangeResult result, int successStatus = StatusCodes.Status200OK) => result.Status switch
    {
        AddressChangeStatus.Saved => Results.Json(new AddressSaved(result.StoreHandle, result.Address, result.DeletedAddressId), Json, statusCode: successStatus),
        AddressChangeStatus.Invalid => Results.Json(
            new AddressInvalid("invalid_address", Summary(result), result.ErrorsByField),
            Json,
            statusCode: StatusCodes.Status400BadRequest),
        AddressChangeStatus.NotLinked => Results.Json(new ApiError("not_linked", $"Your account is not linked to a customer of store '{result.StoreHandle}'."), statusCode: StatusCodes.Status404NotFound),
        AddressChangeStatus.Unverified => Results.Json(new ApiError("unverified_identity", "Confirm your email address before changing your Shopify addresses."), statusCode: StatusCodes.Status403Forbidden),
        _ => Results.Json(new ApiError("address_not_found", result.Errors[0].Message + "."), statusCode: StatusCodes.Status404NotFound),
    };

    private static string Summary(AddressChangeResult result) =>
        string.Join("; ", result.Errors.Select(e => e.Message)) + ".";

    /// <summary>The JSON body of create and update; unknown members (such as a customer id) are refused.</summary>
    internal sealed record AddressBody(
        string? FirstName,
        string? LastName,
        string? Company,
        string? Address1,
        string? Address2,
        string? City,
        string? ProvinceCode,
        string? CountryCode,
        string? Zip,
        string? Phone,
        bool? SetAsDefault)
    {
        public ShopifyAddressInput ToInput() => new(FirstName, LastName, Company, Address1, Address2, City, ProvinceCode, CountryCode, Zip, Phone);
    }

    private sealed record AddressSaved(string Store, ShopifyMailingAddress? Address, string? DeletedAddressId);

    /// <summary>The error shape of the other endpoints plus <c>errors</c>: messages by field, as ASP.NET Core's validation problems carry them.</summary>
    private sealed record AddressInvalid(string Error, string Message, IReadOnlyDictionary<string, string[]> Errors);
}
