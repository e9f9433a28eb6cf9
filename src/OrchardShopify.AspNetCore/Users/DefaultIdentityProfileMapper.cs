using System.Reflection;
using System.Security.Claims;
using OrchardShopify.Core.Customers;

namespace OrchardShopify.AspNetCore.Users;

/// <summary>
/// Names are public read-write <c>string</c> properties <c>FirstName</c>/<c>LastName</c> when the user type has them,
/// else <see cref="ShopifyUserClaims.GivenName"/>/<see cref="ShopifyUserClaims.FamilyName"/> claims; the display name
/// is a <c>DisplayName</c> property, else a <c>name</c> claim.
/// </summary>
/// <typeparam name="TUser">The site's Identity user type.</typeparam>
public sealed class DefaultIdentityProfileMapper<TUser> : IIdentityProfileMapper<TUser>
    where TUser : class
{
    private static readonly PropertyInfo? FirstNameProperty = IdentityStoreAccess<TUser>.StringProperty("FirstName");
    private static readonly PropertyInfo? LastNameProperty = IdentityStoreAccess<TUser>.StringProperty("LastName");
    private static readonly PropertyInfo? DisplayNameProperty = IdentityStoreAccess<TUser>.StringProperty("DisplayName");

    public IdentityProfileNames ReadNames(TUser user, IEnumerable<Claim> claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        return new IdentityProfileNames(
            DisplayNameProperty?.GetValue(user) as string ?? claims.FirstOrDefault(c => c.Type == "name")?.Value,
            FirstNameProperty is not null ? FirstNameProperty.GetValue(user) as string : claims.FirstOrDefault(c => c.Type == ShopifyUserClaims.GivenName)?.Value,
            LastNameProperty is not null ? LastNameProperty.GetValue(user) as string : claims.FirstOrDefault(c => c.Type == ShopifyUserClaims.FamilyName)?.Value);
    }

    public bool WriteProperties(TUser user, CustomerProfile profile, ProfileFields fields)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var changed = false;
        if (FirstNameProperty is not null && fields.HasFlag(ProfileFields.FirstName))
        {
            FirstNameProperty.SetValue(user, profile.FirstName);
            changed = true;
        }

        if (LastNameProperty is not null && fields.HasFlag(ProfileFields.LastName))
        {
            LastNameProperty.SetValue(user, profile.LastName);
            changed = true;
        }

        return changed;
    }

    public IReadOnlyList<IdentityProfileClaim> ClaimsFor(CustomerProfile profile, ProfileFields fields)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var claims = new List<IdentityProfileClaim>(2);
        if (FirstNameProperty is null && fields.HasFlag(ProfileFields.FirstName))
        {
            claims.Add(new IdentityProfileClaim(ShopifyUserClaims.GivenName, profile.FirstName));
        }

        if (LastNameProperty is null && fields.HasFlag(ProfileFields.LastName))
        {
            claims.Add(new IdentityProfileClaim(ShopifyUserClaims.FamilyName, profile.LastName));
        }

        return claims;
    }
}
