using System.Collections.Concurrent;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.Bench.Backfill;

/// <summary>Users in memory with the indexes a real user store has (id, normalized email, phone), so the benchmark measures the import, not a scan.</summary>
internal sealed class IndexedUserDirectory : IUserDirectory
{
    private readonly ConcurrentDictionary<string, SyncUser> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _byEmail = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _byPhone = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, long> NoStoreIds = [];
    private long _nextId;

    public int Count => _byId.Count;

    public Task<SyncUser?> FindByIdAsync(string userId, CancellationToken cancellationToken) => Task.FromResult(_byId.GetValueOrDefault(userId));

    public Task<SyncUser?> FindByEmailAsync(string email, CancellationToken cancellationToken)
        => Task.FromResult(_byEmail.TryGetValue(email.Trim(), out var id) ? _byId.GetValueOrDefault(id) : null);

    public Task<SyncUser?> FindByPhoneAsync(string e164Phone, CancellationToken cancellationToken)
        => Task.FromResult(_byPhone.TryGetValue(e164Phone, out var id) ? _byId.GetValueOrDefault(id) : null);

    public Task<UserCreateResult> CreateAsync(CustomerProfile profile, CancellationToken cancellationToken)
    {
        var email = profile.Email!.Trim();
        var id = $"user-{Interlocked.Increment(ref _nextId)}";
        if (!_byEmail.TryAdd(email, id))
        {
            return Task.FromResult(UserCreateResult.Taken());
        }

        var user = new SyncUser(id, email, null, profile.FirstName, profile.LastName, profile.Phone, null, NoStoreIds);
        _byId[id] = user;
        if (profile.Phone is not null)
        {
            _byPhone.TryAdd(profile.Phone, id);
        }

        return Task.FromResult(UserCreateResult.Created(user));
    }

    public Task UpdateProfileAsync(string userId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken)
    {
        _byId.AddOrUpdate(userId, _ => throw new InvalidOperationException(userId), (_, u) => u with
        {
            FirstName = fields.HasFlag(ProfileFields.FirstName) ? profile.FirstName : u.FirstName,
            LastName = fields.HasFlag(ProfileFields.LastName) ? profile.LastName : u.LastName,
            Phone = fields.HasFlag(ProfileFields.Phone) ? profile.Phone : u.Phone,
        });
        return Task.CompletedTask;
    }

    public Task SetShopifyIdAsync(string userId, string? storeHandle, long? customerId, CancellationToken cancellationToken)
    {
        _byId.AddOrUpdate(userId, _ => throw new InvalidOperationException(userId), (_, u) => u with { ShopifyId = customerId });
        return Task.CompletedTask;
    }
}
