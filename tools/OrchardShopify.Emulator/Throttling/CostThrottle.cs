using System.Collections.Concurrent;

namespace OrchardShopify.Emulator.Throttling;

public enum ShopifyPlan
{
    Standard,
    Advanced,
    Plus,
}

public sealed record PlanLimits(int RestoreRate, int BucketSize)
{
    public static PlanLimits For(ShopifyPlan plan) => plan switch
    {
        ShopifyPlan.Advanced => new PlanLimits(200, 4000),
        ShopifyPlan.Plus => new PlanLimits(1000, 20000),
        _ => new PlanLimits(100, 2000),
    };
}

public sealed record ThrottleStatus(int MaximumAvailable, double CurrentlyAvailable, int RestoreRate);

/// <summary>Shopify's calculated-cost leaky bucket, one per shop and access token.</summary>
public sealed class CostThrottle
{
    public const int MaxSingleQueryCost = 1000;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public CostThrottle(PlanLimits limits, TimeProvider time)
    {
        Limits = limits;
        _time = time;
    }

    public PlanLimits Limits { get; }

    /// <summary>Takes the requested cost from the bucket when it is available; otherwise leaves the bucket untouched.</summary>
    public bool TryConsume(string key, int requestedCost, out ThrottleStatus status)
    {
        var bucket = _buckets.GetOrAdd(key, _ => new Bucket(Limits.BucketSize, _time.GetUtcNow()));
        lock (bucket)
        {
            Refill(bucket);
            var granted = requestedCost <= bucket.Available;
            if (granted)
            {
                bucket.Available -= requestedCost;
            }

            status = Status(bucket);
            return granted;
        }
    }

    public ThrottleStatus Refund(string key, int amount)
    {
        var bucket = _buckets.GetOrAdd(key, _ => new Bucket(Limits.BucketSize, _time.GetUtcNow()));
        lock (bucket)
        {
            Refill(bucket);
            bucket.Available = Math.Min(Limits.BucketSize, bucket.Available + Math.Max(0, amount));
            return Status(bucket);
        }
    }

    public ThrottleStatus Peek(string key) => Refund(key, 0);

    /// <summary>Empties a bucket, as a burst of other traffic from the same app would.</summary>
    public void Drain(string key)
    {
        var bucket = _buckets.GetOrAdd(key, _ => new Bucket(Limits.BucketSize, _time.GetUtcNow()));
        lock (bucket)
        {
            bucket.Available = 0;
            bucket.LastRefill = _time.GetUtcNow();
        }
    }

    public void Reset() => _buckets.Clear();

    private void Refill(Bucket bucket)
    {
        var now = _time.GetUtcNow();
        var elapsed = (now - bucket.LastRefill).TotalSeconds;
        if (elapsed > 0)
        {
            bucket.Available = Math.Min(Limits.BucketSize, bucket.Available + (elapsed * Limits.RestoreRate));
            bucket.LastRefill = now;
        }
    }

    private ThrottleStatus Status(Bucket bucket) =>
        new(Limits.BucketSize, Math.Floor(bucket.Available), Limits.RestoreRate);

    private sealed class Bucket(double available, DateTimeOffset lastRefill)
    {
        public double Available { get; set; } = available;

        public DateTimeOffset LastRefill { get; set; } = lastRefill;
    }
}
