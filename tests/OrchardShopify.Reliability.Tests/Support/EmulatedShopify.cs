using System.Net.Http.Json;
using OrchardShopify.Emulator;
using OrchardShopify.Emulator.Control;
using OrchardShopify.Testing.Hosting.Sites;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.Reliability.Tests.Support;

/// <summary>The local Shopify emulator with the site's shop, token and webhook secret.</summary>
internal sealed class EmulatedShopify : IAsyncDisposable
{
    private EmulatedShopify(ShopifyEmulator emulator)
    {
        Emulator = emulator;
    }

    public ShopifyEmulator Emulator { get; }

    public HttpClient Control { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public Emulator.Customers.Shop Shop => Emulator.Shops[SyncSite.ShopDomain];

    /// <summary>Site settings that point the store's Admin API at the emulator.</summary>
    public IReadOnlyDictionary<string, string?> SiteSettings => new Dictionary<string, string?>
    {
        ["Shopify:Stores:uk:ApiBaseUrl"] = new Uri(Emulator.BaseUrl, $"shops/{SyncSite.ShopDomain}").ToString(),
    };

    public static async Task<EmulatedShopify> StartAsync(EmulatorOptions? options = null)
    {
        var emulator = await ShopifyEmulator.StartAsync(
            (options ?? new EmulatorOptions()) with
            {
                Shops = [SyncSite.ShopDomain],
                AccessToken = SyncSite.AccessToken,
                WebhookSecret = SyncSite.WebhookSecret,
                TimeScale = 10_000,
            },
            CancellationToken.None);
        return new EmulatedShopify(emulator);
    }

    public void SetFaults(FaultSettings faults) => Emulator.SetFaults(faults);

    /// <summary>Subscribes the site's customer endpoints, as an app does on install.</summary>
    public async Task SubscribeAsync(Uri site, params string[] topics)
    {
        foreach (var topic in topics)
        {
            var callback = new Uri(site, ShopifyWebhookSigner.PathFor(topic.ToLowerInvariant().Replace('_', '/'))).ToString();
            using var request = new HttpRequestMessage(HttpMethod.Post, Emulator.AdminApiUrl(SyncSite.ShopDomain))
            {
                Content = JsonContent.Create(new
                {
                    query = "mutation($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) { userErrors { message } } }",
                    variables = new { topic, sub = new { callbackUrl = callback, format = "JSON" } },
                }),
            };
            request.Headers.Add("X-Shopify-Access-Token", SyncSite.AccessToken);
            using var response = await Control.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode && !body.Contains("\"message\"", StringComparison.Ordinal), body);
        }
    }

    /// <summary>A merchant creates or edits a customer in Shopify's admin; Shopify then sends the webhook.</summary>
    public async Task<long> MerchantSavesAsync(long? id, object customer)
    {
        var url = new Uri(Emulator.BaseUrl, $"_emulator/shops/{SyncSite.ShopDomain}/customers" + (id is null ? "" : $"/{id}"));
        using var response = id is null ? await Control.PostAsJsonAsync(url, customer) : await Control.PutAsJsonAsync(url, customer);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>Shopify's customers as <see cref="ShopifyCustomerVersion"/>s, to compare with the site's users.</summary>
    public IReadOnlyDictionary<long, ShopifyCustomerVersion> Customers()
        => Shop.Snapshot().ToDictionary(c => c.Id, c => new ShopifyCustomerVersion(c.Id, c.Email, c.FirstName, c.LastName, c.Phone, c.CreatedAt, c.UpdatedAt));

    public async ValueTask DisposeAsync()
    {
        Control.Dispose();
        await Emulator.DisposeAsync();
    }
}
