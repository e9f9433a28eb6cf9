using System.Collections.Immutable;

namespace OrchardShopify.Emulator.Customers;

/// <summary>A customer change that Shopify would announce to webhook subscribers.</summary>
public sealed record CustomerEvent(string ShopDomain, string Topic, Customer Customer, DateTimeOffset TriggeredAt, string EventId);

/// <summary>One emulated store: its customers and the Shopify rules that guard them.</summary>
public sealed class Shop
{
    private readonly Dictionary<long, Customer> _customers = [];
    private readonly Dictionary<string, long> _emails = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _phones = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private long _nextCustomerId;
    private long _nextAddressId;
    private long _addressRevision;
    private long _nextEventId;

    public Shop(string domain, long shopId, TimeProvider time)
    {
        Domain = domain;
        ShopId = shopId;
        _time = time;
        var prefix = domain.Split('.')[0];
        (Currency, CountryCode, UtcOffset) = prefix.StartsWith("uk", StringComparison.OrdinalIgnoreCase) || prefix.StartsWith("gb", StringComparison.OrdinalIgnoreCase)
            ? ("GBP", "GB", TimeSpan.FromHours(1))
            : prefix.StartsWith("eu", StringComparison.OrdinalIgnoreCase) || prefix.StartsWith("de", StringComparison.OrdinalIgnoreCase)
                ? ("EUR", "DE", TimeSpan.FromHours(2))
                : ("USD", "US", TimeSpan.FromHours(-4));
        Reset(0, 0);
    }

    public string Domain { get; }

    public long ShopId { get; }

    public string Currency { get; }

    public string CountryCode { get; }

    /// <summary>The store's time zone offset, used for REST-shaped timestamps in webhook payloads.</summary>
    public TimeSpan UtcOffset { get; }

    public object Gate { get; } = new();

    public int Count
    {
        get
        {
            lock (Gate)
            {
                return _customers.Count;
            }
        }
    }

    public IReadOnlyList<Customer> Snapshot()
    {
        lock (Gate)
        {
            return [.. _customers.Values.OrderBy(c => c.Id)];
        }
    }

    public Customer? Find(long id)
    {
        lock (Gate)
        {
            return _customers.GetValueOrDefault(id);
        }
    }

    public Customer? FindByEmail(string email)
    {
        lock (Gate)
        {
            return _emails.TryGetValue(email.Trim(), out var id) ? _customers[id] : null;
        }
    }

    public Customer? FindByPhone(string phone)
    {
        if (!ShopifyPhone.TryNormalize(phone, out var e164))
        {
            return null;
        }

        lock (Gate)
        {
            return _phones.TryGetValue(e164, out var id) ? _customers[id] : null;
        }
    }

    public Customer? FindByMetafield(string key, string value)
    {
        lock (Gate)
        {
            return _customers.Values.FirstOrDefault(c => c.Metafields.TryGetValue(key, out var v) && v == value);
        }
    }

    public void Reset(int customerCount, int seed)
    {
        lock (Gate)
        {
            _customers.Clear();
            _emails.Clear();
            _phones.Clear();
            _nextCustomerId = 6_000_000_000 + (ShopId % 100 * 10_000_000);
            _nextAddressId = 8_000_000_000 + (ShopId % 100 * 10_000_000);
            foreach (var customer in CustomerSeeder.Generate(this, customerCount, seed))
            {
                Index(customer);
            }
        }
    }

    internal long NextCustomerId() => ++_nextCustomerId;

    internal long NextAddressId() => ++_nextAddressId;

    internal void Index(Customer customer)
    {
        _customers[customer.Id] = customer;
        if (customer.Email is not null)
        {
            _emails[customer.Email] = customer.Id;
        }

        if (customer.Phone is not null)
        {
            _phones[customer.Phone] = customer.Id;
        }

        _nextCustomerId = Math.Max(_nextCustomerId, customer.Id);
    }

    private void Unindex(Customer customer)
    {
        _customers.Remove(customer.Id);
        if (customer.Email is not null)
        {
            _emails.Remove(customer.Email);
        }

        if (customer.Phone is not null)
        {
            _phones.Remove(customer.Phone);
        }
    }

