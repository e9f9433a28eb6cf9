using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Core.Ports;
using OrchardShopify.Emulator;
using OrchardShopify.Web.Hosting;

namespace OrchardShopify.Web.Demo;

/// <summary>Demo mode: the Shopify emulator in this process with two stores, and the sync settings that point at it.</summary>
internal static class DemoShopify
{
    public const string UkHandle = "uk";
    public const string UsHandle = "us";
    public const string UkDomain = "uk-demo.myshopify.com";
    public const string UsDomain = "us-demo.myshopify.com";

    public static IReadOnlyDictionary<string, string> Stores { get; } = new Dictionary<string, string>
    {
        [UkHandle] = UkDomain,
        [UsHandle] = UsDomain,
    };

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
    {
        if (options.CustomersPerShop is < 0 or > 10_000)
        {
            throw new InvalidOperationException($"Site:Demo:CustomersPerShop must be between 0 and 10000 (was {options.CustomersPerShop}).");
        }

        return ShopifyEmulator.StartAsync(
            new EmulatorOptions
            {
                Shops = [UkDomain, UsDomain],
                CustomersPerShop = options.CustomersPerShop,
                Urls = options.EmulatorUrls,
            },
            cancellationToken);
    }

    /// <summary>
    /// The sync settings of demo mode: both stores on the emulator, multi-store, both directions on. They are
    /// defaults: any other configuration source (appsettings, environment) still wins.
    /// </summary>
    public static Dictionary<string, string?> Settings(ShopifyEmulator emulator)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Shopify:MultiStore"] = "true",
            ["Shopify:CreateUsersFromShopify"] = "true",
            ["Shopify:UpdateUsersInShopify"] = "true",
            ["Shopify:DefaultCountryCallingCode"] = "44",
        };
        foreach (var (handle, domain) in Stores)
        {
            var prefix = $"Shopify:Stores:{handle}:";
            settings[prefix + "ShopDomain"] = domain;
            settings[prefix + "AccessToken"] = emulator.Options.AccessToken;
            settings[prefix + "WebhookSecret"] = emulator.Options.WebhookSecret;
            settings[prefix + "ApiBaseUrl"] = new Uri(emulator.BaseUrl, string.Create(CultureInfo.InvariantCulture, $"shops/{domain}/")).ToString();
        }

        return settings;
    }
}
