using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Emulator;

namespace OrchardShopify.Demo;

/// <summary>What the demo left behind, for its end-to-end test.</summary>
public sealed record DemoOutcome(IReadOnlyList<SyncUser> Users, IReadOnlyList<SyncLogEntry> Log, IReadOnlyList<string?> UkEmails, IReadOnlyList<string?> UsEmails);

/// <summary>
/// End to end, offline: a local Shopify with two stores, and the sync engine receiving its webhooks
/// and pushing user changes back. Every step waits for the real outcome and prints it.
/// </summary>
public static class DemoScenario
{
    public static async Task<DemoOutcome> RunAsync(TextWriter output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var shopify = await ShopifyEmulator.StartAsync(new EmulatorOptions { CustomersPerShop = 3 }, ct);
        var stores = new Dictionary<string, string> { ["uk"] = "uk-demo.myshopify.com", ["us"] = "us-demo.myshopify.com" };
        await using var site = await DemoSite.StartAsync(options =>
        {
            options.MultiStore = true;
            options.CreateUsersFromShopify = true;
            options.UpdateUsersInShopify = true;
            foreach (var (handle, domain) in stores)
            {
                options.Stores[handle] = new StoreOptions
                {
                    ShopDomain = domain,
                    AccessToken = shopify.Options.AccessToken,
                    WebhookSecret = shopify.Options.WebhookSecret,
                    ApiBaseUrl = new Uri(shopify.BaseUrl, $"shops/{domain}/"),
                };
            }
        }, ct);

        output.WriteLine($"Shopify emulator : {shopify.BaseUrl}  (stores uk, us; control API at /_emulator)");
        output.WriteLine($"Site webhooks    : {site.WebhookUrl}");
        output.WriteLine();

        var registry = site.Services.GetRequiredService<StoreRegistry>();
        var subscriptions = site.Services.GetRequiredService<WebhookSubscriptionClient>();
        foreach (var store in registry.Stores)
        {
            var registration = await subscriptions.RegisterCustomerWebhooksAsync(store, site.WebhookUrl, ct);
            output.WriteLine($"[{store.Handle}] registered webhooks through the Admin API: {string.Join(", ", registration.Created.Select(s => s.Topic))}");
        }

        using var merchant = new HttpClient { BaseAddress = shopify.BaseUrl };

        Step("A merchant creates Ada Lovelace in the uk store (Shopify admin)");
        var created = await merchant.PostAsJsonAsync("/_emulator/shops/uk-demo.myshopify.com/customers",
            new { first_name = "Ada", last_name = "Lovelace", email = "ada@example.com", phone = "+44 20 7946 0958" }, ct);
        created.EnsureSuccessStatusCode();
        var adaUk = CustomerId(await created.Content.ReadFromJsonAsync<JsonNode>(ct));
        var ada = await Until(() => site.Users.All.FirstOrDefault(u => u.ShopifyIds.ContainsKey("uk")), ct);
        Show(ada, "created from customers/create");

        Step("The same person signs up at the us store");
        created = await merchant.PostAsJsonAsync("/_emulator/shops/us-demo.myshopify.com/customers",
            new { first_name = "Ada", last_name = "Lovelace", email = "ADA@example.com" }, ct);
        created.EnsureSuccessStatusCode();
        ada = await Until(() => site.Users.All.FirstOrDefault(u => u.Id == ada.Id && u.ShopifyIds.ContainsKey("us")), ct);
        Show(ada, "linked by email (one user, one id per store)");

        Step("The merchant renames her in the uk store");
        (await merchant.PatchAsJsonAsync($"/_emulator/shops/uk-demo.myshopify.com/customers/{adaUk}", new { last_name = "King" }, ct)).EnsureSuccessStatusCode();
        ada = await Until(() => site.Users.All.FirstOrDefault(u => u.Id == ada.Id && u.LastName == "King"), ct);
        Show(ada, "refreshed from customers/update; no push back (inbound writes never trigger outbound)");

        Step("The site changes her phone number");
        await site.Users.EditByHostAsync(ada.Id, u => u with { Phone = "+442079460999" });
        int PushesFor(string userId) => site.Log.Entries.Count(e => e.Direction == SyncDirection.Outbound && e.UserId == userId);
        await Until(() => PushesFor(ada.Id) == 2 ? "both stores" : null, ct);
        output.WriteLine($"    Shopify uk now holds: {Customer(shopify, "uk-demo.myshopify.com", adaUk)}");
        await Until(() => site.Log.Entries.Count(e => e.Direction == SyncDirection.Inbound && e.UserId == ada.Id && e.Topic == "customers/update" && e.Outcome is "echo" or "unchanged") >= 2 ? "echoes" : null, ct);
        await Task.Delay(500, ct);
        output.WriteLine($"    Shopify's customers/update webhooks about those pushes came back and changed nothing; pushes for this user in total: {PushesFor(ada.Id)} (one per store, no ping-pong).");

        Step("A new user registers on the site");
        var grace = await site.Users.AddByHostAsync("grace@example.com", displayName: "Grace Hopper", phone: "(613) 555-0199");
        grace = await Until(() => site.Users.All.FirstOrDefault(u => u.Id == grace.Id && u.ShopifyIds.Count == 2), ct);
        Show(grace, "created in both stores by the user update job (name split from the display name)");

        Step("The merchant deletes Ada in the uk store");
        (await merchant.DeleteAsync($"/_emulator/shops/uk-demo.myshopify.com/customers/{adaUk}", ct)).EnsureSuccessStatusCode();
        ada = await Until(() => site.Users.All.FirstOrDefault(u => u.Id == ada.Id && !u.ShopifyIds.ContainsKey("uk")), ct);
        Show(ada, "unlinked from uk only; the user remains");

        output.WriteLine();
        output.WriteLine("Sync log:");
        foreach (var entry in site.Log.Entries)
        {
            output.WriteLine($"  {entry.At:HH:mm:ss} {entry.Direction,-8} {entry.StoreHandle,-3} {entry.Topic,-17} customer {entry.CustomerId,-20} user {entry.UserId,-8} {entry.Outcome}{(entry.Detail is null ? "" : " – " + entry.Detail)}");
        }

        output.WriteLine();
        output.WriteLine("Done. Webhook deliveries as Shopify sent them: " + new Uri(shopify.BaseUrl, "/_emulator/deliveries"));

        var outcome = new DemoOutcome(site.Users.All, site.Log.Entries, shopify.Shops["uk-demo.myshopify.com"].Snapshot().Select(c => c.Email).ToList(), shopify.Shops["us-demo.myshopify.com"].Snapshot().Select(c => c.Email).ToList());
        return outcome;


        void Step(string text)
        {
            output.WriteLine();
            output.WriteLine("> " + text);
        }

        void Show(SyncUser user, string what)
        {
            var ids = user.ShopifyIds.Count == 0 ? "none" : string.Join(", ", user.ShopifyIds.Select(p => $"{p.Key}={p.Value}"));
            output.WriteLine($"    user {user.Id}: {user.FirstName} {user.LastName} <{user.Email}> {user.Phone} shopify_ids: {ids}");
            output.WriteLine($"    {what}");
        }

        static long CustomerId(JsonNode? node)
        {
            var id = node?["customer"]?["id"] ?? node?["id"];
            return id is null ? throw new InvalidOperationException("The emulator returned no customer id.") : long.Parse(id.ToString().Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
        }

        static string? Customer(ShopifyEmulator shopify, string shop, long id)
        {
            var customer = shopify.Shops[shop].Find(id);
            return customer is null ? null : $"{customer.FirstName} {customer.LastName} <{customer.Email}> {customer.Phone}";
        }

        static async Task<T> Until<T>(Func<T?> probe, CancellationToken cancellationToken)
            where T : class
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(15));
            while (true)
            {
                if (probe() is { } value)
                {
                    return value;
                }

                await Task.Delay(50, timeout.Token);
            }
        }
    }
}
