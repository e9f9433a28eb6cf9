using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Emulator;

namespace OrchardShopify.Demo;

/// <summary>What the demo left behind, for its end-to-end test.</summary>
public sealed record DemoOutcome(IReadOnlyList<SyncUser> Users, IReadOnlyList<SyncLogRecord> Log, IReadOnlyList<DemoCustomer> UkCustomers, IReadOnlyList<DemoCustomer> UsCustomers);

/// <summary>A customer as the emulated Shopify holds it at the end of the demo.</summary>
public sealed record DemoCustomer(string? Email, string? Phone);

/// <summary>
/// End to end, offline: a local Shopify with two stores, and a site on the ASP.NET Core host (Identity users, the
/// sync's inbox and workers on SQLite) receiving its webhooks and pushing user changes back. Every step waits for the
/// real outcome and prints it.
/// </summary>
public static class DemoScenario
{
    public static async Task<DemoOutcome> RunAsync(TextWriter output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var shopify = await ShopifyEmulator.StartAsync(new EmulatorOptions { Shops = [DemoStores.UkDomain, DemoStores.UsDomain], CustomersPerShop = 3 }, ct);
        await using var site = await DemoSite.StartAsync(DemoStores.Settings(shopify, "Shopify"), ct);

        output.WriteLine($"Shopify emulator : {shopify.BaseUrl}  (stores uk, us; control API at /_emulator)");
        output.WriteLine($"Site webhooks    : {site.WebhookUrl}");
        output.WriteLine();

        await using (var scope = site.Services.CreateAsyncScope())
        {
            var registry = scope.ServiceProvider.GetRequiredService<StoreRegistry>();
            var subscriptions = scope.ServiceProvider.GetRequiredService<WebhookSubscriptionClient>();
            foreach (var store in registry.Stores)
            {
                var registration = await subscriptions.RegisterCustomerWebhooksAsync(store, site.WebhookUrl, ct);
                output.WriteLine($"[{store.Handle}] registered webhooks through the Admin API: {string.Join(", ", registration.Created.Select(s => s.Topic))}");
            }
        }

        using var merchant = new HttpClient { BaseAddress = shopify.BaseUrl };

        Step("A merchant creates Ada Lovelace in the uk store (Shopify admin)");
        var created = await merchant.PostAsJsonAsync("/_emulator/shops/uk-demo.myshopify.com/customers",
            new { first_name = "Ada", last_name = "Lovelace", email = "ada@example.com", phone = "+44 20 7946 0958" }, ct);
        created.EnsureSuccessStatusCode();
        var adaUk = CustomerId(await created.Content.ReadFromJsonAsync<JsonNode>(ct));
        var ada = await Until(async () => (await site.UsersAsync(ct)).FirstOrDefault(u => u.ShopifyIds.ContainsKey("uk")), ct);
        Show(ada, "created from customers/create (Shopify verified her email, so the site counts it as confirmed)");

        Step("The same person signs up at the us store");
        created = await merchant.PostAsJsonAsync("/_emulator/shops/us-demo.myshopify.com/customers",
            new { first_name = "Ada", last_name = "Lovelace", email = "ADA@example.com" }, ct);
        created.EnsureSuccessStatusCode();
        ada = await Until(async () => (await site.UsersAsync(ct)).FirstOrDefault(u => u.Id == ada.Id && u.ShopifyIds.ContainsKey("us")), ct);
        Show(ada, "linked by her confirmed email (one user, one id per store)");

        Step("The merchant renames her in the uk store");
        (await merchant.PatchAsJsonAsync($"/_emulator/shops/uk-demo.myshopify.com/customers/{adaUk}", new { last_name = "King" }, ct)).EnsureSuccessStatusCode();
        ada = await Until(async () => (await site.UsersAsync(ct)).FirstOrDefault(u => u.Id == ada.Id && u.LastName == "King"), ct);
        Show(ada, "refreshed from customers/update; no push back (inbound writes never trigger outbound)");

        Step("The site changes her phone number (UserManager.SetPhoneNumberAsync, as an account page does)");
        var adaId = ada.Id;
        await site.WithUsersAsync(async users =>
        {
            var user = await users.FindByIdAsync(adaId) ?? throw new InvalidOperationException("Ada is gone.");
            return Succeeded(await users.SetPhoneNumberAsync(user, "+442079460999"));
        });
        async Task<int> PushesFor(string userId) => (await site.LogAsync(ct)).Count(e => e.Direction == SyncDirection.Outbound && e.UserId == userId);
        await Until(async () => await PushesFor(adaId) == 2 ? "both stores" : null, ct);
        output.WriteLine($"    Shopify uk now holds: {Customer(shopify, "uk-demo.myshopify.com", adaUk)}");
        await Until(async () => (await site.LogAsync(ct)).Count(e => e.Direction == SyncDirection.Inbound && e.UserId == adaId && e.Topic == "customers/update" && e.Outcome is "echo" or "unchanged") >= 2 ? "echoes" : null, ct);
        await Task.Delay(500, ct);
        output.WriteLine($"    Shopify's customers/update webhooks about those pushes came back and changed nothing; pushes for this user in total: {await PushesFor(adaId)} (one per store, no ping-pong).");

        Step("A new user registers on the site and confirms her email");
        var graceId = await site.WithUsersAsync(async users =>
        {
            var user = new DemoUser { UserName = "grace@example.com", Email = "grace@example.com", FirstName = "Grace", LastName = "Hopper", PhoneNumber = "020 7946 0000" };
            Succeeded(await users.CreateAsync(user));
            output.WriteLine("    registered: not sent to Shopify yet, her email is not confirmed");
            var token = await users.GenerateEmailConfirmationTokenAsync(user);
            Succeeded(await users.ConfirmEmailAsync(user, token));
            return user.Id;
        });
        // Both pushes finished: Shopify's customers/create webhook can link her before the push that created the customer
        // has recorded its outcome, so the ids alone do not say the pushes are done.
        await Until(async () => (await site.LogAsync(ct)).Where(e => e.Direction == SyncDirection.Outbound && e.UserId == graceId && e.Outcome == "created").Select(e => e.Store).Distinct().Count() == 2 ? "both pushes" : null, ct);
        var grace = await Until(async () => (await site.UsersAsync(ct)).FirstOrDefault(u => u.Id == graceId && u.ShopifyIds.Count == 2), ct);
        Show(grace, "created in both stores by the user update job once her email was confirmed");

        Step("The merchant deletes Ada in the uk store");
        (await merchant.DeleteAsync($"/_emulator/shops/uk-demo.myshopify.com/customers/{adaUk}", ct)).EnsureSuccessStatusCode();
        ada = await Until(async () => (await site.UsersAsync(ct)).FirstOrDefault(u => u.Id == adaId && !u.ShopifyIds.ContainsKey("uk")), ct);
        Show(ada, "unlinked from uk only; the user remains");

        var log = await site.LogAsync(ct);
        output.WriteLine();
        output.WriteLine("Sync log:");
        foreach (var entry in log)
        {
            output.WriteLine($"  {entry.At:HH:mm:ss} {entry.Direction,-8} {entry.Store,-3} {entry.Topic,-17} customer {entry.CustomerId,-20} user {Short(entry.UserId),-8} {entry.Outcome}{(entry.Detail is null ? "" : " – " + entry.Detail)}");
        }

        output.WriteLine();
        output.WriteLine("Done. Webhook deliveries as Shopify sent them: " + new Uri(shopify.BaseUrl, "/_emulator/deliveries"));

        return new DemoOutcome(await site.UsersAsync(ct), log, [.. shopify.Shops["uk-demo.myshopify.com"].Snapshot().Select(c => new DemoCustomer(c.Email, c.Phone))], [.. shopify.Shops["us-demo.myshopify.com"].Snapshot().Select(c => new DemoCustomer(c.Email, c.Phone))]);


        void Step(string text)
        {
            output.WriteLine();
            output.WriteLine("> " + text);
        }

        void Show(SyncUser user, string what)
        {
            var ids = user.ShopifyIds.Count == 0 ? "none" : string.Join(", ", user.ShopifyIds.Select(p => $"{p.Key}={p.Value}"));
            output.WriteLine($"    user {Short(user.Id)}: {user.FirstName} {user.LastName} <{user.Email}> {user.Phone} shopify_ids: {ids}");
            output.WriteLine($"    {what}");
        }

        static string? Short(string? userId) => userId is { Length: > 8 } ? userId[..8] : userId;

        static bool Succeeded(Microsoft.AspNetCore.Identity.IdentityResult result)
            => result.Succeeded ? true : throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));

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

        static async Task<T> Until<T>(Func<Task<T?>> probe, CancellationToken cancellationToken)
            where T : class
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (true)
            {
                if (await probe() is { } value)
                {
                    return value;
                }

                await Task.Delay(50, timeout.Token);
            }
        }
    }
}
