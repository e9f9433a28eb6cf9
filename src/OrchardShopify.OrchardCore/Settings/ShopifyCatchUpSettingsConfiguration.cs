using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.OrchardCore.Settings;

/// <summary>
/// Lays the catch-up values saved on the site (on or off, interval) over the tenant configuration
/// (<c>OrchardCore:OrchardShopify:CatchUp</c>); a value not saved on the site keeps the configured one.
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
        }
    }

    public static void Apply(ShopifySyncSettings settings, ShopifyCatchUpOptions options)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        options.Enabled = settings.CatchUpEnabled ?? options.Enabled;
        options.Interval = settings.CatchUpInterval ?? options.Interval;
    }
}
