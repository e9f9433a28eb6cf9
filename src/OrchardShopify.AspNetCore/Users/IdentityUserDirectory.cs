using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Users;

/// <summary>
/// <see cref="IUserDirectory"/> over <see cref="UserManager{TUser}"/>. Shopify ids are user claims
/// (<see cref="ShopifyUserClaims"/>); names are where the <see cref="IIdentityProfileMapper{TUser}"/> keeps them
/// (by default <c>FirstName</c>/<c>LastName</c> properties when the user type has them, else <c>given_name</c>/<c>family_name</c>
/// claims). New users in bulk go through <see cref="IdentityBulkUserWriter{TUser}"/>. Each call runs in its own scope
/// because the engine is a singleton and a UserManager is scoped; inside a worker's batch it joins the batch's scope and transaction.
/// </summary>
public sealed class IdentityUserDirectory<TUser> : IUserDirectory, IBatchUserDirectory, IBulkUserDirectory, IUserRoleSync
    where TUser : class, new()
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IIdentityProfileMapper<TUser> _profiles;
    private readonly IdentityUserFactory<TUser> _factory;
    private readonly IdentityBulkUserWriter<TUser> _bulk;

    /// <summary>A directory whose names are mapped by <paramref name="profiles"/>.</summary>
    public IdentityUserDirectory(IServiceScopeFactory scopes, IIdentityProfileMapper<TUser> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        _scopes = scopes;
        _profiles = profiles;
        _factory = new IdentityUserFactory<TUser>(profiles);
        _bulk = new IdentityBulkUserWriter<TUser>(_factory);
    }

    /// <summary>A directory with the <see cref="DefaultIdentityProfileMapper{TUser}"/>.</summary>
    public IdentityUserDirectory(IServiceScopeFactory scopes)
        : this(scopes, new DefaultIdentityProfileMapper<TUser>())
    {
    }

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
        if (!users.SupportsQueryableUsers || IdentityStoreAccess<TUser>.PhoneProperty is null)
        {
            return null;
        }

        // Ordered by the filtered column itself: the order does not matter (only "exactly one" is used) and it keeps the index usable.
        var query = users.Users.Where(IdentityStoreAccess<TUser>.PhoneEquals(e164Phone)).OrderBy(IdentityStoreAccess<TUser>.PhoneOf()).Take(2);
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

        var user = await _factory.NewUserAsync(store, email, profile, emailConfirmed, cancellationToken);
        IdentityResult created;
        try
        {
            created = await users.CreateAsync(user);
        }
        catch (DbUpdateException refused) when (WorkBatch.Current is null && SyncDatabase.IsUniqueViolation(refused))
        {
            // Another writer (another node, another store's import or delivery) created a user with this email between
            // the validators' look-up and this insert, and the user name's unique index refused the second one: the
            // email was taken meanwhile, as when the validators find it. (Inside a batch the item is undone and applied
            // again instead: on PostgreSQL its transaction accepts no statement until then.)
            if (await TakenMeanwhileAsync(users, store, email))
            {
                return UserCreateResult.Taken();
            }

            throw;
        }

        if (!created.Succeeded)
        {
            return created.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateEmail) or nameof(IdentityErrorDescriber.DuplicateUserName))
                ? UserCreateResult.Taken()
                : UserCreateResult.Failed(IdentityStoreAccess<TUser>.Describe(created));
        }

        // A new user has no claims yet: both name claims go in one save, and the result needs no re-read.
        var nameClaims = _factory.NewNameClaims(profile);
        if (nameClaims.Count > 0)
        {
            if (!users.SupportsUserClaim)
            {
                throw new NotSupportedException($"The user store of {typeof(TUser).Name} does not store claims; the Shopify sync keeps names as claims when the user type has no FirstName/LastName.");
            }

            await ChangeClaimsAsync(scope.ServiceProvider, users, user, [], nameClaims, cancellationToken);
        }

        return UserCreateResult.Created(await _factory.CreatedUserAsync(users, store, user, email, profile, nameClaims, null, null, emailConfirmed));
    }

    /// <summary>
    /// Whether a user now has <paramref name="email"/>, once the refused new user is forgotten (the rules then match that
    /// user by its email; a user holding it only as a user name is not one they could link).
    /// </summary>
    private static async Task<bool> TakenMeanwhileAsync(UserManager<TUser> users, IUserStore<TUser> store, string email)
    {
        IdentityStoreAccess<TUser>.ContextOf(store)?.ChangeTracker.Clear();
        return await users.FindByEmailAsync(email) is not null;
    }

    public async Task UpdateProfileAsync(string userId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        await using var scope = Scope();
        var users = Manager(scope);
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"User {userId} does not exist.");
        if (fields.HasFlag(ProfileFields.Email) && profile.Email is not null)
        {
            IdentityStoreAccess<TUser>.Check(await users.SetEmailAsync(user, profile.Email));
        }

        if (fields.HasFlag(ProfileFields.Phone))
        {
            IdentityStoreAccess<TUser>.Check(await users.SetPhoneNumberAsync(user, profile.Phone));
        }

        if (_profiles.WriteProperties(user, profile, fields))
        {
            IdentityStoreAccess<TUser>.Check(await users.UpdateAsync(user));
        }

        // Names the user type keeps as claims: each replaces the claims of its type (a blank value removes them).
        foreach (var claim in _profiles.ClaimsFor(profile, fields))
        {
            await ReplaceClaimAsync(scope.ServiceProvider, users, user, claim.Type, claim.Value, cancellationToken);
        }
    }

    public async Task SetShopifyIdAsync(string userId, string? storeHandle, long? customerId, CancellationToken cancellationToken)
    {
        await using var scope = Scope();
        var users = Manager(scope);
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"User {userId} does not exist.");
        await ReplaceClaimAsync(scope.ServiceProvider, users, user, ShopifyUserClaims.ShopifyIdFor(storeHandle), customerId?.ToString(CultureInfo.InvariantCulture), cancellationToken);
    }

    async Task<TakenContacts?> IBulkUserDirectory.FindTakenAsync(IReadOnlyCollection<string> emails, IReadOnlyCollection<string> phones, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emails);
        ArgumentNullException.ThrowIfNull(phones);
        await using var scope = Scope();
        return await IdentityBulkUserWriter<TUser>.FindTakenAsync(Manager(scope), emails, phones, cancellationToken);
    }

    async Task<IReadOnlyList<SyncUser?>?> IBulkUserDirectory.CreateLinkedAsync(IReadOnlyList<NewLinkedUser> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        await using var scope = Scope();
        return await _bulk.CreateLinkedAsync(Manager(scope), scope.ServiceProvider.GetRequiredService<IUserStore<TUser>>(), entries, cancellationToken);
    }

    private static UserManager<TUser> Manager(UserScope scope) => scope.ServiceProvider.GetRequiredService<UserManager<TUser>>();

    /// <summary>The running batch's scope (its UserManager and DbContext, inside its transaction), else a scope of this call's own.</summary>
    /// <summary>
    /// Identity roles for <see cref="Core.Configuration.ShopifySyncOptions.TagRoles"/>: <see cref="UserManager{TUser}.AddToRoleAsync"/>
    /// and <see cref="UserManager{TUser}.RemoveFromRoleAsync"/>. A role the role store does not have is reported missing,
    /// not created. A signed-in user's cookie keeps the roles it was issued with until it is refreshed (sign-in, or
    /// <c>SignInManager.RefreshSignInAsync</c>); check <see cref="UserManager{TUser}.IsInRoleAsync"/> where a change must
    /// show at once.
    /// </summary>
    public async Task<UserRoleChange> ChangeRolesAsync(string userId, IReadOnlyCollection<string> add, IReadOnlyCollection<string> remove, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(remove);
        await using var scope = Scope();
        var users = Manager(scope);
        if (!users.SupportsUserRole || await users.FindByIdAsync(userId) is not { } user)
        {
            return UserRoleChange.None;
        }

        List<string> added = [], removed = [], missing = [];
        foreach (var role in add)
        {
            if (await users.IsInRoleAsync(user, role))
            {
                continue;
            }

            try
            {
                IdentityStoreAccess<TUser>.Check(await users.AddToRoleAsync(user, role));
                added.Add(role);
            }
            catch (InvalidOperationException)
            {
                // The role store does not have the role (the EF Core store's "Role … does not exist."), checked before it
                // writes anything: the user keeps its roles and the sync reports the role missing.
                missing.Add(role);
            }
        }

        foreach (var role in remove)
        {
            if (await users.IsInRoleAsync(user, role))
            {
                IdentityStoreAccess<TUser>.Check(await users.RemoveFromRoleAsync(user, role));
                removed.Add(role);
            }
        }

        return new UserRoleChange(added, removed, missing);
    }

    private UserScope Scope() => WorkBatch.Current?.Users is IdentityUserBatch batch && ReferenceEquals(batch.Directory, this)
        ? new UserScope(batch.Scope, owned: false)
        : new UserScope(_scopes.CreateAsyncScope(), owned: true);

    async Task<IUserWriteBatch?> IBatchUserDirectory.BeginBatchAsync(string syncDatabaseFile, CancellationToken cancellationToken)
    {
        var scope = _scopes.CreateAsyncScope();
        try
        {
            // Only an EF Core store exposes the context whose transaction the batch needs.
            var store = scope.ServiceProvider.GetRequiredService<IUserStore<TUser>>();
            if (IdentityStoreAccess<TUser>.ContextOf(store) is not DbContext context
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

    async Task<IUserWriteBatch?> IBatchUserDirectory.JoinBatchAsync(DbContext syncContext, CancellationToken cancellationToken)
    {
        var scope = _scopes.CreateAsyncScope();
        try
        {
            var store = scope.ServiceProvider.GetRequiredService<IUserStore<TUser>>();
            if (IdentityStoreAccess<TUser>.ContextOf(store) is not DbContext context
                || !context.Database.IsRelational()
                || syncContext.Database.CurrentTransaction is not { } transaction
                || !SyncDatabase.IsSamePostgresDatabase(context, syncContext))
            {
                await scope.DisposeAsync();
                return null;
            }

            // The context is new to this batch's scope: it takes the sync context's open connection (which it does not
            // own, so never closes) and its transaction. The batch's item savepoints cover the users' writes too.
            context.Database.SetDbConnection(syncContext.Database.GetDbConnection(), contextOwnsConnection: false);
            context.Database.AutoSavepointsEnabled = false;
            await context.Database.UseTransactionAsync(transaction.GetDbTransaction(), cancellationToken);
            return new IdentityUserBatch(this, scope, context, transaction: null);
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    private async Task<SyncUser> ToSyncUserAsync(UserManager<TUser> users, TUser user)
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

        var names = _profiles.ReadNames(user, claims);
        return new SyncUser(
            await users.GetUserIdAsync(user),
            users.SupportsUserEmail ? await users.GetEmailAsync(user) : null,
            names.DisplayName,
            names.FirstName,
            names.LastName,
            users.SupportsUserPhoneNumber ? await users.GetPhoneNumberAsync(user) : null,
            shopifyId,
            shopifyIds)
        {
            EmailConfirmed = users.SupportsUserEmail && await users.IsEmailConfirmedAsync(user),
            PhoneConfirmed = users.SupportsUserPhoneNumber && await users.IsPhoneNumberConfirmedAsync(user),
            Roles = users.SupportsUserRole ? [.. await users.GetRolesAsync(user)] : [],
        };
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
        if (store is IUserClaimStore<TUser> claims && IdentityStoreAccess<TUser>.ContextOf(store) is { } context)
        {
            if (remove.Count > 0)
            {
                await claims.RemoveClaimsAsync(user, remove, cancellationToken);
            }

            if (add.Count > 0)
            {
                await claims.AddClaimsAsync(user, add, cancellationToken);
            }

            // A turn at the write lock on SQLite, as the user manager takes for its saves (none inside a sync batch): a
            // push storing the customer's shopify_id during an import.
            using var turn = services.GetService<SyncDatabase>() is { } database && context.Database.CurrentTransaction is null
                ? await database.TakeSingleWriteTurnAsync(cancellationToken)
                : SyncDatabase.WriteTurn.None;
            await context.SaveChangesAsync(cancellationToken);
            return;
        }

        if (remove.Count > 0)
        {
            IdentityStoreAccess<TUser>.Check(await users.RemoveClaimsAsync(user, remove));
        }

        if (add.Count > 0)
        {
            IdentityStoreAccess<TUser>.Check(await users.AddClaimsAsync(user, add));
        }
    }

    /// <summary>A scope lent for one call: a batch's scope is kept for its next call.</summary>
    private readonly struct UserScope(AsyncServiceScope scope, bool owned) : IAsyncDisposable
    {
        public IServiceProvider ServiceProvider => scope.ServiceProvider;

        public ValueTask DisposeAsync() => owned ? scope.DisposeAsync() : ValueTask.CompletedTask;
    }
}
