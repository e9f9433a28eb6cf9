using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;
using OrchardShopify.Emulator;
using OrchardShopify.Emulator.Customers;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Demo;

/// <summary>A person the demo signs in as, and the stores where the emulator knows them as a customer.</summary>
public sealed record DemoAccount(string Email, string FirstName, string LastName, string Phone, IReadOnlyList<string> Stores);

/// <summary>
/// Seeds demo mode once the site listens: registers the emulator's webhooks to this site through the Admin API,
/// creates the demo customers (with addresses and orders) in the emulator as a merchant would, waits for their
/// webhooks to create and link the site users, and gives those users the demo password.
/// </summary>
internal sealed class DemoSeeder(IServiceProvider services, ShopifyEmulator emulator)
{
    public static IReadOnlyList<DemoAccount> Accounts { get; } =
    [
        new("ada@example.com", "Ada", "Lovelace", "+442079460018", [DemoShopify.UkHandle, DemoShopify.UsHandle]),
        new("grace@example.com", "Grace", "Hopper", "+442079460019", [DemoShopify.UkHandle]),
    ];

    public async Task SeedAsync(Uri webhookUrl, string customerPassword, CancellationToken cancellationToken)
    {
        var registry = services.GetRequiredService<StoreRegistry>();
        var subscriptions = services.GetRequiredService<WebhookSubscriptionClient>();
        foreach (var store in registry.Stores)
        {
            await subscriptions.RegisterCustomerWebhooksAsync(store, webhookUrl, cancellationToken);
        }

        foreach (var account in Accounts)
        {
            foreach (var handle in account.Stores)
            {
                CreateCustomer(DemoShopify.Stores[handle], account);
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        foreach (var account in Accounts)
        {
            var userId = await WaitForLinksAsync(account, timeout.Token);
            await SetPasswordAsync(userId, customerPassword, timeout.Token);
        }
    }

    private void CreateCustomer(string domain, DemoAccount account)
    {
        var shop = emulator.Shops[domain];
        var uk = domain == DemoShopify.UkDomain;
        var address = uk
            ? Address(account, "12 Orchard Row", "London", "ENG", "GB", "EC1A 1BB")
            : Address(account, "350 Fifth Avenue", "New York", "NY", "US", "10118");
        var input = new Dictionary<string, object?>
        {
            ["firstName"] = account.FirstName,
            ["lastName"] = account.LastName,
            ["email"] = account.Email,
            ["phone"] = account.Phone,
            ["addresses"] = new List<object?>
            {
                address,
                uk ? Address(account, "3 Mill Lane", "Bath", "ENG", "GB", "BA1 1AA") : Address(account, "1 Harbor Road", "Boston", "MA", "US", "02110"),
            },
        };
        var (customer, errors, created) = shop.Create(input);
        if (customer is null || created is null)
        {
            throw new InvalidOperationException($"The emulator refused demo customer {account.Email}: {string.Join("; ", errors.Select(e => e.Message))}");
        }

        emulator.State.Publish(created);
        foreach (var order in OrdersFor(account, uk, shop.Currency))
        {
            var (_, changed) = shop.AddOrder(customer.Id, order);
            if (changed is not null)
            {
                emulator.State.Publish(changed);
            }
        }
    }

    private static Dictionary<string, object?> Address(DemoAccount account, string street, string city, string province, string country, string zip) => new()
    {
        ["firstName"] = account.FirstName,
        ["lastName"] = account.LastName,
        ["address1"] = street,
        ["city"] = city,
        ["provinceCode"] = province,
        ["countryCode"] = country,
        ["zip"] = zip,
    };

    /// <summary>Orders with names unique to the person and store, so a page showing someone else's is easy to spot.</summary>
    private static IEnumerable<Order> OrdersFor(DemoAccount account, bool uk, string currency)
    {
        var prefix = (uk ? "UK-" : "US-") + account.FirstName.ToUpperInvariant();
        var placed = new DateTimeOffset(2026, 9, 14, 10, 30, 0, TimeSpan.Zero);
        var seed = 8_000_000_000L + (Accounts.ToList().IndexOf(account) * 100L) + (uk ? 0 : 50);
        // Ada's six orders in uk fill two pages of the account page; the others fit on one.
        var count = account.Stores.Count > 1 ? (uk ? 6 : 2) : 1;
        for (var i = 0; i < count; i++)
        {
            var id = seed + i;
            var at = placed.AddDays(-21 * (count - i));
            var state = i % 3;
            yield return new Order(
                id,
                $"#{prefix}-{101 + i}",
                at,
                at,
                state == 0 && count > 1 ? at.AddDays(3) : null,
                state == 2 ? at.AddHours(6) : null,
                state == 2 ? "REFUNDED" : "PAID",
                state == 0 && count > 1 ? "FULFILLED" : "UNFULFILLED",
                currency,
                4.99m,
                [
                    new LineItem(id * 10, "Orchard Apple Crate", 1 + i, "APL-CRATE", "Large", 24.50m),
                    new LineItem((id * 10) + 1, "Pressed Cider", 2, "CID-750", "750 ml", 6.25m),
                ]);
        }
    }

    private async Task<string> WaitForLinksAsync(DemoAccount account, CancellationToken cancellationToken)
    {
        var links = services.GetRequiredService<ICustomerLinkStore>();
        while (true)
        {
            await using (var scope = services.CreateAsyncScope())
            {
                var users = scope.ServiceProvider.GetRequiredService<UserManager<SiteUser>>();
                if (await users.FindByEmailAsync(account.Email) is { } user)
                {
                    var linked = await links.FindByUserAsync(user.Id, cancellationToken);
                    if (account.Stores.All(s => linked.Any(l => string.Equals(l.StoreHandle, s, StringComparison.OrdinalIgnoreCase))))
                    {
                        return user.Id;
                    }
                }
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Sets the demo password; retried when a webhook still being applied changed the user at the same moment.</summary>
    private async Task SetPasswordAsync(string userId, string password, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<SiteUser>>();
            var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"Demo user {userId} disappeared.");
            if (await users.HasPasswordAsync(user))
            {
                return;
            }

            // A password is not a Shopify field: setting it must not queue a push.
            IdentityResult result;
            using (SyncWriteScope.Begin())
            {
                user.EmailConfirmed = true;
                result = await users.AddPasswordAsync(user, password);
            }

            if (result.Succeeded)
            {
                return;
            }

            if (attempt >= 10 || !result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.ConcurrencyFailure)))
            {
                throw new InvalidOperationException("The demo password was refused: " + string.Join(" ", result.Errors.Select(e => e.Description)));
            }

            await Task.Delay(100 * attempt, cancellationToken);
        }
    }
}
