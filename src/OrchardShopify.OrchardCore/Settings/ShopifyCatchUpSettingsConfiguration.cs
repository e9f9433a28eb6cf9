using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.OrchardCore.Settings;

/// <summary>
/// Lays the host values saved on the site over the tenant configuration (<c>OrchardCore:OrchardShopify</c>): the catch-up
/// (on or off, interval), the scheduled reconciliation (on or off, interval), the drift threshold and the automatic
/// re-registration of webhooks; a value not saved on the site keeps the configured one.
/// </summary>
internal sealed class ShopifyCatchUpSettingsConfiguration : IPostConfigureOptions<ShopifyHostOptions>
{
    private readonly ShopifySyncSettingsSnapshot _snapshot;

    public ShopifyCatchUpSettingsConfiguration(ShopifySyncSettingsSnapshot snapshot)
    {
        _snapshot = snapshot;
    }

    public void PostConfigure(string? name, ShopifyHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_snapshot.Current is { } settings)
        {
            Apply(settings, options.CatchUp);
            ApplyReconciliation(settings, options);
        }
    }

    /// <summary>The scheduled reconciliation, drift threshold and automatic webhook registration saved on the site.</summary>
    public static void ApplyReconciliation(ShopifySyncSettings settings, ShopifyHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        options.ScheduledReconciliation.Enabled = settings.ScheduledReconciliationEnabled ?? options.ScheduledReconciliation.Enabled;
        options.ScheduledReconciliation.Interval = settings.ScheduledReconciliationInterval ?? options.ScheduledReconciliation.Interval;
        options.HealthMaxReconciliationDrift = settings.HealthMaxReconciliationDrift ?? options.HealthMaxReconciliationDrift;
        options.AutoRegisterWebhooks = settings.AutoRegisterWebhooks ?? options.AutoRegisterWebhooks;
    }

    public static void Apply(ShopifySyncSettings settings, ShopifyCatchUpOptions options)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        options.Enabled = settings.CatchUpEnabled ?? options.Enabled;
        options.Interval = settings.CatchUpInterval ?? options.Interval;
    }
}
