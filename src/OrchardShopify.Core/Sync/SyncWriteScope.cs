namespace OrchardShopify.Core.Sync;

/// <summary>
/// Marks user writes made by the sync itself, so the host's "user changed" events that those writes
/// raise (on the same async flow) do not schedule a push back to Shopify.
/// </summary>
public static class SyncWriteScope
{
    private static readonly AsyncLocal<int> Depth = new();

    /// <summary>True while the current flow is inside <see cref="Begin"/>.</summary>
    public static bool IsActive => Depth.Value > 0;

    public static IDisposable Begin()
    {
        Depth.Value++;
        return new Exit();
    }

    private sealed class Exit : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                Depth.Value--;
            }
        }
    }
}
