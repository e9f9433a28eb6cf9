using System.Net.Http.Json;
using Microsoft.AspNetCore.Identity;
using OrchardCore.Environment.Shell;
using OrchardCore.Environment.Shell.Scope;
using OrchardCore.Users;
using OrchardCore.Users.Models;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Emulator;
using OrchardShopify.OrchardCore.Site.Hosting;

namespace OrchardShopify.OrchardCore.Site.Demo;

/// <summary>
/// Demo mode: the Shopify emulator in this process with two stores, the default tenant's sync settings pointing at it
/// (as configuration, <c>OrchardCore:OrchardShopify:*</c>), its webhooks registered to this site, and a demo member
/// who is a customer of both stores.
/// </summary>
internal static class DemoShopify
{
    public const string UkHandle = DemoStores.UkHandle;
    public const string UsHandle = DemoStores.UsHandle;
    public const string UkDomain = DemoStores.UkDomain;
    public const string UsDomain = DemoStores.UsDomain;

    private const string Section = "OrchardCore:OrchardShopify";

    public static IReadOnlyDictionary<string, string> Stores => DemoStores.Stores;

    /// <summary>Demo mode unless a store is configured (or <c>Site:Demo:Enabled</c> says otherwise).</summary>
    public static bool IsWanted(IConfiguration configuration, SampleSiteOptions site)
    {
        if (site.Demo.Enabled is { } explicitly)
        {
            return explicitly;
        }

        return !configuration.GetSection(Section + ":Stores").GetChildren().Any(store => !string.IsNullOrWhiteSpace(store["ShopDomain"]));
    }

    public static Task<ShopifyEmulator> StartAsync(SampleDemoOptions options, CancellationToken cancellationToken)
        => DemoStores.StartAsync(options.CustomersPerShop, options.EmulatorUrls, cancellationToken);

    /// <summary>The sync settings of demo mode: both stores on the emulator, multi-store, both directions on.</summary>
    public static Dictionary<string, string?> Settings(ShopifyEmulator emulator) => DemoStores.Settings(emulator, Section);

    /// <summary>
    /// Sets the default tenant up (its first request runs the setup recipe), registers the emulated stores' customer
    /// webhooks to this site, and creates the demo member and its customers in both stores (their webhooks link them).
    /// </summary>
    public static async Task PrepareAsync(IServiceProvider services, ShopifyEmulator emulator, Uri listening, SampleSiteOptions site, CancellationToken cancellationToken)
    {
        using (var http = new HttpClient { BaseAddress = listening })
        {
            using var response = await http.GetAsync(new Uri("/", UriKind.Relative), cancellationToken);
        }

        var callback = new Uri(site.PublicUrl ?? listening, "/!/shopify/webhook");
        var shellHost = services.GetRequiredService<IShellHost>();
        var created = false;
        var scope = await shellHost.GetScopeAsync(ShellSettings.DefaultShellName);
        await scope.UsingAsync(async shellScope =>
        {
            var registry = shellScope.ServiceProvider.GetService<StoreRegistry>();
            var subscriptions = shellScope.ServiceProvider.GetService<WebhookSubscriptionClient>();
            if (registry is null || subscriptions is null)
            {
                // The setup recipe did not enable the sync: nothing to register.
                return;
            }

            foreach (var store in registry.Stores)
            {
                await subscriptions.RegisterCustomerWebhooksAsync(store, callback, cancellationToken);
            }

            var users = shellScope.ServiceProvider.GetRequiredService<UserManager<IUser>>();
            if (await users.FindByEmailAsync(site.Demo.MemberEmail) is null)
            {
                var member = new User { UserName = site.Demo.MemberUserName, Email = site.Demo.MemberEmail, EmailConfirmed = true };
                var result = await users.CreateAsync(member, site.Demo.MemberPassword);
                created = result.Succeeded;
            }
        });

        if (!created)
        {
            return;
        }

        // Creating the member pushed it to both stores (update users in Shopify is on); give each customer an order
        // and an address as a merchant would in the Shopify admin, so the account page has something to show.
        using var control = new HttpClient { BaseAddress = emulator.BaseUrl };
        foreach (var (handle, domain) in Stores)
        {
            var customerId = await WaitForCustomerAsync(control, domain, site.Demo.MemberEmail, cancellationToken);
            if (customerId is not { } id)
            {
                continue;
            }

            var address = handle == UkHandle
                ? new { address1 = "1 Orchard Lane", city = "London", zip = "SW1A 1AA", countryCode = "GB" }
                : new { address1 = "1 Orchard Street", city = "Portland", zip = "97201", countryCode = "US" };
            using var updated = await control.PutAsJsonAsync(new Uri($"_emulator/shops/{domain}/customers/{id}", UriKind.Relative), new { customer = new { addresses = new[] { address } } }, cancellationToken);
            using var order = await control.PostAsync(new Uri($"_emulator/shops/{domain}/customers/{id}/orders", UriKind.Relative), null, cancellationToken);
        }
    }

    private static async Task<long?> WaitForCustomerAsync(HttpClient control, string domain, string email, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var customers = await control.GetFromJsonAsync<System.Text.Json.Nodes.JsonArray>(new Uri($"_emulator/shops/{domain}/customers?query=email:{Uri.EscapeDataString(email)}", UriKind.Relative), cancellationToken);
            if (customers is [{ } first, ..] && first["id"]?.GetValue<long>() is { } id)
            {
                return id;
            }

            await Task.Delay(200, cancellationToken);
        }

        return null;
    }
}
