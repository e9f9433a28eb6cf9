using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.AspNetCore.Tests.Support;

/// <summary>Shopify's customers in memory, for pushes and for customer page reads; can be told to fail like a 5xx.</summary>
internal sealed class FakeShopify : IShopifyCustomerApi, IShopifyCustomerReads
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, ShopifyCustomer> _customers = [];
    private readonly List<string> _calls = [];
    private long _nextId = 9_000_000_000;

    /// <summary>While true, every call fails as a transient error (as Shopify's 5xx after the client's retries).</summary>
    public bool Failing { get; set; }

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public IReadOnlyList<ShopifyCustomer> Customers
    {
        get
        {
            lock (_gate)
            {
                return [.. _customers.Values];
            }
        }
    }

    public void Seed(long id, CustomerProfile profile, DateTimeOffset updatedAt)
    {
        lock (_gate)
        {
            _customers[id] = new ShopifyCustomer(id, profile, updatedAt);
        }
    }

    /// <summary>A merchant deleting the customer in the Shopify admin.</summary>
    public void Remove(long id)
    {
        lock (_gate)
        {
            _customers.Remove(id);
        }
    }

    public Task<ShopifyCustomer?> GetCustomerAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
        => Task.FromResult(Call($"get {customerId}", () => _customers.GetValueOrDefault(customerId)));

    public Task<ShopifyCustomer?> FindCustomerByEmailAsync(ShopifyStore store, string email, CancellationToken cancellationToken)
        => Task.FromResult(Call($"find-email {email}", () => _customers.Values.FirstOrDefault(c => string.Equals(c.Profile.Email, email, StringComparison.OrdinalIgnoreCase))));

    public Task<ShopifyCustomer?> FindCustomerByPhoneAsync(ShopifyStore store, string e164Phone, CancellationToken cancellationToken)
        => Task.FromResult(Call($"find-phone {e164Phone}", () => _customers.Values.FirstOrDefault(c => c.Profile.Phone == e164Phone)));

    public Task<ShopifyCustomer> CreateCustomerAsync(ShopifyStore store, CustomerProfile profile, CancellationToken cancellationToken)
        => Task.FromResult(Call("create", () =>
        {
            var customer = new ShopifyCustomer(++_nextId, profile, DateTimeOffset.UtcNow);
            _customers[customer.Id] = customer;
            return customer;
        }));

    public Task<ShopifyCustomer> UpdateCustomerAsync(ShopifyStore store, long customerId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken)
        => Task.FromResult(Call($"update {customerId} {fields}", () =>
        {
            var customer = _customers[customerId];
            var updated = customer with { Profile = customer.Profile.With(profile, fields), UpdatedAt = DateTimeOffset.UtcNow };
            _customers[customerId] = updated;
            return updated;
        }));

    public Task<ShopifyCustomerView?> GetCustomerViewAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
        => Task.FromResult(Call($"view {customerId}", () => _customers.TryGetValue(customerId, out var c)
            ? new ShopifyCustomerView(c.Id, $"{c.Profile.FirstName} {c.Profile.LastName}", c.Profile.FirstName, c.Profile.LastName, c.Profile.Email, c.Profile.Phone, null, 1, new ShopifyMoney(10m, "USD"), null, null, c.UpdatedAt, c.UpdatedAt)
            : null));

    public Task<ShopifyPage<ShopifyMailingAddress>> GetAddressesAsync(ShopifyStore store, long customerId, int first, string? after, CancellationToken cancellationToken)
        => Task.FromResult(Call($"addresses {customerId}", () => new ShopifyPage<ShopifyMailingAddress>(
            [new ShopifyMailingAddress($"gid://shopify/MailingAddress/{customerId}", null, null, null, null, "123 Oak St", null, "Ottawa", "Ontario", "ON", "K2P 1L4", "Canada", "CA", null, ["123 Oak St", "Ottawa ON K2P 1L4", "Canada"]) { IsDefault = true }],
            false,
            null)));

    public Task<ShopifyPage<ShopifyOrder>> GetOrdersAsync(ShopifyStore store, long customerId, OrderStatusFilter status, int first, string? after, CancellationToken cancellationToken)
        => Task.FromResult(Call($"orders {customerId} {status} {after}", () => new ShopifyPage<ShopifyOrder>(
            [new ShopifyOrder($"gid://shopify/Order/{customerId}1", $"#{customerId}", DateTimeOffset.UtcNow, null, null, null, "PAID", "UNFULFILLED", null, null, null, null, new ShopifyMoney(10m, "USD"), [], false)],
            after is null,
            after is null ? "cursor-2" : null)));

    private T Call<T>(string call, Func<T> action)
    {
        lock (_gate)
        {
            _calls.Add(call);
            if (Failing)
            {
                throw new ShopifyApiException("uk", call, "503 Service Unavailable", isTransient: true);
            }

            return action();
        }
    }
}
