using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.AspNetCore.Customers;

/// <summary>
/// Headless JSON about the signed-in user's own customer, and changes to its addresses (<see cref="CustomerAddressEndpoints"/>).
/// The customer is always the user's link, never a request parameter.
/// </summary>
internal static class CustomerApiEndpoints
{
    public static RouteGroupBuilder MapCustomerApiEndpoints(this IEndpointRouteBuilder endpoints, string prefix)
    {
        var group = endpoints.MapGroup(prefix + "/api/customer").WithTags("Shopify customer").AddEndpointFilter(RequireSignedInUserAsync);

        group.MapGet("/", async (string? store, HttpContext http, CustomerViewService views) =>
            await AnswerAsync(() => views.GetCustomerAsync(UserId(http)!, store, http.RequestAborted)));

        // Shopify-owned commerce signals as the sync stored them on the link: no Admin API call, so pages can gate on them cheaply.
        group.MapGet("/signals", async (string? store, HttpContext http, CustomerViewService views) =>
            await AnswerAsync(async () => SignalsJson.Of(await views.GetSignalsAsync(UserId(http)!, store, http.RequestAborted))));

        group.MapGet("/orders", async (string? store, string? status, string? page, int? first, HttpContext http, CustomerViewService views) =>
        {
            if (!OrderStatusFilters.TryParse(status, out var filter))
            {
                return Results.Json(new ApiError("invalid_status", $"status must be {OrderStatusFilters.Names}."), statusCode: StatusCodes.Status400BadRequest);
            }

            return await AnswerAsync(() => views.GetOrdersAsync(UserId(http)!, store, filter, first ?? 10, page, http.RequestAborted));
        });

        group.MapGet("/addresses", async (string? store, string? page, int? first, HttpContext http, CustomerViewService views) =>
            await AnswerAsync(() => views.GetAddressesAsync(UserId(http)!, store, first ?? 10, page, http.RequestAborted)));

        group.MapCustomerAddressEndpoints();
        return group;
    }

    private static async ValueTask<object?> RequireSignedInUserAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        => UserId(context.HttpContext) is null
            ? Results.Json(new ApiError("not_signed_in", "Sign in to read your Shopify customer."), statusCode: StatusCodes.Status401Unauthorized)
            : await next(context);

    internal static string? UserId(HttpContext http)
        => (http.RequestServices.GetService<ICurrentUserIdAccessor>() ?? new ClaimsCurrentUserIdAccessor(http.RequestServices.GetService<IOptions<IdentityOptions>>())).GetUserId(http);

    private static async Task<IResult> AnswerAsync<T>(Func<Task<CustomerLookup<T>>> lookup)
        where T : class
    {
        CustomerLookup<T> result;
        try
        {
            result = await lookup();
        }
        catch (UnknownStoreException ex)
        {
            return Results.Json(new ApiError("unknown_store", ex.Message), statusCode: StatusCodes.Status400BadRequest);
        }
        catch (InvalidCursorException ex)
        {
            return Results.Json(new ApiError("invalid_page", $"page: {ex.Message}"), statusCode: StatusCodes.Status400BadRequest);
        }

        return result.Status switch
        {
            CustomerLookupStatus.Found => Results.Json(result.Value),
            CustomerLookupStatus.NotLinked => Results.Json(new ApiError("not_linked", $"Your account is not linked to a customer of store '{result.StoreHandle}'."), statusCode: StatusCodes.Status404NotFound),
            _ => Results.Json(new ApiError("customer_gone", $"Store '{result.StoreHandle}' no longer has your customer record."), statusCode: StatusCodes.Status404NotFound),
        };
    }
}

internal sealed record ApiError(string Error, string Message);

/// <summary>
/// <c>GET …/api/customer/signals</c>: <c>{ store, numberOfOrders, amountSpent: { amount, currencyCode }, tags,
/// emailMarketingState, state, verifiedEmail, updatedAt }</c>; every value null (tags empty) until a webhook, catch-up or
/// import carried them.
/// </summary>
internal sealed record SignalsJson(
    string Store,
    long? NumberOfOrders,
    ShopifyMoney? AmountSpent,
    IReadOnlyList<string> Tags,
    string? EmailMarketingState,
    string? State,
    bool? VerifiedEmail,
    DateTimeOffset? UpdatedAt)
{
    public static CustomerLookup<SignalsJson> Of(CustomerLookup<CustomerSignals> lookup) => lookup.Value is not { } s
        ? new CustomerLookup<SignalsJson>(lookup.Status, lookup.StoreHandle, null)
        : new CustomerLookup<SignalsJson>(lookup.Status, lookup.StoreHandle, new SignalsJson(
            lookup.StoreHandle,
            s.NumberOfOrders,
            s.AmountSpent is { } amount ? new ShopifyMoney(amount, s.Currency ?? "") : null,
            s.Tags,
            s.EmailMarketingState,
            s.State,
            s.VerifiedEmail,
            s.UpdatedAt));
}
