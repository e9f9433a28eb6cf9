using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// Segments to roles, the rule alone: which mapped roles a linked user should gain or lose given the tags Shopify
/// reports on the user's links (<see cref="CustomerLink.Signals"/>). Roles the map does not name are never touched.
/// </summary>
internal static class TagRoleRules
{
    /// <summary>
    /// For each role the map names: a mapped tag on a link of a store that maps it grants the role (only when
    /// <paramref name="mayGrant"/>: the user's identity is confirmed); when no such link has the tag, the role is
    /// revoked, unless one of those links has no signals yet (nothing known, nothing changed).
    /// </summary>
    public static RoleDecision Decide(IReadOnlyList<TagRoleMapping> map, IReadOnlyList<CustomerLink> links, IReadOnlyCollection<string> currentRoles, bool mayGrant)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(currentRoles);
        var add = new List<string>();
        var remove = new List<string>();
        foreach (var mappings in map.Where(m => !string.IsNullOrWhiteSpace(m.Role) && !string.IsNullOrWhiteSpace(m.Tag))
                     .GroupBy(m => m.Role.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            var role = mappings.Key;
            var granted = mappings.Any(m => links.Any(l => m.AppliesTo(l.StoreHandle) && l.Signals?.HasTag(m.Tag) == true));
            var unknown = mappings.Any(m => links.Any(l => m.AppliesTo(l.StoreHandle) && l.Signals is null));
            var holds = currentRoles.Contains(role, StringComparer.OrdinalIgnoreCase);
            if (granted && !holds && mayGrant)
            {
                add.Add(role);
            }
            else if (!granted && holds && !unknown)
            {
                remove.Add(currentRoles.First(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase)));
            }
        }

        return new RoleDecision(add, remove);
    }
}

/// <summary>The roles <see cref="TagRoleRules.Decide"/> adds and removes.</summary>
internal sealed record RoleDecision(IReadOnlyList<string> Add, IReadOnlyList<string> Remove)
{
    public bool IsEmpty => Add.Count == 0 && Remove.Count == 0;
}
