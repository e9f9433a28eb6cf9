using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>
/// One transaction around a run of claimed inbound items, so that storing a batch costs one commit instead of several
/// per item. Each item runs inside savepoints: a failing item's writes are rolled back alone, and it is retried or
/// dead-lettered alone.
/// <list type="bullet">
/// <item>On SQLite: one transaction in the sync database and one in the user directory's database (another file). The
/// user directory's transaction commits first, so a crash between the two commits leaves users whose items are still
/// claimed: they are applied again after the lease, find the user, and link it.</item>
/// <item>On PostgreSQL: one connection and one transaction for both, when the users are in the same database: the
/// users, links, log rows and the items' outcomes commit together, and the customers' advisory locks
/// (<see cref="PostgresSyncLock"/>) are taken in that transaction, so they are held until its commit and no other node
/// reads a customer's state before this batch's writes about it are visible.</item>
/// </list>
/// The customers' locks (<see cref="ISyncLock"/>) of everything the batch will work are taken by
/// <see cref="TryBeginAsync"/> together, in one sorted order, before anything is written: on SQLite before the
/// transactions begin (and released after they end), on PostgreSQL as the transaction's first statement. A flow that
/// holds a customer's lock and then writes (a push remembering Shopify's answer, an administrator's link) never waits for
/// a batch's write lock while the batch waits for its customer; two batches never wait for each other's customers. The
/// work the batch runs finds its customers' locks held (<see cref="HeldSyncLocks"/>) and does not ask for them again.
/// Used only when the user directory can join (<see cref="IBatchUserDirectory"/>); otherwise items are stored one by
/// one as before.
/// </summary>
internal sealed class WorkBatch : IAsyncDisposable
{
    private const string ItemSavepoint = "shopify_item";
    private static readonly AsyncLocal<WorkBatch?> Ambient = new();
    private static readonly IReadOnlySet<string> EmptyKeys = new HashSet<string>(StringComparer.Ordinal);

    private readonly IDbContextTransaction _transaction;
    private IReadOnlySet<string> _heldKeys = EmptyKeys;
    private IAsyncDisposable? _locks;
    private SyncDatabase.WriteTurn? _turn;
    private bool _committed;

    private WorkBatch(ShopifySyncDbContext db, IDbContextTransaction transaction, IUserWriteBatch users, bool isPostgres)
    {
        Db = db;
        _transaction = transaction;
        Users = users;
        IsPostgres = isPostgres;
    }

    /// <summary>The batch the current flow works in, if any.</summary>
    public static WorkBatch? Current => Ambient.Value;

    public ShopifySyncDbContext Db { get; }

    public IUserWriteBatch Users { get; }

    /// <summary>True on PostgreSQL: the users' writes and the customers' advisory locks are in this batch's transaction.</summary>
    public bool IsPostgres { get; }

    /// <summary>The transaction every write of the batch joins.</summary>
    public System.Data.Common.DbTransaction Transaction => _transaction.GetDbTransaction();

