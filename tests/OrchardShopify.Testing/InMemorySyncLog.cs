using System.Collections.Concurrent;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.Testing;

public sealed class InMemorySyncLog : ISyncLog
{
    private readonly ConcurrentQueue<SyncLogEntry> _entries = new();
    private readonly Lock _gate = new();

    public IReadOnlyList<SyncLogEntry> Entries => [.. _entries];

    public ValueTask RecordAsync(SyncLogEntry entry, CancellationToken cancellationToken)
    {
        _entries.Enqueue(entry);
        return ValueTask.CompletedTask;
    }

    public ValueTask EraseCustomerAsync(string storeHandle, long customerId, CancellationToken cancellationToken)
        => Erase(e => e.StoreHandle == storeHandle && e.CustomerId == customerId);

    public ValueTask EraseStoreAsync(string storeHandle, CancellationToken cancellationToken)
        => Erase(e => e.StoreHandle == storeHandle);

    private ValueTask Erase(Func<SyncLogEntry, bool> erased)
    {
        lock (_gate)
        {
            var keep = _entries.Where(e => !erased(e)).ToList();
            _entries.Clear();
            foreach (var entry in keep)
            {
                _entries.Enqueue(entry);
            }
        }

        return ValueTask.CompletedTask;
    }
}

public sealed class InMemoryOutboundQueue : IOutboundSyncQueue
{
    private readonly ConcurrentQueue<OutboundPush> _pushes = new();

    public int Count => _pushes.Count;

    public IReadOnlyList<OutboundPush> Pending => [.. _pushes];

    public ValueTask EnqueueAsync(OutboundPush push, CancellationToken cancellationToken)
    {
        _pushes.Enqueue(push);
        return ValueTask.CompletedTask;
    }

    public bool TryTake(out OutboundPush push) => _pushes.TryDequeue(out push!);
}
