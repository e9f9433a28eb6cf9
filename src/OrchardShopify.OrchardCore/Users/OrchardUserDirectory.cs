using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OrchardCore.Entities;
using OrchardCore.Security;
using OrchardCore.Users;
using OrchardCore.Users.Models;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Phones;
using OrchardShopify.Core.Ports;
using OrchardShopify.OrchardCore.Hosting;
using YesSql;

namespace OrchardShopify.OrchardCore.Users;

/// <summary>
/// The sync's user directory over Orchard Core users: <see cref="UserManager{IUser}"/> for reads and writes
/// (so Orchard Core's validation and user events apply) and <see cref="ShopifyUserPart"/> for names and Shopify ids.
/// Each call runs in its own tenant scope, committed when it returns.
/// </summary>
internal sealed class OrchardUserDirectory : IUserDirectory, IUserRoleSync
{
    private readonly TenantScopes _scopes;

    public OrchardUserDirectory(TenantScopes scopes)
    {
        _scopes = scopes;
    }

    public Task<SyncUser?> FindByIdAsync(string userId, CancellationToken cancellationToken) =>
        _scopes.RunAsync(async services => await Manager(services).FindByIdAsync(userId) is User user ? ToSyncUser(user) : null);

    public Task<SyncUser?> FindByEmailAsync(string email, CancellationToken cancellationToken) =>
        _scopes.RunAsync(async services => await Manager(services).FindByEmailAsync(email) is User user ? ToSyncUser(user) : null);

    /// <summary>An indexed query on <see cref="ShopifyUserPhoneIndex"/>; a phone shared by several users matches nobody.</summary>
    public Task<SyncUser?> FindByPhoneAsync(string e164Phone, CancellationToken cancellationToken) =>
        _scopes.RunAsync(async services =>
        {
            var rows = await services.GetRequiredService<ISession>().QueryIndex<ShopifyUserPhoneIndex>(x => x.Phone == e164Phone).Take(2).ListAsync();
            var userIds = rows.Select(r => r.UserId).Distinct(StringComparer.Ordinal).ToList();
            if (userIds.Count != 1)
            {
                return null;
            }

            return await Manager(services).FindByIdAsync(userIds[0]) is User user ? ToSyncUser(user) : null;
        });

    /// <summary>The user id linked to a Shopify customer, from <see cref="ShopifyCustomerLinkIndex"/>; <paramref name="storeHandle"/> null reads <c>shopify_id</c>.</summary>
    public Task<string?> FindUserIdByCustomerAsync(string? storeHandle, long customerId, CancellationToken cancellationToken) =>
        _scopes.RunAsync(async services =>
        {
            var store = storeHandle ?? "";
            var row = await services.GetRequiredService<ISession>()
                .QueryIndex<ShopifyCustomerLinkIndex>(x => x.StoreHandle == store && x.CustomerId == customerId)
                .FirstOrDefaultAsync();
            return row?.UserId;
        });

