using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>Which SQL dialect the claim and append statements use, and where a unit of work gets its context.</summary>
#pragma warning disable CA1001 // The turns' semaphore holds no wait handle (only WaitAsync is used): nothing to dispose, and a
// container disposing it could leave a running import's release failing on shutdown.
internal sealed class SyncDatabase(IDbContextFactory<ShopifySyncDbContext> contexts, bool isPostgres)
#pragma warning restore CA1001
{
    /// <summary>
    /// The longest a single write of the sync's own outside a batch (<see cref="JoinToWriteAsync"/>), or a site's save of
    /// a user, waits for its turn before it goes ahead and waits for the lock as SQLite does.
    /// </summary>
    internal static readonly TimeSpan SingleWriteTurnWait = TimeSpan.FromSeconds(5);

    /// <summary>The turn the current flow holds (<see cref="WriteTurn.HeldByThisFlow"/>), if any.</summary>
    private static readonly AsyncLocal<WriteTurn?> FlowTurn = new();

    private readonly SemaphoreSlim _writeTurns = new(1, 1);
    private readonly Lock _inboundGate = new();
    private int _inboundInHand;
    private TaskCompletionSource _inboundApplied = Applied();

    public bool IsPostgres { get; } = isPostgres;

    /// <summary>
    /// On SQLite, a turn at the database's one write lock: a worker's claim (an inbound worker's with its inbox move), one
    /// batch transaction (<see cref="WorkBatch"/>: the workers' and an import's, taken once the batch's customers are
    /// held), or a site's save of a user through the sync's user manager (the user's database and the push it schedules;
    /// <see cref="Users.ShopifySyncingUserManager{TUser}"/>).
    /// Turns are given in the order they were asked for, so each waits for the turns asked for before it. SQLite's own
    /// wait for its lock (<c>busy_timeout</c>) is not fair: it retries at intervals of up to 100 ms, and a writer that begins its next transaction as soon as the last one
    /// commits – an import does, transaction after transaction – takes the lock again every time, so webhooks arriving
    /// during an import were applied only once it had finished. On PostgreSQL, which locks rows, no turn is needed:
    /// the returned turn holds nothing.
    /// </summary>
    public async ValueTask<WriteTurn> TakeWriteTurnAsync(CancellationToken cancellationToken)
    {
        if (IsPostgres)
        {
            return WriteTurn.None;
        }

        await _writeTurns.WaitAsync(cancellationToken);
        return new WriteTurn(_writeTurns);
    }

    /// <summary>
    /// <see cref="TakeWriteTurnAsync(CancellationToken)"/> for a writer that must go on after <paramref name="limit"/>
    /// whatever happens (a site's own save of a user): if the turn has not come by then, the returned turn holds nothing
    /// (<see cref="GoingWithoutTurn"/>) and the writer waits for the lock as it would without turns.
    /// </summary>
    public async ValueTask<WriteTurn> TakeWriteTurnAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        if (IsPostgres)
        {
            return WriteTurn.None;
        }

        return await _writeTurns.WaitAsync(limit, cancellationToken) ? new WriteTurn(_writeTurns) : GoingWithoutTurn();
    }

    /// <summary>
    /// On SQLite, a turn for one write outside a batch transaction – a push's writes once Shopify has answered (the link,
    /// the user's <c>shopify_id</c>, the log row, the item's completion), a site's save of a user – bounded by
    /// <see cref="SingleWriteTurnWait"/>. None inside a <see cref="WorkBatch"/> (the batch holds the turn), while this
    /// flow holds a turn already or goes ahead without one (<see cref="WriteTurn.HeldByThisFlow"/>: a site's save
    /// scheduling its push, after its turn or inside a transaction of the site's own), or on PostgreSQL. Without it such a
    /// write waited for the lock as SQLite does, which an import, taking it again transaction after transaction, does not
    /// give up until it ends: past the busy timeout the write failed.
    /// </summary>
    public async ValueTask<WriteTurn> TakeSingleWriteTurnAsync(CancellationToken cancellationToken)
    {
        if (IsPostgres || WorkBatch.Current is not null || FlowTurn.Value is { } held && held.Covers(_writeTurns))
        {
            return WriteTurn.None;
        }

        return await TakeWriteTurnAsync(SingleWriteTurnWait, cancellationToken);
    }

    /// <summary>
    /// No turn at this database's write lock, for a writer that goes ahead without one until disposed: its turn did not
    /// come within its limit, or it writes inside a transaction of the site's own, whose lock the turn's holder may be
    /// waiting for. Held by its flow (<see cref="WriteTurn.HeldByThisFlow"/>), the single writes it makes meanwhile to
    /// this database do not wait for a turn either.
    /// </summary>
    public WriteTurn GoingWithoutTurn() => IsPostgres ? WriteTurn.None : new WriteTurn(null, goingWithout: _writeTurns);

    /// <summary>
    /// Marks deliveries this node's inbound workers have claimed as being applied, until the returned handle is
    /// disposed (<see cref="YieldToInboundAsync"/> waits for it).
    /// </summary>
    public InboundInHand MarkInboundInHand()
    {
        lock (_inboundGate)
        {
            if (_inboundInHand++ == 0)
            {
                _inboundApplied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        return new InboundInHand(this);
    }

    /// <summary>
    /// Waits, at most <paramref name="limit"/>, while this node's inbound workers apply deliveries they have claimed: an
    /// import on PostgreSQL begins its next transaction once they are done, so webhooks are applied first (on SQLite
    /// the turns at the write lock do that, <see cref="TakeWriteTurnAsync(CancellationToken)"/>). The limit keeps an import going when
    /// webhooks never stop.
    /// </summary>
    public async Task YieldToInboundAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        Task applied;
        lock (_inboundGate)
        {
            applied = _inboundApplied.Task;
        }

        if (!applied.IsCompleted)
        {
            await applied.WaitAsync(limit, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private void EndInboundInHand()
    {
        lock (_inboundGate)
        {
            if (--_inboundInHand == 0)
            {
                _inboundApplied.TrySetResult();
            }
        }
    }

    /// <summary>A mark of <see cref="MarkInboundInHand"/>; disposing it ends the mark.</summary>
    public sealed class InboundInHand(SyncDatabase database) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                database.EndInboundInHand();
            }
        }
    }

    private static TaskCompletionSource Applied()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    /// <summary>A turn of <see cref="TakeWriteTurnAsync(CancellationToken)"/>; disposing it (once is enough) gives the next writer waiting its turn.</summary>
    public sealed class WriteTurn : IDisposable
    {
        private SemaphoreSlim? _turns;
        private SemaphoreSlim? _goingWithout;

        internal WriteTurn(SemaphoreSlim? turns, SemaphoreSlim? goingWithout = null)
        {
            _turns = turns;
            _goingWithout = goingWithout;
        }

        /// <summary>The turn where none is needed (PostgreSQL).</summary>
        internal static WriteTurn None { get; } = new(null);

        /// <summary>
        /// Makes this turn the one the calling method, and what it calls, holds (or goes ahead without): their single
        /// writes (<see cref="TakeSingleWriteTurnAsync"/>) then take none of their own, which would wait for this one, or
        /// for the lock the flow holds. Call it in the method that disposes the turn.
        /// </summary>
        public WriteTurn HeldByThisFlow()
        {
            if (_turns is not null || _goingWithout is not null)
            {
                FlowTurn.Value = this;
            }

            return this;
        }

        /// <summary>True while this turn holds <paramref name="turns"/>, or goes ahead without one of them.</summary>
        internal bool Covers(SemaphoreSlim turns)
            => ReferenceEquals(Volatile.Read(ref _turns), turns) || ReferenceEquals(Volatile.Read(ref _goingWithout), turns);

        public void Dispose()
        {
            Volatile.Write(ref _goingWithout, null);
            Interlocked.Exchange(ref _turns, null)?.Release();
        }
    }

    /// <summary>A new context of the caller's own.</summary>
    public Task<ShopifySyncDbContext> OpenAsync(CancellationToken cancellationToken) => contexts.CreateDbContextAsync(cancellationToken);

    /// <summary>
    /// The context for one store operation: the running <see cref="WorkBatch"/>'s (inside its transaction) when this
    /// flow has one, else a new context. Either way, dispose the returned unit when done.
    /// </summary>
    public async ValueTask<SyncUnit> JoinAsync(CancellationToken cancellationToken)
        => WorkBatch.Current is { } batch
            ? new SyncUnit(batch.Db, owned: false)
            : new SyncUnit(await contexts.CreateDbContextAsync(cancellationToken), owned: true);

    /// <summary>
    /// <see cref="JoinAsync"/> for an operation that writes: outside a batch, the new context comes with a turn at the
    /// write lock (<see cref="TakeSingleWriteTurnAsync"/>) that the unit gives up when disposed.
    /// </summary>
    public async ValueTask<SyncUnit> JoinToWriteAsync(CancellationToken cancellationToken)
        => WorkBatch.Current is { } batch ? new SyncUnit(batch.Db, owned: false) : await OpenToWriteAsync(cancellationToken);

    /// <summary>
    /// A new context of the caller's own for an operation that writes outside any batch (a job's heartbeat, a schedule's
    /// lease, the settings), with a turn at the write lock (<see cref="TakeSingleWriteTurnAsync"/>) that the unit gives up
    /// when disposed.
    /// </summary>
    public async ValueTask<SyncUnit> OpenToWriteAsync(CancellationToken cancellationToken)
    {
        if (WorkBatch.Current is not null && !IsPostgres)
        {
            // A context of its own would wait for the batch's own lock on the file.
            throw new InvalidOperationException("A write of its own cannot be made inside a batch on SQLite; join the batch (JoinToWriteAsync).");
        }

        var turn = await TakeSingleWriteTurnAsync(cancellationToken);
        try
        {
            return new SyncUnit(await contexts.CreateDbContextAsync(cancellationToken), owned: true, turn);
        }
        catch
        {
            turn.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Statements the sync's PostgreSQL connections keep prepared (<c>Max Auto Prepare</c>), unless the connection
    /// string sets its own: the sync sends the same few statements (claims, completions, the rows of new users, links
    /// and log entries, advisory locks) thousands of times, and a prepared statement is parsed and planned by the
    /// server once per connection instead of at every execution.
    /// </summary>
    internal const int PostgresAutoPrepared = 64;

    /// <summary>
    /// The connection string the sync opens PostgreSQL with: the configured one, with automatic preparation of
    /// statements (<see cref="PostgresAutoPrepared"/>, after 2 uses) where it sets neither <c>Max Auto Prepare</c>
    /// nor <c>Auto Prepare Min Usages</c>. A connection string that sets either (<c>Max Auto Prepare=0</c> turns
    /// preparation off) is used as given.
    /// </summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(connectionString))]
    public static string? PostgresConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return connectionString;
        }

        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (string key in given.Keys)
        {
            var name = key.Replace(" ", "", StringComparison.Ordinal);
            if (name.Equals("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase) || name.Equals("AutoPrepareMinUsages", StringComparison.OrdinalIgnoreCase))
            {
                return connectionString;
            }
        }

        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = PostgresAutoPrepared, AutoPrepareMinUsages = 2 }.ConnectionString;
    }

    /// <summary>The full path of the SQLite file, or null on PostgreSQL and for in-memory databases.</summary>
    public static string? SqliteFile(DbContext db)
    {
        if (!db.Database.IsSqlite())
        {
            return null;
        }

        var builder = new SqliteConnectionStringBuilder(db.Database.GetConnectionString());
        return builder.Mode == SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:" ? null : Path.GetFullPath(builder.DataSource);
    }

    /// <summary>
    /// True when both contexts are on PostgreSQL and reach the same database as the same role (host, port, database,
    /// user name and search path alike): one connection can then hold both contexts' writes in one transaction.
    /// </summary>
    public static bool IsSamePostgresDatabase(DbContext first, DbContext second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (!first.Database.IsNpgsql() || !second.Database.IsNpgsql()
            || first.Database.GetConnectionString() is not { } a || second.Database.GetConnectionString() is not { } b)
        {
            return false;
        }

        var x = new Npgsql.NpgsqlConnectionStringBuilder(a);
        var y = new Npgsql.NpgsqlConnectionStringBuilder(b);
        return string.Equals(x.Host, y.Host, StringComparison.OrdinalIgnoreCase)
            && x.Port == y.Port
            && string.Equals(x.Database ?? x.Username, y.Database ?? y.Username, StringComparison.Ordinal)
            && string.Equals(x.Username, y.Username, StringComparison.Ordinal)
            && string.Equals(x.SearchPath, y.SearchPath, StringComparison.Ordinal);
    }

    /// <summary>True when the exception is a unique-index violation (a link or a webhook id that already exists).</summary>
    public static bool IsUniqueViolation(DbUpdateException exception)
    {
        var inner = exception.InnerException;
        return inner switch
        {
            // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY; other constraint failures (a trigger, a NOT NULL) are real errors.
            SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555,
            Npgsql.PostgresException postgres => postgres.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
            _ => false,
        };
    }
}

/// <summary>A context lent for one operation; a batch's shared context is only cleared of tracked rows, never disposed.</summary>
internal sealed class SyncUnit(ShopifySyncDbContext db, bool owned, SyncDatabase.WriteTurn? turn = null) : IAsyncDisposable
{
    public ShopifySyncDbContext Db { get; } = db;

    public async ValueTask DisposeAsync()
    {
        if (owned)
        {
            try
            {
                await Db.DisposeAsync();
            }
            finally
            {
                turn?.Dispose();
            }

            return;
        }

        // Rows an operation added or read stay out of the next operation's way (a failed insert is not retried by a later save).
        Db.ChangeTracker.Clear();
    }
}
