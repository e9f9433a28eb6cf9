using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Core.Ports;
using OrchardShopify.Emulator;
using OrchardShopify.Web.Hosting;

namespace OrchardShopify.Web.Demo;

/// <summary>Demo mode: the Shopify emulator in this process with two stores, and the sync settings that point at it.</summary>
internal static class DemoShopify
{
    public const string UkHandle = DemoStores.UkHandle;
    public const string UsHandle = DemoStores.UsHandle;
    public const string UkDomain = DemoStores.UkDomain;
    public const string UsDomain = DemoStores.UsDomain;

    public static IReadOnlyDictionary<string, string> Stores => DemoStores.Stores;

    /// <summary>Demo mode unless a store is configured (or <c>Site:Demo:Enabled</c> says otherwise).</summary>
    public static bool IsWanted(IConfiguration configuration, SiteOptions site)
    {
        if (site.Demo.Enabled is { } explicitly)
        {
            return explicitly;
        }

        return !configuration.GetSection("Shopify:Stores").GetChildren().Any(store => !string.IsNullOrWhiteSpace(store["ShopDomain"]));
    }

    /// <summary>
    /// The emulator starts empty every time: the links and log entries of the previous run name customers that no longer
    /// exist (and whose ids new customers will get), so they are removed. Users, settings and import history stay.
    /// </summary>
    public static async Task ForgetPreviousRunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var links = services.GetRequiredService<ICustomerLinkStore>();
        var log = services.GetRequiredService<ISyncLog>();
        foreach (var handle in Stores.Keys)
        {
            await links.RemoveStoreAsync(handle, cancellationToken);
            await log.EraseStoreAsync(handle, cancellationToken);
        }
    }

    public static Task<ShopifyEmulator> StartAsync(DemoOptions options, CancellationToken cancellationToken)
        => DemoStores.StartAsync(options.CustomersPerShop, options.EmulatorUrls, cancellationToken);

    /// <summary>
    /// The sync settings of demo mode: both stores on the emulator, multi-store, both directions on. They are
    /// defaults: any other configuration source (appsettings, environment) still wins.
    /// </summary>
    public static Dictionary<string, string?> Settings(ShopifyEmulator emulator) => DemoStores.Settings(emulator, "Shopify");
}
