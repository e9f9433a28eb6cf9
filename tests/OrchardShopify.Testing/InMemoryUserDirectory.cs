using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.Testing;

/// <summary>
/// Users as a host keeps them: unique emails, and a "user changed" hook that fires on every write,
/// the way Identity or Orchard user events would reach the outbound scheduler.
/// </summary>
public sealed class InMemoryUserDirectory : IUserDirectory
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SyncUser> _users = [];
    private int _nextId;

    public Func<string, Task>? UserChanged { get; set; }

    public int ProfileUpdates { get; private set; }

    public int Creates { get; private set; }

    public IReadOnlyList<SyncUser> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _users.Values];
            }
        }
    }

    public SyncUser Get(string id)
    {
        lock (_gate)
        {
            return _users[id];
        }
    }

    /// <summary>
    /// A user made through the host's own screens (not by the sync). By default the user has confirmed the email and
    /// the phone, as an account that completed the host's sign-up has; pass false to model one that has not.
    /// </summary>
    public async Task<SyncUser> AddByHostAsync(
        string email,
        string? displayName = null,
        string? phone = null,
        string? first = null,
        string? last = null,
        bool emailConfirmed = true,
        bool phoneConfirmed = true,
        IReadOnlyList<string>? roles = null)
    {
        SyncUser user;
        lock (_gate)
        {
            user = new SyncUser($"user-{++_nextId}", email, displayName, first, last, phone, null, new Dictionary<string, long>())
            {
                EmailConfirmed = emailConfirmed,
                PhoneConfirmed = phoneConfirmed && phone is not null,
                Roles = roles ?? [],
            };
            _users[user.Id] = user;
        }

        await RaiseAsync(user.Id);
        return user;
    }

    /// <summary>An edit made through the host's own screens.</summary>
    public async Task EditByHostAsync(string id, Func<SyncUser, SyncUser> edit)
    {
        lock (_gate)
        {
            _users[id] = edit(_users[id]);
        }

        await RaiseAsync(id);
    }

    /// <summary>A deletion through the host's own screens; the sync's links are not told.</summary>
    public void DeleteByHost(string id)
    {
        lock (_gate)
        {
            _users.Remove(id);
        }
    }

    public Task<SyncUser?> FindByIdAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_users.GetValueOrDefault(userId));
        }
    }

    public Task<SyncUser?> FindByEmailAsync(string email, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_users.Values.FirstOrDefault(u => string.Equals(u.Email, email.Trim(), StringComparison.OrdinalIgnoreCase)));
        }
    }

    public Task<SyncUser?> FindByPhoneAsync(string e164Phone, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_users.Values.FirstOrDefault(u => u.Phone == e164Phone));
        }
    }

    public async Task<UserCreateResult> CreateAsync(CustomerProfile profile, bool emailConfirmed, CancellationToken cancellationToken)
    {
        // Widen the race window the way a database round trip would.
        await Task.Yield();
        SyncUser user;
        lock (_gate)
        {
            if (_users.Values.Any(u => string.Equals(u.Email, profile.Email, StringComparison.OrdinalIgnoreCase)))
            {
                return UserCreateResult.Taken();
            }

            var display = string.Join(' ', new[] { profile.FirstName, profile.LastName }.Where(s => !string.IsNullOrEmpty(s)));
            user = new SyncUser($"user-{++_nextId}", profile.Email, display, profile.FirstName, profile.LastName, profile.Phone, null, new Dictionary<string, long>())
            {
                EmailConfirmed = emailConfirmed,
            };
            _users[user.Id] = user;
            Creates++;
        }

        await RaiseAsync(user.Id);
        return UserCreateResult.Created(user);
    }

    public async Task UpdateProfileAsync(string userId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var user = _users[userId];
            _users[userId] = user with
            {
                FirstName = fields.HasFlag(ProfileFields.FirstName) ? profile.FirstName : user.FirstName,
                LastName = fields.HasFlag(ProfileFields.LastName) ? profile.LastName : user.LastName,
                Email = fields.HasFlag(ProfileFields.Email) ? profile.Email : user.Email,
                Phone = fields.HasFlag(ProfileFields.Phone) ? profile.Phone : user.Phone,
            };
            ProfileUpdates++;
        }

        await RaiseAsync(userId);
    }

    public async Task SetShopifyIdAsync(string userId, string? storeHandle, long? customerId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var user = _users[userId];
            if (storeHandle is null)
            {
                user = user with { ShopifyId = customerId };
            }
            else
            {
                var ids = new Dictionary<string, long>(user.ShopifyIds, StringComparer.OrdinalIgnoreCase);
                if (customerId is null)
                {
                    ids.Remove(storeHandle);
                }
                else
                {
                    ids[storeHandle] = customerId.Value;
                }

                user = user with { ShopifyIds = ids };
            }

            _users[userId] = user;
        }

        await RaiseAsync(userId);
    }

    private Task RaiseAsync(string userId) => UserChanged?.Invoke(userId) ?? Task.CompletedTask;
}
