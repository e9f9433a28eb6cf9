using System.Globalization;

namespace OrchardShopify.Emulator;

/// <summary>
/// The two stores of the sample sites' demo mode (<c>uk</c> and <c>us</c>) on an emulator in the same process, and the
/// sync settings that point at them, under the configuration section a host reads them from (<c>Shopify</c> in the
/// ASP.NET Core site, <c>OrchardCore:OrchardShopify</c> in the Orchard Core site).
/// </summary>
public static class DemoStores
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

    /// <summary>Starts the emulator with both stores and <paramref name="customersPerShop"/> generated customers in each.</summary>
    public static Task<ShopifyEmulator> StartAsync(int customersPerShop, string urls, CancellationToken cancellationToken)
    {
        if (customersPerShop is < 0 or > 10_000)
        {
            throw new InvalidOperationException($"Site:Demo:CustomersPerShop must be between 0 and 10000 (was {customersPerShop}).");
        }

        return ShopifyEmulator.StartAsync(
            new EmulatorOptions
            {
                Shops = [UkDomain, UsDomain],
                CustomersPerShop = customersPerShop,
                Urls = urls,
            },
            cancellationToken);
    }

    /// <summary>The sync settings of demo mode under <paramref name="section"/>: both stores on the emulator, multi-store, both directions on.</summary>
    public static Dictionary<string, string?> Settings(ShopifyEmulator emulator, string section)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        var settings = new Dictionary<string, string?>
        {
            [section + ":MultiStore"] = "true",
            [section + ":CreateUsersFromShopify"] = "true",
            [section + ":UpdateUsersInShopify"] = "true",
            [section + ":DefaultCountryCallingCode"] = "44",
        };
        foreach (var (handle, domain) in Stores)
        {
            var prefix = $"{section}:Stores:{handle}:";
            settings[prefix + "ShopDomain"] = domain;
            settings[prefix + "AccessToken"] = emulator.Options.AccessToken;
            settings[prefix + "WebhookSecret"] = emulator.Options.WebhookSecret;
            settings[prefix + "ApiBaseUrl"] = new Uri(emulator.BaseUrl, string.Create(CultureInfo.InvariantCulture, $"shops/{domain}/")).ToString();
        }

        return settings;
    }
}
