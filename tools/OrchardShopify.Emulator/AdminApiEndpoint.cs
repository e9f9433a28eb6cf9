using System.Text.Json;
using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Transport;
using Microsoft.AspNetCore.Http;
using OrchardShopify.Emulator.Schema;

namespace OrchardShopify.Emulator;

/// <summary>POST /shops/{shop}/admin/api/{version}/graphql.json: auth, faults, parse, validate, cost, throttle, execute.</summary>
internal static class AdminApiEndpoint
{
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    public static async Task HandleAsync(HttpContext http, EmulatorState state, string shopDomain, string version)
    {
        var cancellationToken = http.RequestAborted;
        var shop = state.FindShop(shopDomain);
        if (shop is null)
        {
            await WriteAsync(http, StatusCodes.Status404NotFound, new JsonObject { ["errors"] = "Not Found" }, cancellationToken);
            return;
        }

        var token = http.Request.Headers["X-Shopify-Access-Token"].ToString();
        if (!string.Equals(token, state.Options.AccessToken, StringComparison.Ordinal) || state.Faults.Current.AccessTokenRevoked)
        {
            await WriteAsync(http, StatusCodes.Status401Unauthorized, new JsonObject { ["errors"] = "[API] Invalid API key or access token (unrecognized login or wrong password)" }, cancellationToken);
            return;
        }

        if (!IsVersion(version))
        {
            await WriteAsync(http, StatusCodes.Status404NotFound, new JsonObject { ["errors"] = "Not Found" }, cancellationToken);
            return;
        }

        http.Response.Headers["X-Shopify-API-Version"] = version;
        http.Response.Headers["X-Request-Id"] = Guid.NewGuid().ToString();
        var faults = state.Faults.Current;
        if (faults.ApiLatencyMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(faults.ApiLatencyMs), state.Time, cancellationToken);
        }

        if (state.Faults.Roll(faults.ServerErrorRate))
        {
            var status = state.Faults.Next(2) == 0 ? StatusCodes.Status502BadGateway : StatusCodes.Status503ServiceUnavailable;
            await WriteAsync(http, status, new JsonObject { ["errors"] = "Internal error. Looks like something went wrong on our end." }, cancellationToken);
            return;
        }

        GraphQLRequest? body;
        try
        {
            if (http.Request.ContentLength > MaxBodyBytes)
            {
                throw new JsonException("body too large");
            }

            body = await state.GraphQL.Serializer.ReadAsync<GraphQLRequest>(http.Request.Body, cancellationToken);
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body?.Query is not { } query)
        {
            await WriteAsync(http, StatusCodes.Status400BadRequest, new JsonObject { ["errors"] = new JsonObject { ["query"] = "Required parameter missing or invalid" } }, cancellationToken);
            return;
        }

        var bucketKey = shop.Domain + "|" + token;
        var request = new AdminRequest(new AdminContext(state, shop, version, BaseUrl(http)), bucketKey, faults.ThrottleRate);
        var result = await state.GraphQL.ExecuteAsync(request, query, body.OperationName, body.Variables, cancellationToken);
        if (state.Faults.Roll(faults.ApiTimeoutRate))
        {
            // Applied but unanswered: the client cannot tell whether its request ran.
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(faults.ApiTimeoutMs), state.Time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json; charset=utf-8";
        await state.GraphQL.Serializer.WriteAsync(http.Response.Body, result, cancellationToken);
    }

    private static bool IsVersion(string version) =>
        version == "unstable" || (version.Length == 7 && version[4] == '-' && int.TryParse(version.AsSpan(0, 4), out var year) && year >= 2024
            && version[5..] is "01" or "04" or "07" or "10");

    internal static Uri BaseUrl(HttpContext http) => new($"{http.Request.Scheme}://{http.Request.Host}/");

    internal static async Task WriteAsync(HttpContext http, int status, JsonNode body, CancellationToken cancellationToken)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(http.Response.Body, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        body.WriteTo(writer);
        await writer.FlushAsync(cancellationToken);
    }
}
