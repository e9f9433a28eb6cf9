using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace OrchardShopify.AspNetCore.Reconciliation;

/// <summary>Every user of the site, listed once for a reconciliation. Streamed, never loaded at once.</summary>
internal interface ISiteUserCatalog
{
    bool CanList { get; }

    IAsyncEnumerable<string> ListUserIdsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="take"/> user ids after <paramref name="after"/> (null: from the start), in ordinal order.
    /// Each page is its own short query, so nothing stays open on the user store between pages (a bulk send waits for
    /// its pushes, which write users, between pages).
    /// </summary>
    Task<IReadOnlyList<string>> ListUserIdPageAsync(string? after, int take, CancellationToken cancellationToken);
}

/// <summary>Without <c>UseIdentityUsers</c> the users cannot be listed; the report leaves the user counts empty.</summary>
internal sealed class UnlistedSiteUsers : ISiteUserCatalog
{
    public bool CanList => false;

    public IAsyncEnumerable<string> ListUserIdsAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<string>();

    public Task<IReadOnlyList<string>> ListUserIdPageAsync(string? after, int take, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);
}

internal sealed class IdentitySiteUserCatalog<TUser>(IServiceScopeFactory scopes) : ISiteUserCatalog
    where TUser : class
{
    public bool CanList => true;

    public async IAsyncEnumerable<string> ListUserIdsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<TUser>>();
        if (!users.SupportsQueryableUsers)
        {
            yield break;
        }

        // Untracked and streamed: a large user table is read once, a row at a time.
        var query = users.Users.AsNoTracking();
        if (query is IAsyncEnumerable<TUser> streamed)
        {
            await foreach (var user in streamed.WithCancellation(cancellationToken))
            {
                yield return await users.GetUserIdAsync(user);
            }
        }
        else
        {
            foreach (var user in query)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return await users.GetUserIdAsync(user);
            }
        }
    }

    public async Task<IReadOnlyList<string>> ListUserIdPageAsync(string? after, int take, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<TUser>>();
        if (!users.SupportsQueryableUsers)
        {
            return [];
        }

        if (typeof(TUser).GetProperty("Id")?.PropertyType != typeof(string))
        {
            throw new NotSupportedException($"Users of type {typeof(TUser).Name} are paged by a string Id property, which it does not have.");
        }

        // Keyset paging on the id: a page is one indexed query, whatever the number of users.
        var query = users.Users.AsNoTracking();
        if (after is not null)
        {
            query = query.Where(u => string.Compare(EF.Property<string>(u, "Id"), after) > 0);
        }

        return await query.OrderBy(u => EF.Property<string>(u, "Id")).Select(u => EF.Property<string>(u, "Id")).Take(take).ToListAsync(cancellationToken);
    }
}
