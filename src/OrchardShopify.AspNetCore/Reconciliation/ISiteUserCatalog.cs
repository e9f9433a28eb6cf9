using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace OrchardShopify.AspNetCore.Reconciliation;

/// <summary>Every user of the site, listed once for a reconciliation. Streamed, never loaded at once.</summary>
internal interface ISiteUserCatalog
{
    bool CanList { get; }

    IAsyncEnumerable<string> ListUserIdsAsync(CancellationToken cancellationToken);
}

/// <summary>Without <c>UseIdentityUsers</c> the users cannot be listed; the report leaves the user counts empty.</summary>
internal sealed class UnlistedSiteUsers : ISiteUserCatalog
{
    public bool CanList => false;

    public IAsyncEnumerable<string> ListUserIdsAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<string>();
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
}
