using System.Collections.Concurrent;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Users;

/// <summary>
/// <see cref="IUserDirectory"/> over <see cref="UserManager{TUser}"/>. Shopify ids are user claims
/// (<see cref="ShopifyUserClaims"/>); names are <c>FirstName</c>/<c>LastName</c> properties when the user type
/// has them, else <c>given_name</c>/<c>family_name</c> claims. Each call runs in its own scope because the
/// engine is a singleton and a UserManager is scoped.
/// </summary>
public sealed class IdentityUserDirectory<TUser>(IServiceScopeFactory scopes) : IUserDirectory, IBatchUserDirectory, IBulkUserDirectory
    where TUser : class, new()
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> ContextProperties = new();
    private static readonly PropertyInfo? FirstNameProperty = StringProperty("FirstName");
    private static readonly PropertyInfo? LastNameProperty = StringProperty("LastName");
    private static readonly PropertyInfo? PhoneProperty = StringProperty("PhoneNumber");
    private static readonly PropertyInfo? DisplayNameProperty = StringProperty("DisplayName");
    private static readonly PropertyInfo? NormalizedEmailProperty = StringProperty("NormalizedEmail");
    private static readonly PropertyInfo? NormalizedUserNameProperty = StringProperty("NormalizedUserName");

    public async Task<SyncUser?> FindByIdAsync(string userId, CancellationToken cancellationToken)
    {
        await using var scope = Scope();
        var users = Manager(scope);
        var user = await users.FindByIdAsync(userId);
        return user is null ? null : await ToSyncUserAsync(users, user);
    }

    public async Task<SyncUser?> FindByEmailAsync(string email, CancellationToken cancellationToken)
    {
        await using var scope = Scope();
        var users = Manager(scope);
        var user = await users.FindByEmailAsync(email);
        return user is null ? null : await ToSyncUserAsync(users, user);
    }

    /// <summary>A query on the phone number column; index it (<see cref="ShopifyIdentityModelExtensions.HasShopifyLookupIndexes{TUser}"/>) for large user tables.</summary>
    public async Task<SyncUser?> FindByPhoneAsync(string e164Phone, CancellationToken cancellationToken)
    {
        await using var scope = Scope();
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

    public async Task<UserCreateResult> CreateAsync(CustomerProfile profile, bool emailConfirmed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (string.IsNullOrWhiteSpace(profile.Email))
        {
            return UserCreateResult.Failed("A user needs an email.");
        }

        await using var scope = Scope();
        var users = Manager(scope);
        var store = scope.ServiceProvider.GetRequiredService<IUserStore<TUser>>();
        var email = profile.Email.Trim();

        // With unique emails required, CreateAsync's own validation finds the holder; otherwise look first.
        if (!users.Options.User.RequireUniqueEmail && await users.FindByEmailAsync(email) is not null)
        {
            return UserCreateResult.Taken();
        }

        var user = await NewUserAsync(store, email, profile, emailConfirmed, cancellationToken);
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

            await ChangeClaimsAsync(scope.ServiceProvider, users, user, [], nameClaims, cancellationToken);
        }

        return UserCreateResult.Created(await CreatedUserAsync(users, store, user, email, profile, nameClaims, null, null, emailConfirmed));
    }

    /// <summary>A new, unsaved user with the profile's email (also its user name, confirmed as Shopify verified it), phone and name properties.</summary>
    private static async Task<TUser> NewUserAsync(IUserStore<TUser> store, string email, CustomerProfile profile, bool emailConfirmed, CancellationToken cancellationToken)
    {
        var user = new TUser();
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

        SetNameProperties(user, profile, ProfileFields.FirstName | ProfileFields.LastName);
        return user;
    }

    /// <summary>What the sync knows of a user it has just created, without reading it back.</summary>
    private static async Task<SyncUser> CreatedUserAsync(UserManager<TUser> users, IUserStore<TUser> store, TUser user, string email, CustomerProfile profile, List<Claim> claims, string? storeHandle, long? customerId, bool emailConfirmed)
        => new SyncUser(
            await users.GetUserIdAsync(user),
            store is IUserEmailStore<TUser> ? email : null,
            DisplayNameProperty?.GetValue(user) as string,
            FirstNameProperty is not null ? FirstNameProperty.GetValue(user) as string : claims.FirstOrDefault(c => c.Type == ShopifyUserClaims.GivenName)?.Value,
            LastNameProperty is not null ? LastNameProperty.GetValue(user) as string : claims.FirstOrDefault(c => c.Type == ShopifyUserClaims.FamilyName)?.Value,
            store is IUserPhoneNumberStore<TUser> ? profile.Phone : null,
            storeHandle is null ? customerId : null,
            storeHandle is not null && customerId is { } id
                ? new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase) { [storeHandle] = id }
                : new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase))
        {
            EmailConfirmed = store is IUserEmailStore<TUser> && emailConfirmed,
        };

    public async Task UpdateProfileAsync(string userId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        await using var scope = Scope();
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

        await WriteNameClaimsAsync(scope.ServiceProvider, users, user, profile, fields, cancellationToken);
    }

    public async Task SetShopifyIdAsync(string userId, string? storeHandle, long? customerId, CancellationToken cancellationToken)
    {
        await using var scope = Scope();
        var users = Manager(scope);
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"User {userId} does not exist.");
        await ReplaceClaimAsync(scope.ServiceProvider, users, user, ShopifyUserClaims.ShopifyIdFor(storeHandle), customerId?.ToString(CultureInfo.InvariantCulture), cancellationToken);
    }

    /// <summary>
    /// Two queries over the user table (normalized email, phone number). Needs a queryable store and a user type with
    /// <c>NormalizedEmail</c> and <c>PhoneNumber</c> properties, as Identity's <c>IdentityUser</c> has; otherwise null.
    /// </summary>
    async Task<TakenContacts?> IBulkUserDirectory.FindTakenAsync(IReadOnlyCollection<string> emails, IReadOnlyCollection<string> phones, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emails);
        ArgumentNullException.ThrowIfNull(phones);
        await using var scope = Scope();
        var users = Manager(scope);
        if (!users.SupportsQueryableUsers || NormalizedEmailProperty is null || PhoneProperty is null)
        {
            return null;
        }

        var byNormalized = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var email in emails)
        {
            var normalized = users.NormalizeEmail(email.Trim());
            if (!byNormalized.TryGetValue(normalized, out var given))
            {
                byNormalized[normalized] = given = [];
            }

            given.Add(email);
        }

        var takenEmails = new HashSet<string>(StringComparer.Ordinal);
        foreach (var normalized in await ValuesInAsync(users.Users, NormalizedEmailProperty, byNormalized.Keys, cancellationToken))
        {
            takenEmails.UnionWith(byNormalized.GetValueOrDefault(normalized) ?? []);
        }

        var takenPhones = (await ValuesInAsync(users.Users, PhoneProperty, phones, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        return new TakenContacts(takenEmails, takenPhones);
    }

    /// <summary>
    /// Each user goes through <see cref="UserManager{TUser}.CreateAsync(TUser)"/> (the host's validators, normalization,
    /// security stamp) with the EF Core store's automatic save turned off, gets its name and Shopify id claims, and
    /// all of them are saved together: one prepared INSERT per table (<see cref="AddedRowWriter"/>), or one
    /// <c>SaveChanges</c> when the context has interceptors or mappings that writer leaves to EF Core. Needs an EF Core store (its <c>AutoSaveChanges</c> and
    /// <c>Context</c>) with claims; otherwise null.
    /// </summary>
    async Task<IReadOnlyList<SyncUser?>?> IBulkUserDirectory.CreateLinkedAsync(IReadOnlyList<NewLinkedUser> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        await using var scope = Scope();
        var users = Manager(scope);
        var store = scope.ServiceProvider.GetRequiredService<IUserStore<TUser>>();
        var autoSave = store.GetType().GetProperty("AutoSaveChanges", BindingFlags.Public | BindingFlags.Instance);
        if (ContextOf(store) is not { } context || store is not IUserClaimStore<TUser> claims || store is not IUserEmailStore<TUser>
            || autoSave is not { CanRead: true, CanWrite: true } || autoSave.PropertyType != typeof(bool))
        {
            return null;
        }

        var created = new SyncUser?[entries.Count];
        var autoSaved = (bool)autoSave.GetValue(store)!;
        autoSave.SetValue(store, false);
        try
        {
            using var absent = await AssumeAbsentAsync(users, entries, cancellationToken);
            for (var i = 0; i < entries.Count; i++)
            {
                var (profile, storeHandle, customerId, emailConfirmed) = entries[i];
                if (string.IsNullOrWhiteSpace(profile.Email))
                {
                    continue;
                }

                var email = profile.Email.Trim();
                var user = await NewUserAsync(store, email, profile, emailConfirmed, cancellationToken);

                // Validates, normalizes and adds the user to the context; the store does not save.
                if (!(await users.CreateAsync(user)).Succeeded)
                {
                    continue;
                }

                var userClaims = NewNameClaims(profile);
                userClaims.Add(new Claim(ShopifyUserClaims.ShopifyIdFor(storeHandle), customerId.ToString(CultureInfo.InvariantCulture)));
                await claims.AddClaimsAsync(user, userClaims, cancellationToken);
                created[i] = await CreatedUserAsync(users, store, user, email, profile, userClaims, storeHandle, customerId, emailConfirmed);
            }

            try
            {
                await AddedRowWriter.SaveAsync(context, cancellationToken);
            }
            finally
            {
                // Saved or not, nothing of this call stays tracked: a failed save must not be retried by a later one.
                context.ChangeTracker.Clear();
            }
        }
        finally
        {
            autoSave.SetValue(store, autoSaved);
        }

        return created;
    }

    /// <summary>
    /// With the sync's own user manager, the user names and emails of <paramref name="entries"/> that no user has
    /// (two queries) are answered to its validators without a query each; null otherwise, or when personal data is
    /// stored protected (the columns would not hold the plain values).
    /// </summary>
    private static async Task<IDisposable?> AssumeAbsentAsync(UserManager<TUser> users, IReadOnlyList<NewLinkedUser> entries, CancellationToken cancellationToken)
    {
        if (users is not ShopifySyncingUserManager<TUser> syncing || users.Options.Stores.ProtectPersonalData || !users.SupportsQueryableUsers
            || NormalizedUserNameProperty is null || NormalizedEmailProperty is null)
        {
            return null;
        }

        var emails = entries.Where(e => !string.IsNullOrWhiteSpace(e.Profile.Email)).Select(e => e.Profile.Email!.Trim()).ToList();
        var names = emails.Select(e => users.NormalizeName(e)!).ToHashSet(StringComparer.Ordinal);
        var normalizedEmails = emails.Select(e => users.NormalizeEmail(e)!).ToHashSet(StringComparer.Ordinal);
        names.ExceptWith(await ValuesInAsync(users.Users, NormalizedUserNameProperty, names, cancellationToken));
        normalizedEmails.ExceptWith(await ValuesInAsync(users.Users, NormalizedEmailProperty, normalizedEmails, cancellationToken));
        return syncing.AssumeAbsent(names, normalizedEmails);
    }

    /// <summary>The values of <paramref name="property"/> among <paramref name="values"/>, found by one query.</summary>
    private static async Task<List<string>> ValuesInAsync(IQueryable<TUser> users, PropertyInfo property, IEnumerable<string> values, CancellationToken cancellationToken)
    {
        var holder = new ValuesHolder(values.Distinct(StringComparer.Ordinal).ToList());
        if (holder.Values.Count == 0)
        {
            return [];
        }

        var user = Expression.Parameter(typeof(TUser), "user");
        var column = Expression.Property(user, property);
        var contains = Expression.Call(
            typeof(Enumerable), nameof(Enumerable.Contains), [typeof(string)],
            Expression.Property(Expression.Constant(holder), nameof(ValuesHolder.Values)), column);
        var query = users.Where(Expression.Lambda<Func<TUser, bool>>(contains, user)).Select(Expression.Lambda<Func<TUser, string>>(column, user));
        var found = query is IAsyncEnumerable<string> ? await query.ToListAsync(cancellationToken) : query.ToList();
        return found.Where(v => v is not null).ToList();
    }

    private static UserManager<TUser> Manager(UserScope scope) => scope.ServiceProvider.GetRequiredService<UserManager<TUser>>();

    /// <summary>The running batch's scope (its UserManager and DbContext, inside its transaction), else a scope of this call's own.</summary>
    private UserScope Scope() => WorkBatch.Current?.Users is IdentityUserBatch batch && ReferenceEquals(batch.Directory, this)
        ? new UserScope(batch.Scope, owned: false)
        : new UserScope(scopes.CreateAsyncScope(), owned: true);

    async Task<IUserWriteBatch?> IBatchUserDirectory.BeginBatchAsync(string syncDatabaseFile, CancellationToken cancellationToken)
    {
        var scope = scopes.CreateAsyncScope();
        try
        {
            // Only an EF Core store exposes the context whose transaction the batch needs.
            var store = scope.ServiceProvider.GetRequiredService<IUserStore<TUser>>();
            if (ContextOf(store) is not DbContext context
                || !context.Database.IsRelational()
                || string.Equals(SyncDatabase.SqliteFile(context), syncDatabaseFile, StringComparison.Ordinal))
            {
                await scope.DisposeAsync();
                return null;
            }

            // The context belongs to this batch's own scope. Items have savepoints of their own, and on SQLite a failed
            // statement does not end the transaction: EF's savepoint around every save would only add two statements.
            context.Database.AutoSavepointsEnabled = !context.Database.IsSqlite();
            var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
            return new IdentityUserBatch(this, scope, context, transaction);
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

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
            shopifyIds)
        {
            EmailConfirmed = users.SupportsUserEmail && await users.IsEmailConfirmedAsync(user),
            PhoneConfirmed = users.SupportsUserPhoneNumber && await users.IsPhoneNumberConfirmedAsync(user),
            Roles = users.SupportsUserRole ? [.. await users.GetRolesAsync(user)] : [],
        };
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

    private static async Task WriteNameClaimsAsync(IServiceProvider services, UserManager<TUser> users, TUser user, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken)
    {
        if (FirstNameProperty is null && fields.HasFlag(ProfileFields.FirstName))
        {
            await ReplaceClaimAsync(services, users, user, ShopifyUserClaims.GivenName, profile.FirstName, cancellationToken);
        }

        if (LastNameProperty is null && fields.HasFlag(ProfileFields.LastName))
        {
            await ReplaceClaimAsync(services, users, user, ShopifyUserClaims.FamilyName, profile.LastName, cancellationToken);
        }
    }

    private static async Task ReplaceClaimAsync(IServiceProvider services, UserManager<TUser> users, TUser user, string type, string? value, CancellationToken cancellationToken)
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

        await ChangeClaimsAsync(services, users, user, existing, string.IsNullOrWhiteSpace(value) ? [] : [new Claim(type, value)], cancellationToken);
    }

    /// <summary>
    /// Removes and adds claims in one save. With an EF Core store the change goes to the store and its context
    /// directly: UserManager would also re-validate the user name and email (two queries) and rewrite the user
    /// row, for claims only the sync writes. Other stores go through UserManager.
    /// </summary>
    private static async Task ChangeClaimsAsync(IServiceProvider services, UserManager<TUser> users, TUser user, List<Claim> remove, List<Claim> add, CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<IUserStore<TUser>>();
        if (store is IUserClaimStore<TUser> claims && ContextOf(store) is { } context)
        {
            if (remove.Count > 0)
            {
                await claims.RemoveClaimsAsync(user, remove, cancellationToken);
            }

            if (add.Count > 0)
            {
                await claims.AddClaimsAsync(user, add, cancellationToken);
            }

            await context.SaveChangesAsync(cancellationToken);
            return;
        }

        if (remove.Count > 0)
        {
            Check(await users.RemoveClaimsAsync(user, remove));
        }

        if (add.Count > 0)
        {
            Check(await users.AddClaimsAsync(user, add));
        }
    }

    /// <summary>The DbContext of an EF Core Identity store (its public <c>Context</c>), or null for other stores.</summary>
    private static DbContext? ContextOf(IUserStore<TUser> store)
        => ContextProperties.GetOrAdd(
            store.GetType(),
            type => type.GetProperty("Context", BindingFlags.Public | BindingFlags.Instance) is { } property && typeof(DbContext).IsAssignableFrom(property.PropertyType) ? property : null)
            ?.GetValue(store) as DbContext;

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

    private sealed record ValuesHolder(List<string> Values);

    /// <summary>A scope lent for one call: a batch's scope is kept for its next call.</summary>
    private readonly struct UserScope(AsyncServiceScope scope, bool owned) : IAsyncDisposable
    {
        public IServiceProvider ServiceProvider => scope.ServiceProvider;

        public ValueTask DisposeAsync() => owned ? scope.DisposeAsync() : ValueTask.CompletedTask;
    }
}
