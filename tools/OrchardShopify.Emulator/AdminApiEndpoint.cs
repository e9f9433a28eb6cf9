using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using OrchardShopify.Emulator.GraphQL;
using OrchardShopify.Emulator.Schema;
using OrchardShopify.Emulator.Throttling;

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

        JsonObject? body;
        try
        {
            if (http.Request.ContentLength > MaxBodyBytes)
            {
                throw new JsonException("body too large");
            }

            body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: cancellationToken) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body?["query"] is not JsonValue queryValue || queryValue.GetValueKind() != JsonValueKind.String)
        {
            await WriteAsync(http, StatusCodes.Status400BadRequest, new JsonObject { ["errors"] = new JsonObject { ["query"] = "Required parameter missing or invalid" } }, cancellationToken);
            return;
        }

        var bucketKey = shop.Domain + "|" + token;
        var response = Execute(state, shop, version, BaseUrl(http), queryValue.GetValue<string>(), body["operationName"]?.GetValue<string>(), body["variables"] as JsonObject, bucketKey, faults.ThrottleRate);
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

        await WriteAsync(http, StatusCodes.Status200OK, response, cancellationToken);
    }

    internal static JsonObject Execute(EmulatorState state, Customers.Shop shop, string version, Uri baseUrl, string query, string? operationName, JsonObject? variables, string bucketKey, double throttleRate)
    {
        GraphQLDocument document;
        try
        {
            document = Parser.Parse(query);
        }
        catch (GraphQLException exception)
        {
            return ErrorResponse([exception.Error], null);
        }

        var (prepared, errors) = state.Executor.Prepare(document, operationName, variables);
        if (prepared is null)
        {
            return ErrorResponse(errors, null);
        }

        var requested = prepared.RequestedCost;
        if (requested > CostThrottle.MaxSingleQueryCost)
        {
            var status = state.Throttle.Peek(bucketKey);
            return ErrorResponse(
                [new GraphQLError(
                    $"Query cost is {requested}, which exceeds the single query max cost limit ({CostThrottle.MaxSingleQueryCost}).\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.",
                    Extensions: new Dictionary<string, JsonNode?> { ["code"] = "MAX_COST_EXCEEDED", ["cost"] = requested, ["maxCost"] = CostThrottle.MaxSingleQueryCost })],
                Cost(requested, null, status));
        }

        if (state.Faults.Roll(throttleRate) || !state.Throttle.TryConsume(bucketKey, requested, out _))
        {
            var status = state.Throttle.Peek(bucketKey);
            return ErrorResponse(
                [new GraphQLError("Throttled", Extensions: new Dictionary<string, JsonNode?> { ["code"] = "THROTTLED", ["documentation"] = "https://shopify.dev/api/usage/rate-limits" })],
                Cost(requested, null, status));
        }

        var context = new GraphQL.ExecutionContext(new AdminContext(state, shop, version, baseUrl));
        JsonObject? data;
        try
        {
            data = state.Executor.Execute(prepared, prepared.Operation.Type == OperationType.Mutation ? new MutationRoot() : new QueryRoot(), context);
        }
        catch (GraphQLException exception)
        {
            data = null;
            context.Errors.Add(exception.Error);
        }

        var actual = Math.Min(context.ActualCost, requested);
        var after = state.Throttle.Refund(bucketKey, requested - actual);
        var response = new JsonObject { ["data"] = data };
        if (context.Errors.Count > 0)
        {
            response["errors"] = new JsonArray([.. context.Errors.Select(e => (JsonNode)e.ToJson())]);
        }

        response["extensions"] = Cost(requested, actual, after);
        return response;
    }

    private static JsonObject ErrorResponse(IEnumerable<GraphQLError> errors, JsonObject? extensions)
    {
        var response = new JsonObject { ["errors"] = new JsonArray([.. errors.Select(e => (JsonNode)e.ToJson())]) };
        if (extensions is not null)
        {
            response["extensions"] = extensions;
        }

        return response;
    }

    private static JsonObject Cost(int requested, int? actual, ThrottleStatus status) => new()
    {
        ["cost"] = new JsonObject
        {
            ["requestedQueryCost"] = requested,
            ["actualQueryCost"] = actual,
            ["throttleStatus"] = new JsonObject
            {
                ["maximumAvailable"] = (double)status.MaximumAvailable,
                ["currentlyAvailable"] = (int)status.CurrentlyAvailable,
                ["restoreRate"] = (double)status.RestoreRate,
            },
        },
    };

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
