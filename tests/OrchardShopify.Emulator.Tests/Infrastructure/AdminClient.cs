using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrchardShopify.Emulator;

namespace OrchardShopify.Emulator.Tests.Infrastructure;

public sealed record GraphQLResponse(HttpStatusCode Status, JsonObject Body)
{
    public JsonNode? Data => Body["data"];

    public JsonArray? Errors => Body["errors"] as JsonArray;

    public string FirstErrorMessage => Errors?[0]?["message"]?.GetValue<string>() ?? string.Empty;

    public string? FirstErrorCode => Errors?[0]?["extensions"]?["code"]?.GetValue<string>();

    public JsonNode Cost => Body["extensions"]!["cost"]!;
}

/// <summary>A deliberately plain HTTP client for the emulator's Admin API, so tests exercise the real wire format.</summary>
public sealed class AdminClient : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ShopifyEmulator _emulator;

    public AdminClient(ShopifyEmulator emulator, string? shop = null, string? token = null)
    {
        _emulator = emulator;
        Shop = shop ?? emulator.Options.Shops[0];
        Token = token ?? emulator.Options.AccessToken;
    }

    public string Shop { get; }

    public string Token { get; }

    public HttpClient Http => _http;

    public async Task<GraphQLResponse> SendAsync(string query, object? variables = null, string? shop = null, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _emulator.AdminApiUrl(shop ?? Shop))
        {
            Content = JsonContent.Create(new { query, variables }),
        };
        request.Headers.Add("X-Shopify-Access-Token", token ?? Token);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) as JsonObject ?? new JsonObject();
        return new GraphQLResponse(response.StatusCode, body);
    }

    /// <summary>Sends and asserts the request succeeded without GraphQL errors.</summary>
    public async Task<JsonNode> DataAsync(string query, object? variables = null)
    {
        var response = await SendAsync(query, variables);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.True(response.Errors is null, response.Body.ToJsonString());
        return response.Data!;
    }

    public async Task<JsonNode> CreateCustomerAsync(object input)
    {
        var data = await DataAsync(
            "mutation($input: CustomerInput!) { customerCreate(input: $input) { customer { id email phone updatedAt } userErrors { field message } } }",
            new { input });
        Assert.Empty(data["customerCreate"]!["userErrors"]!.AsArray());
        return data["customerCreate"]!["customer"]!;
    }

    public async Task<string> SubscribeAsync(string topic, Uri callbackUrl)
    {
        var data = await DataAsync(
            "mutation($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) { webhookSubscription { id topic } userErrors { field message } } }",
            new { topic, sub = new { callbackUrl = callbackUrl.ToString(), format = "JSON" } });
        Assert.Empty(data["webhookSubscriptionCreate"]!["userErrors"]!.AsArray());
        return data["webhookSubscriptionCreate"]!["webhookSubscription"]!["id"]!.GetValue<string>();
    }

    public void Dispose() => _http.Dispose();
}
