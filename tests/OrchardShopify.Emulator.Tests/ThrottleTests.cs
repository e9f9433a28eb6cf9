using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using OrchardShopify.Emulator.Tests.Infrastructure;
using OrchardShopify.Emulator.Throttling;

namespace OrchardShopify.Emulator.Tests;

public sealed class ThrottleTests
{
    private const string Page250 = "{ customers(first: 250) { nodes { id } } }";

    [Fact]
    public async Task Query_cost_follows_Shopify_connection_and_object_rules()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);

        var page = await client.SendAsync("{ customers(first: 10) { nodes { id defaultAddress { city } } } }");
        var mutation = await client.SendAsync("mutation { customerCreate(input: {firstName: \"Cost\"}) { customer { id } userErrors { message } } }");

        Assert.Equal(2 + (10 * 2), page.Cost["requestedQueryCost"]!.GetValue<int>());
        Assert.Equal(2 + (10 * 2), page.Cost["actualQueryCost"]!.GetValue<int>());
        Assert.Equal(10, mutation.Cost["requestedQueryCost"]!.GetValue<int>());
        Assert.Equal(2000, page.Cost["throttleStatus"]!["maximumAvailable"]!.GetValue<double>());
        Assert.Equal(100, page.Cost["throttleStatus"]!["restoreRate"]!.GetValue<double>());
    }

    [Fact]
    public async Task Actual_cost_counts_returned_objects_and_the_difference_is_refunded()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 20, TimeProvider = clock });
        using var client = new AdminClient(emulator);

        var response = await client.SendAsync(Page250);

        Assert.Equal(252, response.Cost["requestedQueryCost"]!.GetValue<int>());
        Assert.Equal(22, response.Cost["actualQueryCost"]!.GetValue<int>());
        Assert.Equal(2000 - 22, response.Cost["throttleStatus"]!["currentlyAvailable"]!.GetValue<int>());
    }

    [Fact]
    public async Task Single_query_over_1000_points_is_rejected_with_MAX_COST_EXCEEDED()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);

        var response = await client.SendAsync("{ customers(first: 250) { nodes { id orders(first: 10) { nodes { id } } } } }");

        Assert.Null(response.Data);
        Assert.Equal("MAX_COST_EXCEEDED", response.FirstErrorCode);
        Assert.Equal(2 + (250 * (1 + 2 + 10)), response.Cost["requestedQueryCost"]!.GetValue<int>());
    }

    [Fact]
    public async Task Empty_bucket_answers_200_THROTTLED_without_data_and_recovers_with_time()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { Shops = ["full.myshopify.com"], CustomersPerShop = 250, TimeProvider = clock });
        using var client = new AdminClient(emulator);
        var successes = 0;
        while ((await client.SendAsync(Page250)).Errors is null)
        {
            successes++;
            Assert.True(successes < 100, "bucket never emptied");
        }

        var throttled = await client.SendAsync(Page250);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        var stillThrottled = await client.SendAsync(Page250);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        var recovered = await client.SendAsync(Page250);

        Assert.Equal(7, successes);
        Assert.Equal(HttpStatusCode.OK, throttled.Status);
        Assert.Equal("Throttled", throttled.FirstErrorMessage);
        Assert.Equal("THROTTLED", throttled.FirstErrorCode);
        Assert.False(throttled.Body.ContainsKey("data"));
        Assert.Equal(2000 - (7 * 252), throttled.Cost["throttleStatus"]!["currentlyAvailable"]!.GetValue<int>());
        Assert.Equal("THROTTLED", stillThrottled.FirstErrorCode);
        Assert.Null(recovered.Errors);
        Assert.Equal(250, recovered.Data!["customers"]!["nodes"]!.AsArray().Count);
    }

    [Fact]
    public async Task Buckets_are_per_shop()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1, TimeProvider = clock });
        using var client = new AdminClient(emulator, Emulators.Uk);
        using var drain = await client.Http.PostAsync(new Uri(emulator.BaseUrl, $"_emulator/shops/{Emulators.Uk}/throttle/drain"), null);

        var uk = await client.SendAsync("{ shop { name } }");
        var us = await client.SendAsync("{ shop { name } }", shop: Emulators.Us);

        Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
        Assert.Equal("THROTTLED", uk.FirstErrorCode);
        Assert.Null(us.Errors);
    }

    [Theory]
    [InlineData(ShopifyPlan.Standard, 2000, 100)]
    [InlineData(ShopifyPlan.Advanced, 4000, 200)]
    [InlineData(ShopifyPlan.Plus, 20000, 1000)]
    public async Task Plan_sets_bucket_size_and_restore_rate(ShopifyPlan plan, int bucket, int restore)
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1, Plan = plan });
        using var client = new AdminClient(emulator);

        var response = await client.SendAsync("{ shop { name } }");

        Assert.Equal(bucket, response.Cost["throttleStatus"]!["maximumAvailable"]!.GetValue<double>());
        Assert.Equal(restore, response.Cost["throttleStatus"]!["restoreRate"]!.GetValue<double>());
    }

    [Fact]
    public async Task Throttle_storm_and_server_error_faults_are_switchable_at_run_time()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1 });
        using var client = new AdminClient(emulator);
        var faults = new Uri(emulator.BaseUrl, "_emulator/faults");

        using (await client.Http.PostAsJsonAsync(faults, new { throttleRate = 1.0 }))
        {
        }

        var storm = await client.SendAsync("{ shop { name } }");
        using (await client.Http.PostAsJsonAsync(faults, new { throttleRate = 0.0, serverErrorRate = 1.0 }))
        {
        }

        var outage = await client.SendAsync("{ shop { name } }");
        using (await client.Http.DeleteAsync(faults))
        {
        }

        var healthy = await client.SendAsync("{ shop { name } }");

        Assert.Equal("THROTTLED", storm.FirstErrorCode);
        Assert.True((int)outage.Status is 502 or 503, outage.Status.ToString());
        Assert.Null(healthy.Errors);
    }
}
