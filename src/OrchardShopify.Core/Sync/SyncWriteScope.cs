namespace OrchardShopify.Core.Sync;

/// <summary>
/// Marks user writes made by the sync itself, so the host's "user changed" events that those writes raise
/// (on the same async flow) do not schedule a push back to Shopify. The rule and its flag live in
/// <see cref="EchoRules"/> (<see cref="EchoRules.SyncWrite"/>, <see cref="EchoRules.IsSyncWrite"/>); this is the
/// name hosts' own seeding code uses for it.
/// </summary>
public static class SyncWriteScope
{
    /// <summary>True while the current flow is inside <see cref="Begin"/> (<see cref="EchoRules.IsSyncWrite"/>).</summary>
    public static bool IsActive => EchoRules.IsSyncWrite;

    /// <summary>Starts a sync write (<see cref="EchoRules.SyncWrite"/>); dispose to end it.</summary>
    public static IDisposable Begin() => EchoRules.SyncWrite();
}
