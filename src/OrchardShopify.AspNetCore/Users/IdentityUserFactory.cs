using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Users;

/// <summary>New users from Shopify profiles, and what the sync knows of one it has just created (one user or in bulk).</summary>
internal sealed class IdentityUserFactory<TUser>(IIdentityProfileMapper<TUser> profiles)
    where TUser : class, new()
{
    public IIdentityProfileMapper<TUser> Profiles { get; } = profiles;

    /// <summary>A new, unsaved user with the profile's email (also its user name, confirmed as Shopify verified it), phone and name properties.</summary>
    public async Task<TUser> NewUserAsync(IUserStore<TUser> store, string email, CustomerProfile profile, bool emailConfirmed, CancellationToken cancellationToken)
    {
        var user = new TUser();
        if (user is IdentityUser<string> identity && Guid.TryParse(identity.Id, out _))
        {
            // Identity's own ids are random GUIDs: every new user then lands at a random place in the user table's key
            // and in each index on the user id (claims, logins, roles), so a transaction creating a few hundred users
            // rewrites a few hundred pages of each. A version 7 GUID starts with its creation time: new users go at the
            // end, and an import writes about a third as much. Still a GUID string, as the user type made; an id of
            // another scheme is left alone.
            identity.Id = Guid.CreateVersion7().ToString();
        }

        await store.SetUserNameAsync(user, email, cancellationToken);
        if (store is IUserEmailStore<TUser> emails)
        {
            await emails.SetEmailAsync(user, email, cancellationToken);
            await emails.SetEmailConfirmedAsync(user, emailConfirmed, cancellationToken);
        }

        if (profile.Phone is not null && store is IUserPhoneNumberStore<TUser> phones)
        {
            await phones.SetPhoneNumberAsync(user, profile.Phone, cancellationToken);
        }

        Profiles.WriteProperties(user, profile, ProfileFields.FirstName | ProfileFields.LastName);
        return user;
    }

    /// <summary>The name claims of a new user: those the user type keeps as claims and the profile has a value for.</summary>
    public List<Claim> NewNameClaims(CustomerProfile profile)
        => [.. Profiles.ClaimsFor(profile, ProfileFields.FirstName | ProfileFields.LastName)
            .Where(c => !string.IsNullOrWhiteSpace(c.Value))
            .Select(c => new Claim(c.Type, c.Value!))];

    /// <summary>What the sync knows of a user it has just created, without reading it back.</summary>
    public async Task<SyncUser> CreatedUserAsync(UserManager<TUser> users, IUserStore<TUser> store, TUser user, string email, CustomerProfile profile, List<Claim> claims, string? storeHandle, long? customerId, bool emailConfirmed)
    {
        var names = Profiles.ReadNames(user, claims);
        return new SyncUser(
            await users.GetUserIdAsync(user),
            store is IUserEmailStore<TUser> ? email : null,
            names.DisplayName,
            names.FirstName,
            names.LastName,
            store is IUserPhoneNumberStore<TUser> ? profile.Phone : null,
            storeHandle is null ? customerId : null,
            storeHandle is not null && customerId is { } id
                ? new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase) { [storeHandle] = id }
                : new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase))
        {
            EmailConfirmed = store is IUserEmailStore<TUser> && emailConfirmed,
        };
    }
}
