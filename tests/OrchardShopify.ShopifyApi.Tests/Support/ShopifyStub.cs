using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrchardShopify.ShopifyApi.Tests.Support;

/// <summary>A request the client sent, with the GraphQL body parsed.</summary>
internal sealed record SentRequest(HttpMethod Method, Uri Url, string? AccessToken, string? OperationName, string? Query, JsonObject? Variables);

/// <summary>Stands in for Shopify: records every request and answers with the responder the test gives.</summary>
internal sealed class ShopifyStub : HttpMessageHandler
{
    private readonly Func<SentRequest, int, HttpResponseMessage> _respond;
    private readonly ConcurrentQueue<SentRequest> _sent = new();

    public ShopifyStub(Func<SentRequest, int, HttpResponseMessage> respond) => _respond = respond;

    public IReadOnlyList<SentRequest> Sent => [.. _sent];

    public IEnumerable<SentRequest> Operations(string name) => Sent.Where(r => r.OperationName == name);

    /// <summary>A GraphQL 200 with <paramref name="data"/> and the cost extension Shopify adds to every response.</summary>
    public static HttpResponseMessage Data(string data, double requested = 3, double actual = 3, double available = 1990, double maximum = 2000, double restoreRate = 100) =>
        Json($$"""
        { "data":{{data}},"extensions":{ "cost":{ "requestedQueryCost":{{requested}},"actualQueryCost":{{actual}},"throttleStatus":{ "maximumAvailable":{{maximum}},"currentlyAvailable":{{available}},"restoreRate":{{restoreRate}}} } } } 
        """);

    public static HttpResponseMessage Throttled(double requested, double available, double restoreRate = 100) =>
        Json($$"""
        { "errors":[{ "message":"Throttled","extensions":{ "code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"} } ],"extensions":{ "cost":{ "requestedQueryCost":{{requested}},"actualQueryCost":null,"throttleStatus":{ "maximumAvailable":2000.0,"currentlyAvailable":{{available}},"restoreRate":{{restoreRate}}} } } } 
        """);

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string? operation = null, query = null;
        JsonObject? variables = null;
        if (request.Content is not null)
        {
            var body = await request.Content.ReadAsStringAsync(cancellationToken);
            if (JsonNode.Parse(body) is JsonObject json)
            {
                operation = json["operationName"]?.GetValue<string>();
                query = json["query"]?.GetValue<string>();
                variables = json["variables"] as JsonObject;
            }
        }

        var token = request.Headers.TryGetValues("X-Shopify-Access-Token", out var values) ? values.Single() : null;
        var sent = new SentRequest(request.Method, request.RequestUri!, token, operation, query, variables);
        _sent.Enqueue(sent);
        return _respond(sent, _sent.Count);
    }
}

internal static class Variables
{
    public static JsonElement AsElement(this JsonNode? node) => JsonDocument.Parse(node?.ToJsonString() ?? "null").RootElement;
}
