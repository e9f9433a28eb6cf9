using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Users;

/// <summary>
/// The host's <see cref="UserManager{TUser}"/>, which also schedules a Shopify push after every successful
/// create or update (every Identity write ends in <see cref="UpdateUserAsync"/>). Writes made by the sync
/// itself run inside <see cref="EchoRules.SyncWrite"/> and are not pushed back. A failure to schedule never fails
/// the user's save; it is logged.
/// <para>
/// With the sync's database on SQLite, each create, update and delete outside the sync's batch transactions (the
/// site's own, and the sync's single writes) first takes a turn at the write lock
/// (<see cref="SyncDatabase.TakeSingleWriteTurnAsync"/>), as the sync's workers and imports do: an import holds the
/// users' and the sync's write locks transaction after transaction, and SQLite's own wait for a lock is not fair, so a
/// user's save during an import waited until the import had finished (or failed after the busy timeout). The turn comes
/// after the import's current transaction; a save never waits for it longer than
/// <see cref="SyncDatabase.SingleWriteTurnWait"/>.
/// </para>
/// </summary>
public partial class ShopifySyncingUserManager<TUser> : UserManager<TUser>
    where TUser : class
{
    private readonly OutboundPushScheduler _scheduler;
    private readonly SyncDatabase? _database;
    private HashSet<string>? _absentNames;
    private HashSet<string>? _absentEmails;

    public ShopifySyncingUserManager(
        IUserStore<TUser> store,
        IOptions<IdentityOptions> optionsAccessor,
        IPasswordHasher<TUser> passwordHasher,
        IEnumerable<IUserValidator<TUser>> userValidators,
        IEnumerable<IPasswordValidator<TUser>> passwordValidators,
        ILookupNormalizer keyNormalizer,
        IdentityErrorDescriber errors,
        IServiceProvider services,
        ILogger<UserManager<TUser>> logger)
        : base(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
    {
        _scheduler = services.GetRequiredService<OutboundPushScheduler>();
        _database = services.GetService<SyncDatabase>();
    }

    public override async Task<IdentityResult> CreateAsync(TUser user)
    {
        using var turn = (await TakeTurnAsync()).HeldByThisFlow();
        var result = await base.CreateAsync(user);
        if (result.Succeeded)
        {
            await ScheduleAsync(user);
        }

        return result;
    }

    /// <summary>
    /// A user name known to belong to nobody (<see cref="AssumeAbsent"/>) is answered without a query, once;
    /// everything else is looked up as usual.
    /// </summary>
    public override Task<TUser?> FindByNameAsync(string userName)
        => userName is not null && _absentNames?.Remove(NormalizeName(userName)) == true ? Task.FromResult<TUser?>(null) : base.FindByNameAsync(userName!);

    /// <inheritdoc cref="FindByNameAsync"/>
    public override Task<TUser?> FindByEmailAsync(string email)
        => email is not null && _absentEmails?.Remove(NormalizeEmail(email)) == true ? Task.FromResult<TUser?>(null) : base.FindByEmailAsync(email!);

    /// <summary>
    /// Until the returned handle is disposed, the user validators' uniqueness look-ups of these normalized names and
    /// emails – found by one query to belong to no user – are answered without a query, each once. For creating
    /// many users together; a name or email asked again goes to the store.
    /// </summary>
    internal IDisposable AssumeAbsent(IEnumerable<string> normalizedNames, IEnumerable<string> normalizedEmails)
    {
        _absentNames = new HashSet<string>(normalizedNames, StringComparer.Ordinal);
        _absentEmails = new HashSet<string>(normalizedEmails, StringComparer.Ordinal);
        return new AbsentScope(this);
    }

    public override async Task<IdentityResult> DeleteAsync(TUser user)
    {
        using var turn = (await TakeTurnAsync()).HeldByThisFlow();
        return await base.DeleteAsync(user);
    }

    protected override async Task<IdentityResult> UpdateUserAsync(TUser user)
    {
        using var turn = (await TakeTurnAsync()).HeldByThisFlow();
        var result = await base.UpdateUserAsync(user);
        if (result.Succeeded)
        {
            await ScheduleAsync(user);
        }

        return result;
    }

    /// <summary>
    /// A turn at the sync database's write lock for the save (<see cref="SyncDatabase.TakeSingleWriteTurnAsync"/>), held
    /// by this flow so that the push it schedules takes none of its own. None inside a sync batch (the batch holds the
    /// turn) or on PostgreSQL; and inside a transaction the site began on the users' context, whose lock may be what the
    /// turn's holder waits for, the save and the push it schedules go ahead without one. The sync's own saves outside a
    /// batch take one as the site's do.
    /// </summary>
    private async ValueTask<SyncDatabase.WriteTurn> TakeTurnAsync()
    {
        if (_database is null)
        {
            return SyncDatabase.WriteTurn.None;
        }

        if (IdentityStoreAccess<TUser>.ContextOf(Store)?.Database.CurrentTransaction is not null)
        {
            return _database.GoingWithoutTurn();
        }

        return await _database.TakeSingleWriteTurnAsync(CancellationToken);
    }

    private async Task ScheduleAsync(TUser user)
    {
        if (EchoRules.IsSyncWrite)
        {
            return;
        }

        try
        {
            await _scheduler.UserChangedAsync(await GetUserIdAsync(user), CancellationToken);
        }
#pragma warning disable CA1031 // Saving the user matters more than scheduling its push; the failure is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ScheduleFailed(Logger, ex);
        }
    }

    private sealed class AbsentScope(ShopifySyncingUserManager<TUser> manager) : IDisposable
    {
        public void Dispose()
        {
            manager._absentNames = null;
            manager._absentEmails = null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Scheduling the Shopify push of a changed user failed")]
        public static partial void ScheduleFailed(ILogger logger, Exception exception);
    }
}
