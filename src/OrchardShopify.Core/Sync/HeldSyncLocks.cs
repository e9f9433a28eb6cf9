using OrchardShopify.Core.Ports;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// The <see cref="ISyncLock"/> keys the current flow already holds, taken together by whoever opened a write
/// transaction around a run of work (the host's batch of deliveries or of imported customers). Lock order: a customer's
/// lock is always taken before a write transaction, never inside one – SQLite has one writer, and a flow holding a
/// customer's lock (a push remembering Shopify's answer, an administrator's link) then waits for it. So a batch takes
/// every customer lock its run needs, in one sorted order, before it opens its transaction; the work it runs finds its
/// customer's lock here and goes on without waiting for it again (the in-process lock is not re-entrant, and on
/// PostgreSQL asking again costs a round trip).
/// </summary>
internal static class HeldSyncLocks
{
    private static readonly AsyncLocal<IReadOnlySet<string>?> Ambient = new();

    /// <summary>An empty handle: the lock was held already, and stays held by whoever took it.</summary>
    private static readonly IAsyncDisposable AlreadyHeld = new NothingToRelease();

    /// <summary>
    /// Marks <paramref name="keys"/> as held by the calling method and what it calls, until <see cref="Leave"/>. The caller
    /// must hold them (and release them itself).
    /// </summary>
    public static void Enter(IReadOnlySet<string> keys) => Ambient.Value = keys;

    public static void Leave() => Ambient.Value = null;

    /// <summary>True when the current flow holds <paramref name="key"/> (<see cref="Enter"/>).</summary>
    public static bool Holds(string key) => Ambient.Value?.Contains(key) == true;

    /// <summary><see cref="ISyncLock.AcquireAsync"/>, unless the current flow holds the key already: then an empty handle at once.</summary>
    public static ValueTask<IAsyncDisposable> AcquireUnlessHeldAsync(this ISyncLock locks, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(locks);
        return Holds(key) ? ValueTask.FromResult(AlreadyHeld) : locks.AcquireAsync(key, cancellationToken);
    }

    /// <summary>
    /// Takes the keys the current flow does not hold yet, in their order: in one call where the lock can
    /// (<see cref="IBulkSyncLock"/>), else one after another. Nothing is asked for when the flow holds them all.
    /// </summary>
    public static async ValueTask<IAsyncDisposable> AcquireAllUnlessHeldAsync(this ISyncLock locks, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(locks);
        ArgumentNullException.ThrowIfNull(keys);
        var missing = keys.Where(k => !Holds(k)).ToList();
        if (missing.Count == 0)
        {
            return AlreadyHeld;
        }

        if (locks is IBulkSyncLock bulk)
        {
            return await bulk.AcquireAllAsync(missing, cancellationToken);
        }

        var held = new List<IAsyncDisposable>(missing.Count);
        try
        {
            foreach (var key in missing)
            {
                held.Add(await locks.AcquireAsync(key, cancellationToken));
            }
        }
        catch
        {
            await ReleaseAsync(held);
            throw;
        }

        return new AllHeld(held);
    }

    private static async ValueTask ReleaseAsync(List<IAsyncDisposable> held)
    {
        for (var i = held.Count - 1; i >= 0; i--)
        {
            await held[i].DisposeAsync();
        }
    }

    private sealed class AllHeld(List<IAsyncDisposable> held) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync() => Interlocked.Exchange(ref _released, 1) == 0 ? ReleaseAsync(held) : ValueTask.CompletedTask;
    }

    private sealed class NothingToRelease : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
