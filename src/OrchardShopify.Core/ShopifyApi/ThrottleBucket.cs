using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>Shopify's <c>extensions.cost.throttleStatus</c>.</summary>
internal sealed record ThrottleStatus(double MaximumAvailable, double CurrentlyAvailable, double RestoreRate);

/// <summary>A reservation of <see cref="Cost"/> points, the <see cref="Sequence"/>th made, after waiting <see cref="Waited"/>.</summary>
internal readonly record struct ThrottleReservation(int Cost, long Sequence, TimeSpan Waited);

/// <summary>
/// A local mirror of Shopify's cost-based leaky bucket for one (store, token). Callers reserve the estimated cost
/// before sending and wait while the bucket is too low; a response resets the mirror to what Shopify reports, unless
/// the response of a later request has done so already: parallel callers' responses can arrive in another order than
/// their requests, and the status of an earlier request does not count what the later ones were charged.
/// </summary>
internal sealed class ThrottleBucket : IDisposable
{
    // Until Shopify reports the real bucket, assume the smallest plan (older Standard: 1,000 points, 50/s).
    internal const double InitialMaximum = 1000;
    internal const double InitialRestoreRate = 50;

    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _queue = new(1, 1);
    private double _maximum = InitialMaximum;
    private double _available = InitialMaximum;
    private double _restoreRate = InitialRestoreRate;
    private double _reserved;
    private long _stamp;
    private long _reservations;
    private long _statusOf;

    internal ThrottleBucket(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _stamp = timeProvider.GetTimestamp();
    }

    /// <summary>Points available now, by the local mirror.</summary>
    public double Available
    {
        get
        {
            lock (_gate)
            {
                Refill();
                return _available;
            }
        }
    }

    public double RestoreRate
    {
        get
        {
            lock (_gate)
            {
                return _restoreRate;
            }
        }
    }

    public double MaximumAvailable
    {
        get
        {
            lock (_gate)
            {
                return _maximum;
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="cost"/> points are available, then reserves them. Callers queue in arrival order,
    /// so a large query is not starved by a stream of small ones.
    /// </summary>
    public async Task<ThrottleReservation> AcquireAsync(int cost, CancellationToken cancellationToken)
    {
        var waited = TimeSpan.Zero;
        await _queue.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (_gate)
                {
                    Refill();
                    var needed = Math.Min(cost, _maximum);
                    if (_available + 1e-6 >= needed)
                    {
                        _available -= cost;
                        _reserved += cost;
                        return new ThrottleReservation(cost, ++_reservations, waited);
                    }

                    wait = TimeSpan.FromSeconds((needed - _available) / _restoreRate);
                }

                // Round up to whole milliseconds so a timer never fires just before the points are there.
                wait = TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds));
                await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
                waited += wait;
            }
        }
        finally
        {
            _queue.Release();
        }
    }

    /// <summary>
    /// Ends a reservation. With Shopify's status the mirror takes its numbers (less what other callers still have in
    /// flight), unless a later reservation's status was taken already: the server answered this request before that one,
    /// so its numbers are older (what other callers have in flight stays counted until they end). Without a status,
    /// requested minus actual cost is refunded.
    /// </summary>
    public void Settle(ThrottleReservation reservation, double? actualCost, ThrottleStatus? status)
    {
        lock (_gate)
        {
            Refill();
            _reserved = Math.Max(0, _reserved - reservation.Cost);
            if (status is not null && status.RestoreRate > 0 && status.MaximumAvailable > 0)
            {
                if (reservation.Sequence > _statusOf)
                {
                    _statusOf = reservation.Sequence;
                    _maximum = status.MaximumAvailable;
                    _restoreRate = status.RestoreRate;
                    _available = status.CurrentlyAvailable - _reserved;
                    _stamp = _timeProvider.GetTimestamp();
                }
            }
            else
            {
                _available = Math.Min(_maximum, _available + reservation.Cost - (actualCost ?? 0));
            }
        }
    }

    public void Dispose() => _queue.Dispose();

    private void Refill()
    {
        var now = _timeProvider.GetTimestamp();
        var elapsed = _timeProvider.GetElapsedTime(_stamp, now).TotalSeconds;
        _stamp = now;
        if (elapsed > 0)
        {
            _available = Math.Min(_maximum, _available + (elapsed * _restoreRate));
        }
    }
}

/// <summary>One <see cref="ThrottleBucket"/> per (store, access token), shared by every caller in the process.</summary>
public sealed class ThrottleBucketRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, ThrottleBucket> _buckets = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    public ThrottleBucketRegistry(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    internal ThrottleBucket For(ShopifyStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return _buckets.GetOrAdd(KeyOf(store), _ => new ThrottleBucket(_timeProvider));
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets.Values)
        {
            bucket.Dispose();
        }
    }

    // Shopify's limit is per app and store; the token stands for the app. Only a hash of it is kept.
    private static string KeyOf(ShopifyStore store)
    {
        var tokenHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(store.AccessToken ?? "")), 0, 8);
        return $"{store.ApiBaseUrl.AbsoluteUri}|{store.ShopDomain}|{tokenHash}";
    }
}
