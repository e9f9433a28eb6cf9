using Microsoft.Extensions.Time.Testing;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.ShopifyApi.Tests;

/// <summary>
/// The client's mirror of Shopify's cost bucket with parallel callers, whose responses can arrive in another order than
/// their requests (time stands still here: no points are restored between the steps).
/// </summary>
public sealed class ThrottleBucketTests
{
    [Fact]
    public async Task An_earlier_requests_status_arriving_last_does_not_raise_the_mirror_above_what_shopify_has_left()
    {
        using var bucket = new ThrottleBucket(new FakeTimeProvider());
        var first = await bucket.AcquireAsync(10, CancellationToken.None);
        var second = await bucket.AcquireAsync(10, CancellationToken.None);

        // Shopify charged the first request, then the second (2,000 → 1,990 → 1,980); the second's answer comes first.
        bucket.Settle(second, 10, new ThrottleStatus(2000, 1980, 100));
        bucket.Settle(first, 10, new ThrottleStatus(2000, 1990, 100));

        // Taking the first's numbers last would give 1,990 points that Shopify does not have: the next calls would be
        // sent into a THROTTLED answer once the bucket runs low.
        Assert.True(bucket.Available <= 1980, $"the mirror has {bucket.Available} points; Shopify has 1,980 left");
        Assert.Equal(2000, bucket.MaximumAvailable);
        Assert.Equal(100, bucket.RestoreRate);

        // A later request's status is taken as it is, whatever the mirror held.
        var third = await bucket.AcquireAsync(10, CancellationToken.None);
        bucket.Settle(third, 10, new ThrottleStatus(2000, 1970, 100));
        Assert.Equal(1970, bucket.Available, precision: 6);
    }

    [Fact]
    public async Task Responses_in_request_order_each_set_the_mirror_less_what_is_still_in_flight()
    {
        using var bucket = new ThrottleBucket(new FakeTimeProvider());
        var first = await bucket.AcquireAsync(10, CancellationToken.None);
        var second = await bucket.AcquireAsync(10, CancellationToken.None);

        bucket.Settle(first, 10, new ThrottleStatus(2000, 1990, 100));
        Assert.Equal(1980, bucket.Available, precision: 6);
        bucket.Settle(second, 10, new ThrottleStatus(2000, 1980, 100));
        Assert.Equal(1980, bucket.Available, precision: 6);
    }
}
