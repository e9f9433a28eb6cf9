using OrchardShopify.Core.Ports;

namespace OrchardShopify.Testing;

public sealed class InMemoryCustomerLinkStore : ICustomerLinkStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Store, long Customer), CustomerLink> _byCustomer = [];
    private readonly Dictionary<(string Store, string User), CustomerLink> _byUser = [];
    private readonly Dictionary<(string Store, long Customer), DateTimeOffset> _deleted = [];
    private readonly Dictionary<(string Store, long Customer), string> _deletedUsers = [];

    public IReadOnlyList<CustomerLink> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _byCustomer.Values];
            }
        }
    }

    public Task<CustomerLink?> FindByCustomerAsync(string storeHandle, long customerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_byCustomer.GetValueOrDefault((storeHandle, customerId)));
        }
    }

    public Task<IReadOnlyList<CustomerLink>> FindByUserAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<CustomerLink>>(_byUser.Values.Where(l => l.UserId == userId).ToList());
        }
    }

    public Task<LinkAttempt> TryAddAsync(CustomerLink link, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_byCustomer.TryGetValue((link.StoreHandle, link.CustomerId), out var existing)
                || _byUser.TryGetValue((link.StoreHandle, link.UserId), out existing))
            {
                return Task.FromResult(new LinkAttempt(false, existing));
            }

            _byCustomer[(link.StoreHandle, link.CustomerId)] = link;
            _byUser[(link.StoreHandle, link.UserId)] = link;
            return Task.FromResult(new LinkAttempt(true, link));
        }
    }

    public Task UpdateAsync(CustomerLink link, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _byCustomer[(link.StoreHandle, link.CustomerId)] = link;
            _byUser[(link.StoreHandle, link.UserId)] = link;
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CustomerLink>> RemoveStoreAsync(string storeHandle, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var removed = _byCustomer.Values.Where(l => l.StoreHandle == storeHandle).ToList();
            foreach (var key in _deleted.Keys.Where(k => k.Store == storeHandle).ToList())
            {
                _deleted.Remove(key);
            }

            foreach (var link in removed)
            {
                _byCustomer.Remove((link.StoreHandle, link.CustomerId));
                _byUser.Remove((link.StoreHandle, link.UserId));
            }

            return Task.FromResult<IReadOnlyList<CustomerLink>>(removed);
        }
    }

    public Task<bool> RemoveAsync(string storeHandle, long customerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_byCustomer.Remove((storeHandle, customerId), out var link))
            {
                return Task.FromResult(false);
            }

            _byUser.Remove((storeHandle, link.UserId));
            return Task.FromResult(true);
        }
    }

    public Task MarkDeletedAsync(string storeHandle, long customerId, string? userId, DateTimeOffset deletedAt, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _deleted.TryAdd((storeHandle, customerId), deletedAt);
            if (userId is not null)
            {
                _deletedUsers.TryAdd((storeHandle, customerId), userId);
            }
        }

        return Task.CompletedTask;
    }

    public Task<DateTimeOffset?> FindDeletedAsync(string storeHandle, long customerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_deleted.TryGetValue((storeHandle, customerId), out var at) ? at : (DateTimeOffset?)null);
        }
    }

    public Task<DeletedCustomer?> FindDeletedForUserAsync(string storeHandle, string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var found = _deletedUsers
                .Where(d => d.Key.Store == storeHandle && d.Value == userId)
                .Select(d => new DeletedCustomer(d.Key.Store, d.Key.Customer, _deleted[d.Key]))
                .OrderByDescending(d => d.DeletedAt)
                .FirstOrDefault();
            return Task.FromResult(found);
        }
    }

    public Task ForgetDeletedForUserAsync(string storeHandle, string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var key in _deletedUsers.Where(d => d.Key.Store == storeHandle && d.Value == userId).Select(d => d.Key).ToList())
            {
                _deletedUsers.Remove(key);
            }
        }

        return Task.CompletedTask;
    }
}
