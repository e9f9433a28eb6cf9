using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Core.Ports;
using OrchardShopify.Emulator;
using OrchardShopify.Web.Hosting;

namespace OrchardShopify.Web.Demo;

/// <summary>
/// Demo mode: the Shopify emulator in this process with two stores, the sync settings that point at it, the demo
/// customers it seeds and what the start-up banner says about it. The only part of the site that knows the emulator.
/// </summary>
public sealed class DemoShopify : IAsyncDisposable
{
    public const string UkHandle = DemoStores.UkHandle;
    public const string UsHandle = DemoStores.UsHandle;
    public const string UkDomain = DemoStores.UkDomain;
    public const string UsDomain = DemoStores.UsDomain;

    private DemoShopify(ShopifyEmulator emulator)
    {
        Emulator = emulator;
    }

    public static IReadOnlyDictionary<string, string> Stores => DemoStores.Stores;

    /// <summary>The in-process Shopify.</summary>
    public ShopifyEmulator Emulator { get; }

    public Uri BaseUrl => Emulator.BaseUrl;

    /// <summary>Demo mode unless a store is configured (or <c>Site:Demo:Enabled</c> says otherwise).</summary>
    public static bool IsWanted(IConfiguration configuration, SiteOptions site)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(site);
        if (site.Demo.Enabled is { } explicitly)
        {
            return explicitly;
        }

        return !configuration.GetSection("Shopify:Stores").GetChildren().Any(store => !string.IsNullOrWhiteSpace(store["ShopDomain"]));
    }

    /// <summary>Starts the emulator when demo mode is wanted; null otherwise.</summary>
    internal static async Task<DemoShopify?> StartIfWantedAsync(IConfiguration configuration, SiteOptions site, CancellationToken cancellationToken)
        => IsWanted(configuration, site)
            ? new DemoShopify(await DemoStores.StartAsync(site.Demo.CustomersPerShop, site.Demo.EmulatorUrls, cancellationToken))
            : null;

    /// <summary>
    /// The sync settings of demo mode: both stores on the emulator, multi-store, both directions on. They are
    /// defaults: any other configuration source (appsettings, environment) still wins.
    /// </summary>
    internal Dictionary<string, string?> Settings() => DemoStores.Settings(Emulator, "Shopify");

    /// <summary>
    /// The emulator starts empty every time: the links and log entries of the previous run name customers that no longer
    /// exist (and whose ids new customers will get), so they are removed; then the demo customers are seeded. Users,
    /// settings and import history stay.
    /// </summary>
    internal async Task PrepareAsync(IServiceProvider services, Uri webhookUrl, string customerPassword, CancellationToken cancellationToken)
    {
        var links = services.GetRequiredService<ICustomerLinkStore>();
        var log = services.GetRequiredService<ISyncLog>();
        foreach (var handle in Stores.Keys)
        {
            await links.RemoveStoreAsync(handle, cancellationToken);
            await log.EraseStoreAsync(handle, cancellationToken);
        }

        await new DemoSeeder(services, Emulator).SeedAsync(webhookUrl, customerPassword, cancellationToken);
    }

    internal void WriteWhereItRuns(TextWriter output)
    {
        output.WriteLine("  demo mode: no store is configured, so a local Shopify emulator runs inside this process.");
        output.WriteLine($"  emulator: {BaseUrl} (control API {new Uri(BaseUrl, "_emulator/shops")})");
    }

    internal static void WriteAccounts(TextWriter output, string password)
    {
        output.WriteLine($"Demo customers (password {password}):");
        foreach (var account in DemoSeeder.Accounts)
        {
            output.WriteLine($"  {account.Email,-20} {account.FirstName} {account.LastName}, customer of {string.Join(" and ", account.Stores)}");
        }
    }

    /// <summary>The merchant's side of the demo: a customer created in the emulator as Shopify's admin would.</summary>
    internal string CreateCustomerCommand()
        => $"curl -X POST {new Uri(BaseUrl, $"_emulator/shops/{UkDomain}/customers")} -H 'Content-Type: application/json' -d '{{\"first_name\":\"Alan\",\"last_name\":\"Turing\",\"email\":\"alan@example.com\"}}'";

    public ValueTask DisposeAsync() => Emulator.DisposeAsync();
}
