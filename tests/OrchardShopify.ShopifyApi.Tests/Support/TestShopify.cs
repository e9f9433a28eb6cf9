using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.ShopifyApi.Tests.Support;

/// <summary>Builds the clients over a stub handler, the way DI would.</summary>
internal sealed class TestShopify : IDisposable
{
    public const string Token = "shpat_0123456789abcdef0123456789abcdef";

    public TestShopify(ShopifyStub stub, TimeProvider? time = null, Action<ShopifyAdminClientOptions>? configure = null, Uri? apiBaseUrl = null, string? apiVersion = null)
    {
        Stub = stub;
        Time = time ?? TimeProvider.System;
        var options = new ShopifyAdminClientOptions { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromSeconds(5), BulkPollInitialDelay = TimeSpan.FromMilliseconds(1) };
        configure?.Invoke(options);
        Buckets = new ThrottleBucketRegistry(Time);
        Http = new HttpClient(stub) { Timeout = Timeout.InfiniteTimeSpan };
        Admin = new ShopifyAdminClient(Http, Buckets, new ShopifyAdminResilience(Options.Create(options), Time), NullLogger<ShopifyAdminClient>.Instance);
        Customers = new ShopifyCustomerClient(Admin);
        Webhooks = new WebhookSubscriptionClient(Admin);
        Bulk = new BulkCustomerExport(Admin, Time);
        Store = StoreFor("uk", "orchard-uk.myshopify.com", apiBaseUrl, apiVersion);
    }

    public ShopifyStub Stub { get; }

    public TimeProvider Time { get; }

    public ThrottleBucketRegistry Buckets { get; }

    public HttpClient Http { get; }

    public ShopifyAdminClient Admin { get; }

    public ShopifyCustomerClient Customers { get; }

    public WebhookSubscriptionClient Webhooks { get; }

    public BulkCustomerExport Bulk { get; }

    public ShopifyStore Store { get; }

    public static ShopifyStore StoreFor(string handle, string domain, Uri? apiBaseUrl = null, string? apiVersion = null, string token = Token) =>
        new(handle, new StoreOptions { ShopDomain = domain, AccessToken = token, ApiBaseUrl = apiBaseUrl, ApiVersion = apiVersion }, new ShopifySyncOptions());

    public void Dispose()
    {
        Http.Dispose();
        Buckets.Dispose();
    }
}

internal static class Eventually
{
    public static async Task True(Func<bool> condition, string what)
    {
        for (var i = 0; i < 500; i++)
        {
            if (condition())
            {
                return;
            }

            await Task.Delay(10);
        }

        Assert.Fail($"Timed out waiting until {what}.");
    }

    /// <summary>Gives pending continuations a moment, then checks that nothing happened.</summary>
    public static async Task StillFalse(Func<bool> condition)
    {
        await Task.Delay(100);
        Assert.False(condition());
    }
}
