using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace OrchardShopify.ShopifyApi.Tests.Support;

/// <summary>
/// <see cref="FakeTimeProvider"/> (time and timers move only when the test advances them) that also notes when each
/// timer was set to fire, so a test can wait until the client has started waiting before it moves the clock.
/// </summary>
internal sealed class ObservedTimeProvider() : FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero))
{
    private readonly ConcurrentBag<DateTimeOffset> _dueAt = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _dueAt.Add(GetUtcNow() + dueTime);
        }

        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>True when a timer set at the current time is due exactly <paramref name="dueIn"/> from now.</summary>
    public bool HasTimerDueIn(TimeSpan dueIn) => _dueAt.Contains(GetUtcNow() + dueIn);
}
