using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>Wakes this node's idle workers when work is stored here, so they need not wait for the next poll.</summary>
internal sealed class WorkSignals : IDisposable
{
    private readonly SemaphoreSlim _inbound = new(0, 1);
    private readonly SemaphoreSlim _outbound = new(0, 1);

    public void Wake(WorkKind kind)
    {
        var signal = For(kind);
        if (signal.CurrentCount == 0)
        {
            try
            {
                signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled by a concurrent writer.
            }
        }
    }

    /// <summary>Blocks the calling thread (a worker's own) until woken or the timeout.</summary>
    public bool Wait(WorkKind kind, TimeSpan timeout, CancellationToken cancellationToken) => For(kind).Wait(timeout, cancellationToken);

    public void Dispose()
    {
        _inbound.Dispose();
        _outbound.Dispose();
    }

    private SemaphoreSlim For(WorkKind kind) => kind == WorkKind.InboundDelivery ? _inbound : _outbound;
}