    /// <param name="verifiedEmail">
    /// Shopify's <c>verified_email</c>: true for customers created in the Shopify admin or through the API, as Shopify
    /// does; false models a storefront sign-up whose email was never confirmed.
    /// </param>
    public (Customer? Customer, IReadOnlyList<UserError> Errors, CustomerEvent? Event) Create(IReadOnlyDictionary<string, object?> input, bool verifiedEmail = true)
    {
        lock (Gate)
        {
            var now = Now();
            var blank = new Customer(
                NextCustomerIdPeek(), null, null, null, null, null, "DISABLED", [], now, now, verifiedEmail, false,
                "NOT_SUBSCRIBED", "NOT_SUBSCRIBED", [], null, [], ImmutableDictionary<string, string>.Empty, null);
            var errors = new List<UserError>();
            var customer = CustomerInput.Apply(this, blank, input, errors);
            if (errors.Count > 0)
            {
                return (null, errors, null);
            }

            customer = customer with { Id = NextCustomerId() };
            Index(customer);
            return (customer, errors, Event("customers/create", customer, now));
        }
    }

    public (Customer? Customer, IReadOnlyList<UserError> Errors, CustomerEvent? Event) Update(long id, IReadOnlyDictionary<string, object?> input)
    {
        lock (Gate)
        {
            if (!_customers.TryGetValue(id, out var existing))
            {
                return (null, [new UserError(["id"], "Customer does not exist", "NOT_FOUND")], null);
            }

            var errors = new List<UserError>();
            var updated = CustomerInput.Apply(this, existing, input, errors);
            if (errors.Count > 0)
            {
                return (null, errors, null);
            }

            var now = Now();
            updated = updated with { UpdatedAt = NextUpdatedAt(existing.UpdatedAt, now) };
            Unindex(existing);
            Index(updated);
            return (updated, errors, Event("customers/update", updated, now));
        }
    }

    public (long? DeletedId, IReadOnlyList<UserError> Errors, CustomerEvent? Event) Delete(long id)
    {
        lock (Gate)
        {
            if (!_customers.TryGetValue(id, out var existing))
            {
                return (null, [new UserError(["id"], "Customer can't be found", "NOT_FOUND")], null);
            }

            if (!existing.Orders.IsEmpty)
            {
                return (null, [new UserError(["id"], "Customer can't be deleted because they have associated orders", "INVALID")], null);
            }

            Unindex(existing);
            return (id, [], Event("customers/delete", existing, Now()));
        }
    }

    /// <summary>
    /// <c>customerAddressCreate</c>: adds the address, made the default when <paramref name="setAsDefault"/> or when the
    /// customer had none, and moves the customer's <c>updatedAt</c> as Shopify does (a <c>customers/update</c> follows).
    /// </summary>
    public (MailingAddress? Address, IReadOnlyList<UserError> Errors, CustomerEvent? Event) AddAddress(long customerId, IReadOnlyDictionary<string, object?> input, bool setAsDefault)
    {
        lock (Gate)
        {
            if (!_customers.TryGetValue(customerId, out var existing))
            {
                return (null, [new UserError(["customerId"], "Customer does not exist")], null);
            }

            var errors = new List<UserError>();
            var now = Now();
            var blank = new MailingAddress(NextAddressIdPeek(), null, null, null, null, null, null, null, null, null, null, null, null) { Revision = ++_addressRevision };
            var address = AddressRules.Apply(blank, input, errors);
            if (errors.Count > 0)
            {
                return (null, errors, null);
            }

            address = address with { Id = NextAddressId() };
            var updated = existing with
            {
                Addresses = existing.Addresses.Add(address),
                DefaultAddressId = setAsDefault || existing.DefaultAddress is null ? address.Id : existing.DefaultAddress.Id,
                UpdatedAt = NextUpdatedAt(existing.UpdatedAt, now),
            };
            _customers[customerId] = updated;
            return (address, errors, Event("customers/update", updated, now));
        }
    }

