using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Settings;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>
/// JSON of the admin operations: camelCase, enums as camelCase strings (a delivery's <c>kind</c> and <c>status</c> as
/// lower-case words: <c>inbound</c>, <c>deadletter</c>). Every refusal is a problem (<c>application/problem+json</c>,
/// RFC 9457) with the stable code in <c>error</c> and the sentence in <c>message</c> (also <c>detail</c>).
/// </summary>
internal static class AdminJson
{
    /// <summary>Largest request body the admin JSON reads.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static JsonHttpResult<T> Json<T>(T value, int statusCode = StatusCodes.Status200OK) => TypedResults.Json(value, Options, statusCode: statusCode);

    /// <summary>A refusal: <c>{ type, title, status, detail, error, message }</c> plus <paramref name="extensions"/>.</summary>
    public static ProblemHttpResult Problem(string code, string message, int statusCode = StatusCodes.Status400BadRequest, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails
        {
            Status = statusCode,
            Title = ReasonPhrases.GetReasonPhrase(statusCode),
            Detail = message,
        };
        problem.Extensions["error"] = code;
        problem.Extensions["message"] = message;
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        return TypedResults.Problem(problem);
    }

    /// <summary>
    /// The HTTP answer to a refusal of the admin services: a request at fault 400, something named that does not exist
    /// 404, a state that forbids it 409, Shopify refusing 502; invalid settings 400 with every key at fault in <c>errors</c>.
    /// </summary>
    public static ProblemHttpResult Refusal(Exception refused) => refused switch
    {
        AdminNotFoundException notFound => Problem(notFound.Code, notFound.Message, StatusCodes.Status404NotFound),
        AdminConflictException conflict => Problem(conflict.Code, conflict.Message, StatusCodes.Status409Conflict),
        ShopifyRefusedException shopify => Problem(shopify.Code, shopify.Message, StatusCodes.Status502BadGateway),
        AdminRequestException request => Problem(request.Code, request.Message),
        ShopifySettingsValidationException invalid => Problem(
            "invalid_settings",
            "Nothing was saved. " + string.Join(" ", invalid.Errors.Select(e => e.Message)),
            extensions: new Dictionary<string, object?> { ["errors"] = invalid.Errors }),
        _ => throw new ArgumentException($"{refused.GetType().Name} is not a refusal of the admin services.", nameof(refused)),
    };

    /// <summary>
    /// The admin group's filter after authorization: a body that could not be bound (<see cref="AdminBody{T}"/>), and the
    /// refusals the services throw, become problems.
    /// </summary>
    public static async ValueTask<object?> AnswerRefusalsAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var argument in context.Arguments)
        {
            if (argument is IAdminBody { Refusal: { } unreadable })
            {
                return unreadable;
            }
        }

        try
        {
            return await next(context);
        }
        catch (Exception refused) when (refused is AdminRequestException or ShopifySettingsValidationException)
        {
            return Refusal(refused);
        }
    }

    /// <summary>
    /// Runs an admin endpoint; when minimal APIs refused a query or route value they cannot bind (thrown where
    /// <c>RouteHandlerOptions.ThrowOnBadRequest</c> is on, as in Development, else a bare status), answers
    /// <c>invalid_request</c> as a problem.
    /// </summary>
    public static async Task AnswerBareFailuresAsync(HttpContext http, RequestDelegate endpoint)
    {
        var response = http.Response;
        try
        {
            await endpoint(http);
        }
        catch (BadHttpRequestException unbound) when (!response.HasStarted)
        {
            await Problem("invalid_request", unbound.Message, unbound.StatusCode).ExecuteAsync(http);
            return;
        }

        if (response.StatusCode >= StatusCodes.Status400BadRequest && !response.HasStarted && response.ContentType is null && response.ContentLength is null)
        {
            var query = http.Request.QueryString.HasValue ? $" (query {http.Request.QueryString})" : "";
            await Problem(
                "invalid_request",
                $"A value of the request{query} cannot be read: numbers such as take and hours must be whole numbers.",
                response.StatusCode).ExecuteAsync(http);
        }
    }

    /// <summary>The <c>{ error, message }</c> refusal of the signed-in customer's endpoints (not the admin JSON).</summary>
    public static IResult Error(string code, string message, int statusCode = StatusCodes.Status400BadRequest)
        => Results.Json(new ApiError(code, message), Options, statusCode: statusCode);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(SyncJobHost.Json);
        options.Converters.Insert(0, new JsonStringEnumConverter<SyncDeliveryStatus>(LowerCase.Instance));
        options.Converters.Insert(0, new JsonStringEnumConverter<SyncDirection>(LowerCase.Instance));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary><c>DeadLetter</c> → <c>deadletter</c>, as the admin JSON has always written a delivery's status.</summary>
    private sealed class LowerCase : JsonNamingPolicy
    {
        public static readonly LowerCase Instance = new();

        public override string ConvertName(string name) => name.ToLowerInvariant();
    }
}
