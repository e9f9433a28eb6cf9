using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Tests.Configuration;

/// <summary>The host's own settings are checked when the host starts, each fault named by its configuration key.</summary>
public sealed class HostOptionsValidationTests
{
    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.Empty(Errors([]));
        Assert.Empty(Errors(new Dictionary<string, string?> { ["Shopify:PublicUrls:0"] = "https://shop.example.com/", ["Shopify:PublicUrls:1"] = "http://127.0.0.1:5000" }));
    }

    [Theory]
    [InlineData("CustomerCacheDuration", "00:00:00", "Shopify:CustomerCacheDuration must be positive")]
    [InlineData("CustomerCacheDuration", "-00:01:00", "Shopify:CustomerCacheDuration must be positive")]
    [InlineData("CustomerCacheDuration", "2.00:00:00", "Shopify:CustomerCacheDuration must be positive and at most one day")]
    [InlineData("Queue:MaxAttempts", "0", "Shopify:Queue:MaxAttempts must be between 1 and 100 (was 0)")]
    [InlineData("Queue:BatchSize", "501", "Shopify:Queue:BatchSize must be between 1 and 500 (was 501)")]
    [InlineData("Queue:Concurrency", "0", "Shopify:Queue:Concurrency must be between 1 and 64 (was 0)")]
    [InlineData("Queue:Concurrency", "65", "Shopify:Queue:Concurrency must be between 1 and 64 (was 65)")]
    [InlineData("Queue:InboundWorkers", "0", "Shopify:Queue:InboundWorkers must be between 1 and 16 (was 0)")]
    [InlineData("Queue:InboundWorkers", "17", "Shopify:Queue:InboundWorkers must be between 1 and 16 (was 17)")]
    [InlineData("Queue:MinThreads", "-1", "Shopify:Queue:MinThreads must be between 0 (leave the thread pool as it is) and 1024 (was -1)")]
    [InlineData("Queue:MinThreads", "1025", "Shopify:Queue:MinThreads must be between 0 (leave the thread pool as it is) and 1024 (was 1025)")]
    [InlineData("Queue:LeaseDuration", "00:00:00.500", "Shopify:Queue:LeaseDuration must be at least one second")]
    [InlineData("Queue:WorkerNice", "-1", "Shopify:Queue:WorkerNice must be between 0 and 19 (was -1)")]
    [InlineData("Queue:WorkerNice", "20", "Shopify:Queue:WorkerNice must be between 0 and 19 (was 20)")]
    [InlineData("SyncLogRetention", "1.00:00:00", "Shopify:SyncLogRetention must be at least 2 days")]
    [InlineData("Storage:Provider", "PostgreSql", "Shopify:Storage:ConnectionString is required when Shopify:Storage:Provider is PostgreSql")]
    [InlineData("CatchUp:Interval", "00:00:00", "Shopify:CatchUp:Interval must be between 00:00:01 and 7.00:00:00 (was 00:00:00); set Shopify:CatchUp:Enabled to false")]
    [InlineData("CatchUp:Interval", "8.00:00:00", "Shopify:CatchUp:Interval must be between 00:00:01 and 7.00:00:00 (was 8.00:00:00)")]
    [InlineData("CatchUp:Overlap", "-00:00:01", "Shopify:CatchUp:Overlap must be between 00:00:00 and 01:00:00 (was -00:00:01)")]
    [InlineData("CatchUp:Overlap", "02:00:00", "Shopify:CatchUp:Overlap must be between 00:00:00 and 01:00:00 (was 02:00:00)")]
    [InlineData("ScheduledReconciliation:Interval", "00:00:00", "Shopify:ScheduledReconciliation:Interval must be between 00:00:01 and 31.00:00:00 (was 00:00:00); set Shopify:ScheduledReconciliation:Enabled to false")]
    [InlineData("ScheduledReconciliation:Interval", "32.00:00:00", "Shopify:ScheduledReconciliation:Interval must be between 00:00:01 and 31.00:00:00 (was 32.00:00:00)")]
    [InlineData("HealthMaxReconciliationDrift", "-1", "Shopify:HealthMaxReconciliationDrift must be 0 or more (was -1)")]
    [InlineData("HealthMaxReconciliationDriftShare", "1.5", "Shopify:HealthMaxReconciliationDriftShare must be between 0 and 1 (was 1.5)")]
    [InlineData("AdminApiKey", "short", "Shopify:AdminApiKey must be at least 16 characters when set")]
    [InlineData("PublicUrls:0", "shop.example.com", "Shopify:PublicUrls:0 must be the site's absolute http(s) address without a query")]
    [InlineData("PublicUrls:0", "ftp://shop.example.com/", "Shopify:PublicUrls:0 must be the site's absolute http(s) address without a query")]
    [InlineData("PublicUrls:0", "https://shop.example.com/?next=https://attacker.example", "Shopify:PublicUrls:0 must be the site's absolute http(s) address without a query")]
    public void A_bad_value_is_refused_with_its_key_named(string key, string value, string expected)
    {
        var errors = Errors(new Dictionary<string, string?> { [$"Shopify:{key}"] = value });

        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
        Assert.Single(errors);
    }

    [Fact]
    public void An_empty_drift_count_turns_the_count_check_off_and_the_share_is_off_by_default()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Shopify:HealthMaxReconciliationDrift"] = "" }).Build();
        var options = new ShopifyHostOptions();
        configuration.GetSection("Shopify").Bind(options);
        Assert.Null(options.HealthMaxReconciliationDrift);
        Assert.Null(options.HealthMaxReconciliationDriftShare);
        Assert.Equal((true, TimeSpan.FromDays(1), false), (options.ScheduledReconciliation.Enabled, options.ScheduledReconciliation.Interval, options.AutoRegisterWebhooks));
    }

    [Fact]
    public void Every_fault_is_reported_at_once()
    {
        var errors = Errors(new Dictionary<string, string?>
        {
            ["Shopify:CustomerCacheDuration"] = "00:00:00",
            ["Shopify:Queue:MaxAttempts"] = "0",
        });

        Assert.Equal(2, errors.Count);
    }

    private static List<string> Errors(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddOptions<ShopifyHostOptions>().Bind(configuration.GetSection("Shopify"));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<ShopifyHostOptions>>().Value;
        var result = new ShopifyHostOptionsValidator().Validate(Options.DefaultName, options);
        return result.Failed ? [.. result.Failures] : [];
    }
}
