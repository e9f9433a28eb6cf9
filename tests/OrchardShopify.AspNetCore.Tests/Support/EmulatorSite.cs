using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Emulator;
using OrchardShopify.Emulator.Customers;

namespace OrchardShopify.AspNetCore.Tests.Support;

/// <summary>A <see cref="TestSite"/> whose store <c>uk</c> is the in-process Shopify emulator: imports, reconciliation and pushes go over HTTP to it.</summary>
internal sealed class EmulatorSite : IAsyncDisposable
{
    public const string Admin = "/!/shopify/admin/api";

    private EmulatorSite(ShopifyEmulator emulator, TestSite site)
    {
        Emulator = emulator;
        Site = site;
    }

    public ShopifyEmulator Emulator { get; }

    public TestSite Site { get; }

    public Shop Shop => Emulator.Shops[TestSite.UkDomain];

    public static async Task<EmulatorSite> StartAsync(int customers, Action<Dictionary<string, string?>>? configure = null, Action<IServiceCollection>? configureServices = null)
    {
        var emulator = await ShopifyEmulator.StartAsync(new EmulatorOptions { Shops = [TestSite.UkDomain], CustomersPerShop = customers }, CancellationToken.None);
        var site = await TestSite.StartAsync(
            settings =>
            {
                settings["Shopify:Stores:uk:AccessToken"] = emulator.Options.AccessToken;
                settings["Shopify:Stores:uk:ApiBaseUrl"] = new Uri(emulator.BaseUrl, $"shops/{TestSite.UkDomain}").AbsoluteUri;
                configure?.Invoke(settings);
            },
            fakeShopify: false,
            services =>
            {
                services.Configure<ShopifyAdminClientOptions>(o =>
                {
                    o.BaseDelay = TimeSpan.FromMilliseconds(50);
                    o.BulkPollInitialDelay = TimeSpan.FromMilliseconds(50);
                    o.BulkPollMaxDelay = TimeSpan.FromMilliseconds(200);
                });
                configureServices?.Invoke(services);
            });
        return new EmulatorSite(emulator, site);
    }

    /// <summary>An admin JSON call with the API key; <paramref name="body"/> is sent as JSON.</summary>
    public Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, Admin + path);
        request.Headers.Add("X-Api-Key", TestSite.AdminKey);
        if (body is not null)
        {
            request.Content = body is string raw ? new StringContent(raw, Encoding.UTF8, "application/json") : JsonContent.Create(body);
        }

        return Site.Http.SendAsync(request);
    }

    public async Task<JsonElement> AdminJsonAsync(HttpMethod method, string path, object? body = null)
    {
        using var response = await AdminAsync(method, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// Imports every customer of store uk and returns the import's final status. A scheduled catch-up or reconciliation
    /// (every second or two in some tests) may be running when the import is asked for: a store runs one job at a time,
    /// so the import is asked again once that one is over, as an admin would.
    /// </summary>
    public async Task<JsonElement> ImportAllAsync()
    {
        string? id = null;
        await TestSite.EventuallyAsync(
            async () =>
            {
                using var response = await AdminAsync(HttpMethod.Post, "/import?store=uk");
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                if (response.StatusCode == HttpStatusCode.Conflict && body.GetProperty("error").GetString() == "job_running")
                {
                    await Task.Delay(200);
                    return false;
                }

                Assert.True(response.IsSuccessStatusCode, $"POST /import?store=uk: {(int)response.StatusCode} {body}");
                id = body.GetProperty("id").GetString();
                return true;
            },
            "no other job of the store runs and the import starts",
            TimeSpan.FromSeconds(60));
        return await WaitForJobAsync($"/import/{id}");
    }

    /// <summary>Polls the job's status until it is no longer running, as the admin screen does.</summary>
    public async Task<JsonElement> WaitForJobAsync(string path)
    {
        JsonElement status = default;
        await TestSite.EventuallyAsync(
            async () =>
            {
                status = await AdminJsonAsync(HttpMethod.Get, path);
                return status.GetProperty("status").GetString() != "running";
            },
            $"{path} finishes",
            TimeSpan.FromSeconds(120));
        return status;
    }

    public async ValueTask DisposeAsync()
    {
        await Site.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
