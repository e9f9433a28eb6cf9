using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Users;

/// <summary>
/// <see cref="IUserDirectory"/> over <see cref="UserManager{TUser}"/>. Shopify ids are user claims
/// (<see cref="ShopifyUserClaims"/>); names are <c>FirstName</c>/<c>LastName</c> properties when the user type
/// has them, else <c>given_name</c>/<c>family_name</c> claims. Each call runs in its own scope because the
/// engine is a singleton and a UserManager is scoped.
/// </summary>
public sealed class IdentityUserDirectory<TUser>(IServiceScopeFactory scopes) : IUserDirectory
    where TUser : class, new()
{
    private static readonly PropertyInfo? FirstNameProperty = StringProperty("FirstName");
    private static readonly PropertyInfo? LastNameProperty = StringProperty("LastName");
    private static readonly PropertyInfo? PhoneProperty = StringProperty("PhoneNumber");
    private static readonly PropertyInfo? DisplayNameProperty = StringProperty("DisplayName");

    public async Task<SyncUser?> FindByIdAsync(string userId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = Manager(scope);
        var user = await users.FindByIdAsync(userId);
        return user is null ? null : await ToSyncUserAsync(users, user);
    }

    public async Task<SyncUser?> FindByEmailAsync(string email, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = Manager(scope);
        var user = await users.FindByEmailAsync(email);
        return user is null ? null : await ToSyncUserAsync(users, user);
    }

    /// <summary>A query on the phone number column; index it (<see cref="ShopifyIdentityModelExtensions.HasShopifyLookupIndexes{TUser}"/>) for large user tables.</summary>
    public async Task<SyncUser?> FindByPhoneAsync(string e164Phone, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = Manager(scope);
        if (!users.SupportsQueryableUsers || PhoneProperty is null)
        {
            return null;
        }

        // Ordered by the filtered column itself: the order does not matter (only "exactly one" is used) and it keeps the index usable.
        var query = users.Users.Where(PhoneEquals(e164Phone)).OrderBy(PhoneOf()).Take(2);
        var matches = query is IAsyncEnumerable<TUser> ? await query.ToListAsync(cancellationToken) : query.ToList();
        return matches is [var single] ? await ToSyncUserAsync(users, single) : null;
    }

    public async Task<UserCreateResult> CreateAsync(CustomerProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (string.IsNullOrWhiteSpace(profile.Email))
        {
            return UserCreateResult.Failed("A user needs an email.");
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = Manager(scope);
        var store = scope.ServiceProvider.GetRequiredService<IUserStore<TUser>>();
        var email = profile.Email.Trim();
        if (await users.FindByEmailAsync(email) is not null)
        {
            return UserCreateResult.Taken();
        }

        var user = new TUser();
        await store.SetUserNameAsync(user, email, cancellationToken);
        if (store is IUserEmailStore<TUser> emails)
        {
            await emails.SetEmailAsync(user, email, cancellationToken);
        }

        if (profile.Phone is not null && store is IUserPhoneNumberStore<TUser> phones)
        {
            await phones.SetPhoneNumberAsync(user, profile.Phone, cancellationToken);
        }

        SetNameProperties(user, profile, ProfileFields.FirstName | ProfileFields.LastName);
        var created = await users.CreateAsync(user);
        if (!created.Succeeded)
        {
            return created.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateEmail) or nameof(IdentityErrorDescriber.DuplicateUserName))
                ? UserCreateResult.Taken()
                : UserCreateResult.Failed(Describe(created));
        }

        // A new user has no claims yet: both name claims go in one save, and the result needs no re-read.
        var nameClaims = NewNameClaims(profile);
        if (nameClaims.Count > 0)
        {
            if (!users.SupportsUserClaim)
            {
                throw new NotSupportedException($"The user store of {typeof(TUser).Name} does not store claims; the Shopify sync keeps names as claims when the user type has no FirstName/LastName.");
            }

            Check(await users.AddClaimsAsync(user, nameClaims));
        }

        return UserCreateResult.Created(new SyncUser(
            await users.GetUserIdAsync(user),
            store is IUserEmailStore<TUser> ? email : null,
            DisplayNameProperty?.GetValue(user) as string,
            FirstNameProperty is not null ? FirstNameProperty.GetValue(user) as string : nameClaims.FirstOrDefault(c => c.Type == ShopifyUserClaims.GivenName)?.Value,
            LastNameProperty is not null ? LastNameProperty.GetValue(user) as string : nameClaims.FirstOrDefault(c => c.Type == ShopifyUserClaims.FamilyName)?.Value,
            store is IUserPhoneNumberStore<TUser> ? profile.Phone : null,
            null,
            new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase)));
    }

    public async Task UpdateProfileAsync(string userId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        await using var scope = scopes.CreateAsyncScope();
        var users = Manager(scope);
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"User {userId} does not exist.");
        if (fields.HasFlag(ProfileFields.Email) && profile.Email is not null)
        {
            Check(await users.SetEmailAsync(user, profile.Email));
        }

        if (fields.HasFlag(ProfileFields.Phone))
        {
            Check(await users.SetPhoneNumberAsync(user, profile.Phone));
        }

        if (SetNameProperties(user, profile, fields))
        {
            Check(await users.UpdateAsync(user));
        }

        await WriteNameClaimsAsync(users, user, profile, fields);
    }

    public async Task SetShopifyIdAsync(string userId, string? storeHandle, long? customerId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = Manager(scope);
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"User {userId} does not exist.");
        await ReplaceClaimAsync(users, user, ShopifyUserClaims.ShopifyIdFor(storeHandle), customerId?.ToString(CultureInfo.InvariantCulture));
    }

    private static UserManager<TUser> Manager(AsyncServiceScope scope) => scope.ServiceProvider.GetRequiredService<UserManager<TUser>>();

    private static async Task<SyncUser> ToSyncUserAsync(UserManager<TUser> users, TUser user)
    {
        var claims = users.SupportsUserClaim ? await users.GetClaimsAsync(user) : [];
        long? shopifyId = null;
        var shopifyIds = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var claim in claims)
        {
            if (claim.Type == ShopifyUserClaims.ShopifyId && long.TryParse(claim.Value, CultureInfo.InvariantCulture, out var id))
            {
                shopifyId = id;
            }
            else if (claim.Type.StartsWith(ShopifyUserClaims.ShopifyIdsPrefix, StringComparison.Ordinal) && long.TryParse(claim.Value, CultureInfo.InvariantCulture, out var storeId))
            {
                shopifyIds[claim.Type[ShopifyUserClaims.ShopifyIdsPrefix.Length..]] = storeId;
            }
        }

        return new SyncUser(
            await users.GetUserIdAsync(user),
            users.SupportsUserEmail ? await users.GetEmailAsync(user) : null,
            DisplayNameProperty?.GetValue(user) as string ?? claims.FirstOrDefault(c => c.Type == "name")?.Value,
            FirstNameProperty is not null ? FirstNameProperty.GetValue(user) as string : claims.FirstOrDefault(c => c.Type == ShopifyUserClaims.GivenName)?.Value,
            LastNameProperty is not null ? LastNameProperty.GetValue(user) as string : claims.FirstOrDefault(c => c.Type == ShopifyUserClaims.FamilyName)?.Value,
            users.SupportsUserPhoneNumber ? await users.GetPhoneNumberAsync(user) : null,
            shopifyId,
            shopifyIds);
    }

    private static bool SetNameProperties(TUser user, CustomerProfile profile, ProfileFields fields)
    {
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

    private static List<Claim> NewNameClaims(CustomerProfile profile)
    {
        var claims = new List<Claim>(2);
        if (FirstNameProperty is null && !string.IsNullOrWhiteSpace(profile.FirstName))
        {
            claims.Add(new Claim(ShopifyUserClaims.GivenName, profile.FirstName));
        }

        if (LastNameProperty is null && !string.IsNullOrWhiteSpace(profile.LastName))
        {
            claims.Add(new Claim(ShopifyUserClaims.FamilyName, profile.LastName));
        }

        return claims;
    }

    private static async Task WriteNameClaimsAsync(UserManager<TUser> users, TUser user, CustomerProfile profile, ProfileFields fields)
    {
        if (FirstNameProperty is null && fields.HasFlag(ProfileFields.FirstName))
        {
            await ReplaceClaimAsync(users, user, ShopifyUserClaims.GivenName, profile.FirstName);
        }

        if (LastNameProperty is null && fields.HasFlag(ProfileFields.LastName))
        {
            await ReplaceClaimAsync(users, user, ShopifyUserClaims.FamilyName, profile.LastName);
        }
    }

    private static async Task ReplaceClaimAsync(UserManager<TUser> users, TUser user, string type, string? value)
    {
        if (!users.SupportsUserClaim)
        {
            throw new NotSupportedException($"The user store of {typeof(TUser).Name} does not store claims; the Shopify sync keeps '{type}' as a claim.");
        }

        var existing = (await users.GetClaimsAsync(user)).Where(c => c.Type == type).ToList();
        if (existing.Count == 1 && existing[0].Value == value)
        {
            return;
        }

        if (existing.Count == 1 && !string.IsNullOrWhiteSpace(value))
        {
            // One save instead of a removal and an addition.
            Check(await users.ReplaceClaimAsync(user, existing[0], new Claim(type, value)));
            return;
        }

        if (existing.Count > 0)
        {
            Check(await users.RemoveClaimsAsync(user, existing));
        }

        if (!string.IsNullOrWhiteSpace(value))
        {
            Check(await users.AddClaimAsync(user, new Claim(type, value)));
        }
    }

    private static Expression<Func<TUser, bool>> PhoneEquals(string phone)
    {
        var user = Expression.Parameter(typeof(TUser), "user");
        var holder = new PhoneHolder(phone);
        var body = Expression.Equal(Expression.Property(user, PhoneProperty!), Expression.Property(Expression.Constant(holder), nameof(PhoneHolder.Value)));
        return Expression.Lambda<Func<TUser, bool>>(body, user);
    }

    private static Expression<Func<TUser, string?>> PhoneOf()
    {
        var user = Expression.Parameter(typeof(TUser), "user");
        return Expression.Lambda<Func<TUser, string?>>(Expression.Property(user, PhoneProperty!), user);
    }

    private static PropertyInfo? StringProperty(string name)
    {
        var property = typeof(TUser).GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
        return property is { CanRead: true, CanWrite: true } && property.PropertyType == typeof(string) ? property : null;
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(Describe(result));
        }
    }

    private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => $"{e.Code}: {e.Description}"));

    // A member access (not a constant) so the query provider sends the phone as a parameter.
    private sealed record PhoneHolder(string Value);
}