    /// <summary>
    /// Begins a batch holding the locks of <paramref name="lockKeys"/> (the customers the batch will work,
    /// <see cref="SyncLockKeys.Customer"/>) for as long as it lasts.
    /// </summary>
    /// <returns>Null when batching is not possible here (no lock is held then): the caller stores items one by one.</returns>
    public static async Task<WorkBatch?> TryBeginAsync(SyncDatabase database, IUserDirectory users, ISyncLock locks, IEnumerable<string> lockKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(locks);
        ArgumentNullException.ThrowIfNull(lockKeys);
        if (users is not IBatchUserDirectory)
        {
            return null;
        }

        // One order for every batch: two batches wanting some of the same customers take the first of them in turn.
        var keys = lockKeys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (database.IsPostgres && locks is PostgresSyncLock)
        {
            // Transaction-scoped advisory locks, taken in one statement before anything is written: held until the commit
            // makes this batch's writes visible, and no item's savepoint rolled back lets go of them.
            var shared = await TryBeginTransactionsAsync(database, users, cancellationToken);
            if (shared is not null && keys.Count > 0)
            {
                try
                {
                    await PostgresSyncLock.AcquireAllInAsync(shared, keys, cancellationToken);
                }
                catch
                {
                    await shared.DisposeAsync();
                    throw;
                }

                shared._heldKeys = keys.ToHashSet(StringComparer.Ordinal);
            }

            return shared;
        }

        // Any other lock (in-process on SQLite): taken before the transactions begin, released after they end. On SQLite
        // the batch then waits for its turn at the write lock (SyncDatabase.TakeWriteTurnAsync), once its customers are
        // held: a batch waiting for a customer that a push holds through its call to Shopify keeps nobody else waiting.
        var held = keys.Count == 0 ? null : await locks.AcquireAllUnlessHeldAsync(keys, cancellationToken);
        SyncDatabase.WriteTurn? turn = null;
        try
        {
            turn = await database.TakeWriteTurnAsync(cancellationToken);
            var batch = await TryBeginTransactionsAsync(database, users, cancellationToken);
            if (batch is null)
            {
                turn.Dispose();
                if (held is not null)
                {
                    await held.DisposeAsync();
                }

                return null;
            }

            batch._locks = held;
            batch._turn = turn;
            batch._heldKeys = keys.ToHashSet(StringComparer.Ordinal);
            return batch;
        }
        catch
        {
            turn?.Dispose();
            if (held is not null)
            {
                await held.DisposeAsync();
            }

            throw;
        }
    }

    private static async Task<WorkBatch?> TryBeginTransactionsAsync(SyncDatabase database, IUserDirectory users, CancellationToken cancellationToken)
    {
        if (users is not IBatchUserDirectory batchable)
        {
            return null;
        }

        var db = await database.OpenAsync(cancellationToken);
        if (database.IsPostgres)
        {
            return await TryBeginSharedAsync(db, batchable, cancellationToken);
        }

        IUserWriteBatch? userBatch = null;
        try
        {
            var file = SyncDatabase.SqliteFile(db);
            userBatch = file is null ? null : await batchable.BeginBatchAsync(file, cancellationToken);
            if (userBatch is null)
            {
                await db.DisposeAsync();
                return null;
            }

            // Items have savepoints of their own, and a failed statement does not end a SQLite transaction: EF's
            // savepoint around every save would only add two statements to each.
            db.Database.AutoSavepointsEnabled = false;
            var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            return new WorkBatch(db, transaction, userBatch, isPostgres: false);
        }
        catch
        {
            if (userBatch is not null)
            {
                await userBatch.DisposeAsync();
            }

            await db.DisposeAsync();
            throw;
        }
    }

    /// <summary>PostgreSQL: the user directory joins the sync context's connection and transaction, or the batch is not begun.</summary>
    private static async Task<WorkBatch?> TryBeginSharedAsync(ShopifySyncDbContext db, IBatchUserDirectory batchable, CancellationToken cancellationToken)
    {
        IDbContextTransaction? transaction = null;
        try
        {
            // A failed statement aborts a PostgreSQL transaction until a savepoint before it is rolled back to: the
            // item's savepoint is that savepoint (nothing in an item goes on after a failed statement), so EF's
            // savepoint around every save would only add two round trips to each.
            db.Database.AutoSavepointsEnabled = false;
            transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (await batchable.JoinBatchAsync(db, cancellationToken) is { } userBatch)
            {
                return new WorkBatch(db, transaction, userBatch, isPostgres: true);
            }
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            await db.DisposeAsync();
            throw;
        }

        await transaction.DisposeAsync();
        await db.DisposeAsync();
        return null;
    }

    /// <summary>
    /// Makes this batch the one the calling method (and what it calls) works in, with its customers' locks held
    /// (<see cref="HeldSyncLocks"/>), until <see cref="Leave"/>.
    /// </summary>
    public void Enter()
    {
        Ambient.Value = this;
        HeldSyncLocks.Enter(_heldKeys);
    }

    public static void Leave()
    {
        Ambient.Value = null;
        HeldSyncLocks.Leave();
    }

