using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// Carries out <see cref="TagRoleRules"/> for one user after an inbound change (webhook, catch-up, import,
/// reconciliation fix) or an unlink (customers/delete, redaction, an administrator's unlink) through the host's
/// <see cref="IUserRoleSync"/>. The change is a sync write: it is never pushed.
/// A role the site lacks is logged once per role as a warning and never thrown for.
/// </summary>
internal sealed partial class TagRoleSync(IUserDirectory users, ICustomerLinkStore links, IUserRoleSync? roles, ILogger logger)
{
    private readonly ConcurrentDictionary<string, bool> _missingWarned = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Applies the map to the user; returns what changed (<see cref="UserRoleChange.None"/> without a map, a port or a
    /// user). A user without links loses every mapped role it holds.
    /// </summary>
    public async Task<UserRoleChange> ApplyAsync(string userId, ShopifySyncOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (roles is null || options.TagRoles.Count == 0)
        {
            return UserRoleChange.None;
        }

        // A user with no link left (unlinked, deleted or redacted in Shopify) holds none of the mapped roles.
        var userLinks = await links.FindByUserAsync(userId, cancellationToken);
        if (await users.FindByIdAsync(userId, cancellationToken) is not { } user)
        {
            return UserRoleChange.None;
        }

        var decision = TagRoleRules.Decide(options.TagRoles, userLinks, user.Roles, CustomerMatching.MayChangeLinkedCustomer(user, options));
        if (decision.IsEmpty)
        {
            return UserRoleChange.None;
        }

        UserRoleChange change;
        using (EchoRules.SyncWrite())
        {
            change = await roles.ChangeRolesAsync(userId, decision.Add, decision.Remove, cancellationToken);
        }

        foreach (var missing in change.MissingRoles)
        {
            if (_missingWarned.TryAdd(missing, true))
            {
                Log.RoleMissing(logger, missing);
            }
        }

        if (change.Added.Count > 0 || change.Removed.Count > 0)
        {
            Log.RolesChanged(logger, userId, change.Added, change.Removed);
        }

        return change;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify:TagRoles maps a Shopify tag to the role '{Role}', which this site does not have; create the role (it is never created by the sync). Users are not given it until then. Logged once per role")]
        public static partial void RoleMissing(ILogger logger, string role);

        [LoggerMessage(Level = LogLevel.Information, Message = "Roles of user {UserId} from Shopify tags: added {Added}, removed {Removed}")]
        public static partial void RolesChanged(ILogger logger, string userId, IReadOnlyList<string> added, IReadOnlyList<string> removed);
    }
}