    public Task<UserCreateResult> CreateAsync(CustomerProfile profile, bool emailConfirmed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (string.IsNullOrWhiteSpace(profile.Email))
        {
            return Task.FromResult(UserCreateResult.Failed("A user needs an email."));
        }

        var email = profile.Email.Trim();
        return _scopes.RunAsync(async services =>
        {
            var users = Manager(services);
            if (await users.FindByEmailAsync(email) is not null)
            {
                return UserCreateResult.Taken();
            }

            var user = new User
            {
                UserName = await UniqueUserNameAsync(users, email),
                Email = email,
                EmailConfirmed = emailConfirmed,
                PhoneNumber = PhoneNormalizer.IsValidInternational(profile.Phone) ? profile.Phone : null,
            };
            user.Put(new ShopifyUserPart { FirstName = profile.FirstName, LastName = profile.LastName });

            var created = await users.CreateAsync(user);
            if (!created.Succeeded)
            {
                return created.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateEmail) or nameof(IdentityErrorDescriber.DuplicateUserName))
                    ? UserCreateResult.Taken()
                    : UserCreateResult.Failed(Describe(created));
            }

            return UserCreateResult.Created(ToSyncUser(user));
        });
    }

    public Task UpdateProfileAsync(string userId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return _scopes.RunAsync(async services =>
        {
            var users = Manager(services);
            var user = await FindRequiredAsync(users, userId);
            // A value that comes from Shopify is not one the user confirmed on this site: as Identity's SetEmailAsync and
            // SetPhoneNumberAsync do, a changed email or phone is no longer confirmed, so it cannot claim another customer.
            if (fields.HasFlag(ProfileFields.Email) && !string.IsNullOrWhiteSpace(profile.Email)
                && !string.Equals(user.Email, profile.Email.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                user.Email = profile.Email.Trim();
                user.EmailConfirmed = false;
                await users.UpdateNormalizedEmailAsync(user);
            }

            // A number Orchard Core's user editor would refuse is not written: the administrator could no longer save the user.
            if (fields.HasFlag(ProfileFields.Phone) && (profile.Phone is null || PhoneNormalizer.IsValidInternational(profile.Phone))
                && !string.Equals(user.PhoneNumber, profile.Phone, StringComparison.Ordinal))
            {
                user.PhoneNumber = profile.Phone;
                user.PhoneNumberConfirmed = false;
            }

            user.Alter<ShopifyUserPart>(part =>
            {
                if (fields.HasFlag(ProfileFields.FirstName))
                {
                    part.FirstName = profile.FirstName;
                }

                if (fields.HasFlag(ProfileFields.LastName))
                {
                    part.LastName = profile.LastName;
                }
            });

            Check(await users.UpdateAsync(user));
        });
    }

    public Task SetShopifyIdAsync(string userId, string? storeHandle, long? customerId, CancellationToken cancellationToken) =>
        _scopes.RunAsync(async services =>
        {
            var users = Manager(services);
            var user = await FindRequiredAsync(users, userId);
            user.Alter<ShopifyUserPart>(part =>
            {
                if (storeHandle is null)
                {
                    part.ShopifyId = customerId;
                }
                else if (customerId is { } id)
                {
                    part.ShopifyIds[storeHandle] = id;
                }
                else
                {
                    part.ShopifyIds.Remove(storeHandle);
                }
            });
            Check(await users.UpdateAsync(user));
        });

    /// <summary>
    /// Orchard Core roles for the tag-to-role map: added and removed through <see cref="UserManager{IUser}"/> (Orchard
    /// Core's user store), in one save. A role the tenant does not have (or a tenant without the Roles feature) is
    /// reported missing, never created.
    /// </summary>
    public Task<UserRoleChange> ChangeRolesAsync(string userId, IReadOnlyCollection<string> add, IReadOnlyCollection<string> remove, CancellationToken cancellationToken) =>
        _scopes.RunAsync(async services =>
        {
            var users = Manager(services);
            if (await users.FindByIdAsync(userId) is not User user)
            {
                return UserRoleChange.None;
            }

            var roles = services.GetService<RoleManager<IRole>>();
            List<string> added = [], removed = [], missing = [];
            foreach (var role in add)
            {
                if (user.RoleNames.Contains(role, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (roles is null || await roles.FindByNameAsync(role) is not { } existing)
                {
                    missing.Add(role);
                    continue;
                }

                user.RoleNames.Add(existing.RoleName);
                added.Add(existing.RoleName);
            }

            foreach (var role in remove)
            {
                if (user.RoleNames.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase)) is { } held)
                {
                    user.RoleNames.Remove(held);
                    removed.Add(held);
                }
            }

            if (added.Count > 0 || removed.Count > 0)
            {
                Check(await users.UpdateAsync(user));
            }

            return new UserRoleChange(added, removed, missing);
        });

    /// <summary>
    /// The email with '@' as '+' (Orchard Core's user names do not allow '@'; its own migration renames them so),
    /// without characters the tenant does not allow, and numbered when taken.
    /// </summary>
    private static async Task<string> UniqueUserNameAsync(UserManager<IUser> users, string email)
    {
        var allowed = users.Options.User.AllowedUserNameCharacters;
        var candidate = email.Replace('@', '+');
        if (!string.IsNullOrEmpty(allowed))
        {
            candidate = new string(candidate.Where(allowed.Contains).ToArray());
        }

        var baseName = candidate.Length == 0 ? "shopify-customer" : candidate;
        var name = baseName;
        for (var suffix = 2; await users.FindByNameAsync(name) is not null; suffix++)
        {
            name = FormattableString.Invariant($"{baseName}-{suffix}");
        }

        return name;
    }

    internal static SyncUser ToSyncUser(User user)
    {
        var part = user.As<ShopifyUserPart>();
        // Orchard Core users have no display name: the user name is an account handle (often made from the email), never a name to send.
        return new SyncUser(
            user.UserId,
            user.Email,
            null,
            part.FirstName,
            part.LastName,
            user.PhoneNumber,
            part.ShopifyId,
            new Dictionary<string, long>(part.ShopifyIds, StringComparer.OrdinalIgnoreCase))
        {
            EmailConfirmed = user.EmailConfirmed,
            PhoneConfirmed = user.PhoneNumberConfirmed,
            Roles = [.. user.RoleNames],
        };
    }

    private static UserManager<IUser> Manager(IServiceProvider services) => services.GetRequiredService<UserManager<IUser>>();

    private static async Task<User> FindRequiredAsync(UserManager<IUser> users, string userId) =>
        await users.FindByIdAsync(userId) as User ?? throw new InvalidOperationException($"User {userId} does not exist.");

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(Describe(result));
        }
    }

    private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => $"{e.Code}: {e.Description}"));
}
