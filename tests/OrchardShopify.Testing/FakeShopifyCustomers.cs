using System.Globalization;
using System.Text.Json;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.Testing;

/// <summary>
/// Shopify's customer rules in memory: unique email and phone per store, updated_at advancing (second
/// precision) on every change, and REST-shaped webhook bodies for the changes it makes.
/// </summary>
public sealed class FakeShopifyCustomers(TimeProvider time) : IShopifyCustomerApi
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Store, long Id), ShopifyCustomer> _customers = [];
    private readonly List<string> _calls = [];
    private long _nextId = 7_000_000_000;
    private DateTimeOffset _lastUpdate = DateTimeOffset.MinValue;

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

    public List<(long Id, ProfileFields Fields)> Updates { get; } = [];

    /// <summary>Forgets the calls recorded so far, so a test can assert on what follows.</summary>
    public void ClearCalls()
    {
        lock (_gate)
        {
            _calls.Clear();
        }
    }

    /// <summary>Fails the next call with a transient error (as after a timeout or 5xx).</summary>
    public int TransientFailures { get; set; }

    public IReadOnlyList<ShopifyCustomer> In(string store)
    {
        lock (_gate)
        {
            return _customers.Where(c => c.Key.Store == store).Select(c => c.Value).ToList();
        }
    }

    public ShopifyCustomer Seed(string store, CustomerProfile profile)
    {
        lock (_gate)
        {
            var customer = new ShopifyCustomer(++_nextId, profile, NextUpdatedAt());
            _customers[(store, customer.Id)] = customer;
            return customer;
        }
    }

    /// <summary>A merchant deleting the customer in the Shopify admin (Shopify then sends <c>customers/delete</c>).</summary>
    public void DeleteInAdmin(string store, long id)
    {
        lock (_gate)
        {
            _customers.Remove((store, id));
        }
    }

    /// <summary>A merchant edit in the Shopify admin.</summary>
    public ShopifyCustomer EditInAdmin(string store, long id, Func<CustomerProfile, CustomerProfile> edit)
    {
        lock (_gate)
        {
            var customer = _customers[(store, id)];
            customer = customer with { Profile = edit(customer.Profile), UpdatedAt = NextUpdatedAt() };
            _customers[(store, id)] = customer;
            return customer;
        }
    }

    public Task<ShopifyCustomer?> GetCustomerAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Record($"get {customerId}");
            return Task.FromResult(_customers.GetValueOrDefault((store.Handle, customerId)));
        }
    }

    public Task<ShopifyCustomer?> FindCustomerByEmailAsync(ShopifyStore store, string email, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Record($"find-email {email}");
            return Task.FromResult(_customers.Where(c => c.Key.Store == store.Handle)
                .Select(c => c.Value)
                .FirstOrDefault(c => string.Equals(c.Profile.Email, email, StringComparison.OrdinalIgnoreCase)));
        }
    }

    public Task<ShopifyCustomer?> FindCustomerByPhoneAsync(ShopifyStore store, string e164Phone, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Record($"find-phone {e164Phone}");
            return Task.FromResult(_customers.Where(c => c.Key.Store == store.Handle).Select(c => c.Value).FirstOrDefault(c => c.Profile.Phone == e164Phone));
        }
    }

    public Task<ShopifyCustomer> CreateCustomerAsync(ShopifyStore store, CustomerProfile profile, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Record($"create {profile.Email}");
            EnsureUnique(store, 0, profile, ProfileFields.All);
            var customer = new ShopifyCustomer(++_nextId, profile, NextUpdatedAt());
            _customers[(store.Handle, customer.Id)] = customer;
            return Task.FromResult(customer);
        }
    }

    public Task<ShopifyCustomer> UpdateCustomerAsync(ShopifyStore store, long customerId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Record($"update {customerId} {fields}");
            var customer = _customers.GetValueOrDefault((store.Handle, customerId))
                ?? throw new ShopifyUserErrorException(store.Handle, "customerUpdate", ShopifyUserErrorCode.Invalid, "id", "Customer does not exist");
            EnsureUnique(store, customerId, profile, fields);
            customer = customer with { Profile = customer.Profile.With(profile, fields), UpdatedAt = NextUpdatedAt() };
            _customers[(store.Handle, customerId)] = customer;
            Updates.Add((customerId, fields));
            return Task.FromResult(customer);
        }
    }

    /// <summary>The body of the customers/create|update webhook Shopify sends for the customer's current state.</summary>
    public static byte[] WebhookBody(ShopifyCustomer customer) => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
    {
        ["id"] = customer.Id,
        ["email"] = customer.Profile.Email,
        ["created_at"] = "2025-07-01T14:37:23-04:00",
        ["updated_at"] = customer.UpdatedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        ["first_name"] = customer.Profile.FirstName,
        ["last_name"] = customer.Profile.LastName,
        ["orders_count"] = 0,
        ["state"] = "enabled",
        ["total_spent"] = "0.00",
        ["last_order_id"] = null,
        ["note"] = null,
        ["verified_email"] = true,
        ["multipass_identifier"] = null,
        ["tax_exempt"] = false,
        ["currency"] = "USD",
        ["phone"] = customer.Profile.Phone,
        ["addresses"] = Array.Empty<object>(),
        ["tax_exemptions"] = Array.Empty<string>(),
        ["admin_graphql_api_id"] = $"gid://shopify/Customer/{customer.Id}",
        ["default_address"] = null,
    });

    private void Record(string call)
    {
        _calls.Add(call);
        if (TransientFailures > 0)
        {
            TransientFailures--;
            throw new ShopifyApiException("store", call, "HTTP 503 Service Unavailable", isTransient: true);
        }
    }

    private void EnsureUnique(ShopifyStore store, long selfId, CustomerProfile profile, ProfileFields fields)
    {
        var others = _customers.Where(c => c.Key.Store == store.Handle && c.Key.Id != selfId).Select(c => c.Value.Profile).ToList();
        if (fields.HasFlag(ProfileFields.Email) && profile.Email is not null && others.Any(o => string.Equals(o.Email, profile.Email, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ShopifyUserErrorException(store.Handle, "customer", ShopifyUserErrorCode.EmailTaken, "email", "Email has already been taken");
        }

        if (fields.HasFlag(ProfileFields.Phone) && profile.Phone is not null && others.Any(o => o.Phone == profile.Phone))
        {
            throw new ShopifyUserErrorException(store.Handle, "customer", ShopifyUserErrorCode.PhoneTaken, "phone", "Phone has already been taken");
        }
    }

    // Shopify stamps whole seconds, and never twice the same for one customer's successive changes.
    private DateTimeOffset NextUpdatedAt()
    {
        var now = time.GetUtcNow();
        var stamp = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        _lastUpdate = stamp > _lastUpdate ? stamp : _lastUpdate.AddSeconds(1);
        return _lastUpdate;
    }
}
