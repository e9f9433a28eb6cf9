using System.Security.Claims;
using OrchardShopify.Core.Customers;

namespace OrchardShopify.AspNetCore.Users;

/// <summary>
/// Where a user type keeps the names the Shopify sync reads and writes (email and phone go through
/// <see cref="Microsoft.AspNetCore.Identity.UserManager{TUser}"/>). <c>UseIdentityUsers&lt;TUser&gt;()</c> registers
/// <see cref="DefaultIdentityProfileMapper{TUser}"/> unless one is registered already; register your own singleton
/// (before or after it) to map a user type that keeps its names elsewhere.
/// </summary>
/// <typeparam name="TUser">The site's Identity user type.</typeparam>
public interface IIdentityProfileMapper<TUser>
    where TUser : class
{
    /// <summary>The user's names as the sync compares them with Shopify's, from the user and its <paramref name="claims"/>.</summary>
    IdentityProfileNames ReadNames(TUser user, IEnumerable<Claim> claims);

    /// <summary>
    /// Sets on <paramref name="user"/> the fields among <paramref name="fields"/> that the user type keeps as properties
    /// (a null value clears one). Returns true when it set any: the user is then saved.
    /// </summary>
    bool WriteProperties(TUser user, CustomerProfile profile, ProfileFields fields);

    /// <summary>
    /// The claims that hold the fields among <paramref name="fields"/> that the user type keeps as claims, with their new
    /// values: each replaces the user's claims of its type, and a null or blank value removes them.
    /// </summary>
    IReadOnlyList<IdentityProfileClaim> ClaimsFor(CustomerProfile profile, ProfileFields fields);
}

/// <summary>A user's names as <see cref="IIdentityProfileMapper{TUser}"/> reads them; null where the user has none.</summary>
public sealed record IdentityProfileNames(string? DisplayName, string? FirstName, string? LastName);

/// <summary>A claim a profile field is kept in: its type and its new value (null or blank: no claim).</summary>
public sealed record IdentityProfileClaim(string Type, string? Value);
