using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Tests.Support;

/// <summary>A directory with no users and no creation, for queue tests whose deliveries touch no user.</summary>
internal sealed class NoUsers : IUserDirectory
{
    public Task<SyncUser?> FindByIdAsync(string userId, CancellationToken cancellationToken) => Task.FromResult<SyncUser?>(null);

    public Task<SyncUser?> FindByEmailAsync(string email, CancellationToken cancellationToken) => Task.FromResult<SyncUser?>(null);

    public Task<SyncUser?> FindByPhoneAsync(string e164Phone, CancellationToken cancellationToken) => Task.FromResult<SyncUser?>(null);

    public Task<UserCreateResult> CreateAsync(CustomerProfile profile, bool emailConfirmed, CancellationToken cancellationToken) => Task.FromResult(UserCreateResult.Failed("No users here."));

    public Task UpdateProfileAsync(string userId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task SetShopifyIdAsync(string userId, string? storeHandle, long? customerId, CancellationToken cancellationToken) => Task.CompletedTask;
}
