namespace OrchardShopify.Core.Ports;

/// <summary>
/// Adds and removes site roles of a user for the tag-to-role map (<see cref="Configuration.ShopifySyncOptions.TagRoles"/>).
/// Hosts implement it over their role system: ASP.NET Core Identity roles, Orchard Core roles. The sync decides which
/// roles change; the host only carries the change out. Without an implementation, no roles are changed.
/// </summary>
public interface IUserRoleSync
{
    /// <summary>
    /// Adds <paramref name="add"/> and removes <paramref name="remove"/> (role names) in one change of the user. A role
    /// the site does not have is not created and not thrown for: it is returned in <see cref="UserRoleChange.MissingRoles"/>.
    /// </summary>
    Task<UserRoleChange> ChangeRolesAsync(string userId, IReadOnlyCollection<string> add, IReadOnlyCollection<string> remove, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IUserRoleSync.ChangeRolesAsync"/> did: the roles added and removed, and the roles the site does not have.</summary>
public sealed record UserRoleChange(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> MissingRoles)
{
    public static readonly UserRoleChange None = new([], [], []);
}
