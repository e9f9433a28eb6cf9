using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>Lists users for the admin links view: one by email, or a page of all.</summary>
internal interface IAdminUserSource
{
    Task<IReadOnlyList<SyncUser>> ListAsync(string? email, int take, CancellationToken cancellationToken);
}

internal sealed class IdentityAdminUserSource<TUser>(IServiceScopeFactory scopes, IUserDirectory directory) : IAdminUserSource
    where TUser : class
{
    public async Task<IReadOnlyList<SyncUser>> ListAsync(string? email, int take, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(email))
        {
            return await directory.FindByEmailAsync(email.Trim(), cancellationToken) is { } found ? [found] : [];
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<TUser>>();
        if (!users.SupportsQueryableUsers)
        {
            return [];
        }

        var ids = new List<string>();
        foreach (var user in users.Users.Take(take).ToList())
        {
            ids.Add(await users.GetUserIdAsync(user));
        }

        var result = new List<SyncUser>();
        foreach (var id in ids)
        {
            if (await directory.FindByIdAsync(id, cancellationToken) is { } syncUser)
            {
                result.Add(syncUser);
            }
        }

        return result;
    }
}

/// <summary>Without <c>UseIdentityUsers</c>: only look-ups by email are possible.</summary>
internal sealed class DirectoryAdminUserSource(IUserDirectory directory) : IAdminUserSource
{
    public async Task<IReadOnlyList<SyncUser>> ListAsync(string? email, int take, CancellationToken cancellationToken)
        => !string.IsNullOrWhiteSpace(email) && await directory.FindByEmailAsync(email.Trim(), cancellationToken) is { } found ? [found] : [];
}
