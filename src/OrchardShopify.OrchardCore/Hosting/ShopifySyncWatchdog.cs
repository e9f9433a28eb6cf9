using Microsoft.Extensions.DependencyInjection;
using OrchardCore.BackgroundTasks;
using OrchardCore.Settings;

namespace OrchardShopify.OrchardCore.Hosting;

/// <summary>
/// Every minute: re-reads the saved settings (so a change saved on another node applies here once the
/// site settings cache sees it) and starts the workers if an earlier start failed.
/// </summary>
[BackgroundTask(
    Title = "Shopify sync watchdog",
    Schedule = "* * * * *",
    Description = "Applies saved Shopify settings and restarts the Shopify sync workers after a failure.")]
internal sealed class ShopifySyncWatchdog : IBackgroundTask
{
    public Task DoWorkAsync(IServiceProvider serviceProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serviceProvider);
        return SyncSettingsApplier.ApplySavedSettingsAsync(serviceProvider, cancellationToken);
    }
}

internal static class SyncSettingsApplier
{
    /// <summary>Applies the stored settings to the running sync; <paramref name="services"/> belongs to a tenant scope.</summary>
    public static Task ApplySavedSettingsAsync(IServiceProvider services, CancellationToken cancellationToken = default) =>
        services.GetRequiredService<TenantSyncLifetime>().RefreshAsync(services.GetRequiredService<ISiteService>(), cancellationToken);
}
