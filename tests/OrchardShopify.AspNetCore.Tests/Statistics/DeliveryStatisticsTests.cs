using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;

namespace OrchardShopify.AspNetCore.Tests.Statistics;

public sealed class DeliveryStatisticsTests
{
    [Fact]
    public async Task Deliveries_and_failures_are_counted_per_hour_and_store_over_the_last_day()
    {
        await using var site = await TestSite.StartAsync();
        await SteveLastnameson.ArriveAsync(site, "wh-stats-steve");
        var log = site.Services.GetRequiredService<EfSyncLog>();
        var now = DateTimeOffset.UtcNow;
        var fiveHoursAgo = now.AddHours(-5);
        async Task AddAsync(DateTimeOffset at, string store, string direction, string topic, string outcome) => await log.AppendAsync(
            new SyncLogRow { At = UnixTime.From(at), StoreHandle = store, Direction = direction, Topic = topic, Outcome = outcome },
            CancellationToken.None);
        await AddAsync(fiveHoursAgo, "uk", "inbound", "customers/update", "updated");
        await AddAsync(fiveHoursAgo, "uk", "inbound", "customers/update", "stale");
        await AddAsync(fiveHoursAgo, "uk", "inbound", "customers/update", "failed");
        await AddAsync(fiveHoursAgo, "uk", "inbound", "customers/update", "deadlettered");
        await AddAsync(fiveHoursAgo, "uk", "outbound", "user/push", "updated");
        await AddAsync(fiveHoursAgo, "uk", "outbound", "user/push", "failed");
        await AddAsync(fiveHoursAgo, "uk", "inbound", "import/customers", "created");
        await AddAsync(fiveHoursAgo, "uk", "inbound", "reconcile/fix", "fixed:import");
        await AddAsync(now.AddHours(-30), "uk", "inbound", "customers/update", "updated");
        await AddAsync(now.AddHours(-2), "us", "inbound", "customers/create", "created");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/!/shopify/admin/api/statistics/deliveries");
        request.Headers.Add("X-Api-Key", TestSite.AdminKey);
        using var response = await site.Http.SendAsync(request);
        var chart = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var stores = chart.GetProperty("stores").EnumerateArray().ToDictionary(s => s.GetProperty("store").GetString()!);
        Assert.Equal(["uk", "us"], stores.Keys);
        var uk = stores["uk"];
        Assert.Equal(24, uk.GetProperty("hours").GetArrayLength());
        Assert.Equal((3L, 2L, 1L, 1L), (uk.GetProperty("deliveries").GetInt64(), uk.GetProperty("failures").GetInt64(), uk.GetProperty("pushes").GetInt64(), uk.GetProperty("pushFailures").GetInt64()));
        var hour = Bucket(uk, fiveHoursAgo);
        Assert.Equal((2L, 2L, 1L, 1L), (hour.GetProperty("deliveries").GetInt64(), hour.GetProperty("failures").GetInt64(), hour.GetProperty("pushes").GetInt64(), hour.GetProperty("pushFailures").GetInt64()));
        Assert.Equal(1, Bucket(stores["us"], now.AddHours(-2)).GetProperty("deliveries").GetInt64());
    }

    private static JsonElement Bucket(JsonElement series, DateTimeOffset at)
    {
        var start = new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, 0, 0, TimeSpan.Zero);
        return series.GetProperty("hours").EnumerateArray().Single(h => h.GetProperty("hour").GetDateTimeOffset() == start);
    }
}
