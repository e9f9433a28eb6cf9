namespace OrchardShopify.Core.Ports;

/// <summary>
/// Serializes the sync's work on one key – one Shopify customer of a store for the inbound sync, one user of a store
/// for the outbound push – so two deliveries of the same customer never look for, create or link its user at the same
/// time. Everything that applies changes for the same storage must share one lock: the default
/// (<see cref="InProcessSyncLock"/>) covers one process; hosts with several nodes on one database supply a lock that
/// spans them (the ASP.NET Core host uses PostgreSQL advisory locks).
/// </summary>
public interface ISyncLock
{
    /// <summary>Waits until no one else holds <paramref name="key"/>, then holds it until the returned handle is disposed.</summary>
    ValueTask<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken);
}

/// <summary>An <see cref="ISyncLock"/> that takes many keys in one call: fewer round trips for a run of new customers.</summary>
internal interface IBulkSyncLock
{
    /// <summary>Holds every key of <paramref name="keys"/>, taken in their order, until the returned handle is disposed.</summary>
    ValueTask<IAsyncDisposable> AcquireAllAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);
}

/// <summary>Key shapes shared by every <see cref="ISyncLock"/> user, so locks taken by different components meet.</summary>
public static class SyncLockKeys
{
    /// <summary>One Shopify customer of one store (inbound: create, update, delete, redact, import, reconciliation).</summary>
    public static string Customer(string storeHandle, long customerId) => $"customer\n{storeHandle}\n{customerId}";

    /// <summary>One site user pushed to one store (outbound).</summary>
    public static string UserPush(string storeHandle, string userId) => $"user\n{storeHandle}\n{userId}";
}

/// <summary>An <see cref="ISyncLock"/> for one process: one async lock per key, forgotten when nobody holds or waits for it.</summary>
public sealed class InProcessSyncLock : ISyncLock
{
    private readonly Sync.KeyedAsyncLock _locks = new();

    public async ValueTask<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new Handle(await _locks.AcquireAsync(key, cancellationToken));
    }

    private sealed class Handle(IDisposable held) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            held.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
