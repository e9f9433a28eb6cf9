using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.ShopifyApi.Tests.Support;

namespace OrchardShopify.ShopifyApi.Tests;

/// <summary>The client as a host registers it (AddShopifyAdminApi): a throttled or failing store shows in logs and metrics before the last attempt fails.</summary>
public sealed class RetryTelemetryTests : IDisposable
{
    private readonly ConcurrentQueue<(string Event, string? Pipeline, string? Operation)> _events = new();
    private readonly MeterListener _listener = new();

    public RetryTelemetryTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Polly" && instrument.Name == "resilience.polly.strategy.events")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, _, tags, _) => Record(tags));
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) => Record(tags));
        _listener.Start();
    }

    [Fact]
    public async Task Each_retry_is_a_warning_naming_store_operation_and_attempt_and_a_counted_OnRetry_event_without_the_token()
    {
        var stub = new ShopifyStub((_, n) => n <= 2 ? ShopifyStub.Json("""{"errors":"Bad Gateway"}""", HttpStatusCode.BadGateway) : ShopifyStub.Data("""{"customer":null}"""));
        using var provider = Provider(stub, out var logs);
        var store = TestShopify.StoreFor("uk", "orchard-uk.myshopify.com");

        Assert.Null(await provider.GetRequiredService<ShopifyCustomerClient>().GetCustomerAsync(store, 1, CancellationToken.None));

        Assert.Equal(3, stub.Sent.Count);
        var warnings = logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning && r.Category == typeof(ShopifyAdminClient).FullName).Select(r => r.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.StartsWith("Shopify store uk: CustomerById attempt 1 of 3 failed (ServerError): ", warnings[0], StringComparison.Ordinal);
        Assert.EndsWith("; retrying", warnings[0], StringComparison.Ordinal);
        Assert.StartsWith("Shopify store uk: CustomerById attempt 2 of 3 failed (ServerError): ", warnings[1], StringComparison.Ordinal);
        Assert.Equal(2, _events.Count(e => e == ("OnRetry", ShopifyAdminResilience.PipelineName, "uk/CustomerById")));
        Assert.Contains(logs.GetSnapshot(), r => r.Category?.StartsWith("Polly", StringComparison.Ordinal) == true && r.Message.Contains("OnRetry", StringComparison.Ordinal) && r.Message.Contains("uk/CustomerById", StringComparison.Ordinal));
        Assert.All(logs.GetSnapshot(), r => Assert.DoesNotContain(TestShopify.Token, string.Join(" ", r.StructuredState?.Select(p => p.Value) ?? []) + r.Message + r.Exception, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_throttled_store_is_logged_and_counted_before_the_last_attempt_fails()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Throttled(requested: 1, available: 1000, restoreRate: 1000));
        using var provider = Provider(stub, out var logs);
        var store = TestShopify.StoreFor("uk", "orchard-uk.myshopify.com");

        var error = await Assert.ThrowsAsync<ShopifyApiException>(() => provider.GetRequiredService<ShopifyCustomerClient>().GetCustomerAsync(store, 1, CancellationToken.None));

        Assert.Contains("gave up after 3 attempts", error.Message, StringComparison.Ordinal);
        var warnings = logs.GetSnapshot().Where(r => r.Category == typeof(ShopifyAdminClient).FullName && r.Level == LogLevel.Warning).Select(r => r.Message).ToList();
        Assert.Equal(3, warnings.Count);
        Assert.All(warnings[..2], w => Assert.Contains("failed (Throttled)", w, StringComparison.Ordinal));
        Assert.EndsWith("; giving up", warnings[2], StringComparison.Ordinal);
        Assert.Equal(2, _events.Count(e => e == ("OnRetry", ShopifyAdminResilience.PipelineName, "uk/CustomerById")));
    }

    public void Dispose() => _listener.Dispose();

    private static ServiceProvider Provider(ShopifyStub stub, out FakeLogCollector logs)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug)).AddFakeLogging();
        services.AddShopifyAdminApi(o => { o.MaxAttempts = 3; o.BaseDelay = TimeSpan.FromMilliseconds(1); o.MaxDelay = TimeSpan.FromMilliseconds(5); });
        services.AddHttpClient<ShopifyAdminClient>().ConfigurePrimaryHttpMessageHandler(() => stub);
        var provider = services.BuildServiceProvider();
        logs = provider.GetFakeLogCollector();
        return provider;
    }

    private void Record(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? name = null, pipeline = null, operation = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "event.name": name = tag.Value as string; break;
                case "pipeline.name": pipeline = tag.Value as string; break;
                case "operation.key": operation = tag.Value as string; break;
            }
        }

        _events.Enqueue((name ?? "", pipeline, operation));
    }
}