    /// <summary><c>customerAddressUpdate</c>: changes the given fields of the customer's own address.</summary>
    public (MailingAddress? Address, IReadOnlyList<UserError> Errors, CustomerEvent? Event) UpdateAddress(long customerId, long addressId, IReadOnlyDictionary<string, object?> input, bool setAsDefault)
    {
        lock (Gate)
        {
            if (!_customers.TryGetValue(customerId, out var existing))
            {
                return (null, [new UserError(["customerId"], "Customer does not exist")], null);
            }

            var index = existing.Addresses.Select((a, i) => a.Id == addressId ? i : -1).FirstOrDefault(i => i >= 0, -1);
            if (index < 0)
            {
                return (null, [new UserError(["addressId"], "Address does not exist")], null);
            }

            var errors = new List<UserError>();
            var now = Now();
            var address = AddressRules.Apply(existing.Addresses[index], input, errors) with { Revision = ++_addressRevision };
            if (errors.Count > 0)
            {
                return (null, errors, null);
            }

            var updated = existing with
            {
                Addresses = existing.Addresses.SetItem(index, address),
                DefaultAddressId = setAsDefault ? address.Id : existing.DefaultAddress?.Id,
                UpdatedAt = NextUpdatedAt(existing.UpdatedAt, now),
            };
            _customers[customerId] = updated;
            return (address, errors, Event("customers/update", updated, now));
        }
    }

    /// <summary><c>customerAddressDelete</c>: removes the customer's own address; when it was the default, the next one becomes the default.</summary>
    public (long? DeletedId, IReadOnlyList<UserError> Errors, CustomerEvent? Event) DeleteAddress(long customerId, long addressId)
    {
        lock (Gate)
        {
            if (!_customers.TryGetValue(customerId, out var existing))
            {
                return (null, [new UserError(["customerId"], "Customer does not exist")], null);
            }

            if (existing.Addresses.All(a => a.Id != addressId))
            {
                return (null, [new UserError(["addressId"], "Address does not exist")], null);
            }

            var now = Now();
            var remaining = existing.Addresses.RemoveAll(a => a.Id == addressId);
            var wasDefault = existing.DefaultAddress?.Id == addressId;
            var updated = existing with
            {
                Addresses = remaining,
                DefaultAddressId = wasDefault ? (remaining.IsEmpty ? null : remaining[0].Id) : existing.DefaultAddress?.Id,
                UpdatedAt = NextUpdatedAt(existing.UpdatedAt, now),
            };
            _customers[customerId] = updated;
            return (addressId, [], Event("customers/update", updated, now));
        }
    }

    /// <summary>Adds an order, as a checkout would; used by the control API to make a customer undeletable.</summary>
    public (Customer? Customer, CustomerEvent? Event) AddOrder(long id, Order order)
    {
        lock (Gate)
        {
            if (!_customers.TryGetValue(id, out var existing))
            {
                return (null, null);
            }

            var now = Now();
            var updated = existing with { Orders = existing.Orders.Add(order), UpdatedAt = NextUpdatedAt(existing.UpdatedAt, now) };
            _customers[id] = updated;
            return (updated, Event("customers/update", updated, now));
        }
    }

    private long NextCustomerIdPeek() => _nextCustomerId + 1;

    private long NextAddressIdPeek() => _nextAddressId + 1;

    private DateTimeOffset Now()
    {
        var now = _time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
    }

    /// <summary>Timestamps are served with second precision, so a change within the same second still moves updatedAt forward.</summary>
    private static DateTimeOffset NextUpdatedAt(DateTimeOffset previous, DateTimeOffset now) =>
        now > previous ? now : previous.AddSeconds(1);

    private CustomerEvent Event(string topic, Customer customer, DateTimeOffset at) =>
        new(Domain, topic, customer, at, (++_nextEventId + (ShopId * 1_000_000)).ToString(System.Globalization.CultureInfo.InvariantCulture));

    internal bool EmailTakenByOther(string email, long selfId) => _emails.TryGetValue(email, out var owner) && owner != selfId;

    internal bool PhoneTakenByOther(string phone, long selfId) => _phones.TryGetValue(phone, out var owner) && owner != selfId;
}