    /// <summary>
    /// Runs <paramref name="lookUp"/> with its statements planned for their values at each run, by index. On PostgreSQL
    /// the sync's connections keep their statements prepared, and the server plans a prepared statement once for any
    /// values after a few runs: a plan made while a table was small reads the whole table when it has grown, at every
    /// batch. Planned for their values (<c>plan_cache_mode</c>) the look-ups still need statistics: until the user table
    /// is first analyzed (a new site's first minute, or its first bulk import), the server guesses that each value of
    /// <c>= ANY</c> on a non-unique index (Identity's email index, the phone index) matches a share of the table and
    /// reads the whole table instead, once per batch. So sequential scans are off for the look-ups too
    /// (<c>enable_seqscan</c>); a column without an index is still read in full. Both settings hold for this transaction
    /// and are set back after the look-ups: the batch's writes keep their prepared plans, each of whose foreign-key
    /// checks would otherwise be planned too. Outside a PostgreSQL batch <paramref name="lookUp"/> runs as it is. Should
    /// it fail, its statement or the batch is rolled back, and the settings with it.
    /// </summary>
    public static async Task<T> PlannedForValuesAsync<T>(Func<Task<T>> lookUp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lookUp);
        if (Current is not { IsPostgres: true } batch)
        {
            return await lookUp();
        }

        await batch.ExecuteAsync("SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL enable_seqscan = off", cancellationToken);
        var found = await lookUp();
        await batch.ExecuteAsync("SET LOCAL plan_cache_mode TO DEFAULT; SET LOCAL enable_seqscan TO DEFAULT", cancellationToken);
        return found;
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = Db.Database.GetDbConnection().CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task BeginItemAsync(CancellationToken cancellationToken)
    {
        await _transaction.CreateSavepointAsync(ItemSavepoint, cancellationToken);
        await Users.BeginItemAsync(cancellationToken);
    }

    /// <summary>Keeps (<paramref name="succeeded"/>) or undoes the item's writes in both databases.</summary>
    public async Task EndItemAsync(bool succeeded)
    {
        if (!succeeded)
        {
            await _transaction.RollbackToSavepointAsync(ItemSavepoint, CancellationToken.None);
        }

        await _transaction.ReleaseSavepointAsync(ItemSavepoint, CancellationToken.None);
        Db.ChangeTracker.Clear();
        await Users.EndItemAsync(succeeded, CancellationToken.None);
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await Users.CommitAsync(cancellationToken);
        await _transaction.CommitAsync(cancellationToken);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_committed)
            {
                await _transaction.RollbackAsync(CancellationToken.None);
            }
        }
        finally
        {
            // The users let go of the transaction before it ends (on PostgreSQL they share it). Each is disposed even if the
            // one before failed to (a lost connection): none keeps a connection open.
            try
            {
                try
                {
                    await Users.DisposeAsync();
                }
                finally
                {
                    try
                    {
                        await _transaction.DisposeAsync();
                    }
                    finally
                    {
                        await Db.DisposeAsync();
                    }
                }
            }
            finally
            {
                // Only once the transactions have ended: the next writer's turn, and whoever waits for a customer, then
                // find what the batch wrote.
                _turn?.Dispose();
                if (_locks is not null)
                {
                    await _locks.DisposeAsync();
                }
            }
        }
    }
}

/// <summary>A user directory whose writes can join a <see cref="WorkBatch"/>.</summary>
internal interface IBatchUserDirectory
{
    /// <param name="syncDatabaseFile">The sync's SQLite file: a directory keeping users in the same file must decline.</param>
    /// <returns>Null when the directory cannot join (then items are stored one by one).</returns>
    Task<IUserWriteBatch?> BeginBatchAsync(string syncDatabaseFile, CancellationToken cancellationToken);

    /// <summary>
    /// PostgreSQL: joins the connection and transaction <paramref name="syncContext"/> has open, so the users' writes
    /// commit with the sync's. A directory whose users are in another database (or not in EF Core) must decline.
    /// </summary>
    /// <returns>Null when the directory cannot join (then items are stored one by one).</returns>
    Task<IUserWriteBatch?> JoinBatchAsync(Microsoft.EntityFrameworkCore.DbContext syncContext, CancellationToken cancellationToken);
}

/// <summary>The user directory's side of a <see cref="WorkBatch"/>: its own transaction and item savepoints.</summary>
internal interface IUserWriteBatch : IAsyncDisposable
{
    Task BeginItemAsync(CancellationToken cancellationToken);

    Task EndItemAsync(bool succeeded, CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}
