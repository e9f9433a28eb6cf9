namespace OrchardShopify.AspNetCore.DependencyInjection;

/// <summary>
/// Settings of the ASP.NET Core host, read from the same <c>Shopify</c> section as the engine's options.
/// </summary>
public sealed class ShopifyHostOptions
{
    /// <summary>Key that authorizes calls to the admin JSON endpoints (header <c>X-Api-Key</c>). Empty: only the admin role.</summary>
    public string? AdminApiKey { get; set; }

    /// <summary>Role whose members may call the admin JSON endpoints.</summary>
    public string AdminRole { get; set; } = "Administrator";

    /// <summary>
    /// The site's public addresses (<c>https://shop.example.com/</c>), for webhook subscriptions made through the admin JSON
    /// when the site is reached at another address (behind a proxy). A callback address that is neither one of these nor
    /// the address the request reached is refused, so nobody can point the store's webhooks elsewhere.
    /// </summary>
    public IList<Uri> PublicUrls { get; } = [];

    public ShopifyStorageOptions Storage { get; set; } = new();

    public ShopifyQueueOptions Queue { get; set; } = new();

    /// <summary>How long sync log entries and finished inbox items are kept.</summary>
    public TimeSpan SyncLogRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a customer's Shopify data is cached for templates and headless reads.</summary>
    public TimeSpan CustomerCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether the customer's note (written by the merchant's staff in Shopify's admin) is shown to the customer in
    /// templates and headless reads; off by default, as Shopify keeps it from the customer.
    /// </summary>
    public bool ShowCustomerNote { get; set; }

    /// <summary>Health turns degraded when the oldest waiting delivery is older than this.</summary>
    public TimeSpan HealthMaxInboxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long the health check keeps what it found in each store's webhook subscriptions before it asks Shopify again
    /// (checked only when <see cref="PublicUrls"/> names the site's address).
    /// </summary>
    public TimeSpan HealthWebhookCheckInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Health turns degraded when a store's last completed reconciliation found more mismatches than this (see
    /// <c>docs/backfill-and-reconciliation.md</c> for what counts). Null: the count is not checked.
    /// </summary>
    public int? HealthMaxReconciliationDrift { get; set; } = 10;

    /// <summary>
    /// Health turns degraded when a store's last completed reconciliation found mismatches on more than this share of
    /// its Shopify customers (0.01 is 1 %). Null (the default): the share is not checked.
    /// </summary>
    public double? HealthMaxReconciliationDriftShare { get; set; }

    /// <summary>
    /// When the webhook check finds a store's customer webhook subscriptions missing, subscribe this site again (as
    /// Register webhooks does), at most once per <see cref="HealthWebhookCheckInterval"/> per store. Off by default.
    /// </summary>
    public bool AutoRegisterWebhooks { get; set; }

    /// <summary>The scheduled catch-up of customers changed in Shopify (the <c>Shopify:CatchUp</c> section).</summary>
    public ShopifyCatchUpOptions CatchUp { get; set; } = new();

    /// <summary>The scheduled reconciliation report (the <c>Shopify:ScheduledReconciliation</c> section).</summary>
    public ShopifyScheduledReconciliationOptions ScheduledReconciliation { get; set; } = new();
}

/// <summary>
/// Scheduled reconciliation: every <see cref="Interval"/>, each store's Shopify customers are compared with the site's
/// users and links, as the admin's Compare does. The report is stored and shown; nothing is fixed.
/// </summary>
public sealed class ShopifyScheduledReconciliationOptions
{
    /// <summary>Off: no scheduled reconciliation on this site (it can still be started from the admin).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between the start of one scheduled run of a store and the next, across all nodes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>
/// Scheduled catch-up: every <see cref="Interval"/>, each store's customers updated in Shopify since the last successful
/// run are read and applied with the inbound rules, so a change whose webhook never arrived is still applied.
/// </summary>
public sealed class ShopifyCatchUpOptions
{
    /// <summary>Off: no scheduled catch-up on this site (imports and webhooks still work).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between the start of one run of a store and the next, across all nodes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Each run also reads this far before the last successful run's start, for clock differences with Shopify.</summary>
    public TimeSpan Overlap { get; set; } = TimeSpan.FromMinutes(1);
}

public enum ShopifyStorageProvider
{
    Sqlite,
    PostgreSql,
}

public sealed class ShopifyStorageOptions
{
    /// <summary>SQLite (default, one node) or PostgreSQL (several nodes sharing one database).</summary>
    public ShopifyStorageProvider Provider { get; set; } = ShopifyStorageProvider.Sqlite;

    /// <summary>Defaults to a SQLite file <c>App_Data/shopify-sync.db</c> under the content root.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Apply the schema migrations at start-up.</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>
    /// <c>PRAGMA synchronous</c> for the SQLite sync database and for the webhook inbox file (on PostgreSQL too), both
    /// always in WAL mode. <c>Full</c> syncs the log on every commit, so a stored (acknowledged) delivery survives a power
    /// loss. <c>Normal</c> syncs only at checkpoints: still safe when the process crashes or is killed, but a power loss
    /// or OS crash can lose the last transactions committed before it.
    /// </summary>
    public SqliteSynchronous SqliteSynchronous { get; set; } = SqliteSynchronous.Normal;

    /// <summary>SQLite and the webhook inbox file: how long a statement waits for another connection's write lock before it fails.</summary>
    public TimeSpan SqliteBusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The webhook inbox file: a SQLite file of this node's own where verified deliveries are stored before the webhook
    /// is answered, then moved into the work queue. Relative paths are under the content root. Default: beside a SQLite
    /// sync database (<c>shopify-sync.inbox.db</c>); on PostgreSQL <c>App_Data/shopify-sync.inbox.{id}.db</c> under the
    /// content root, the id drawn from the database's host, port, name, user and search path. Each node needs its own,
    /// on a disk that outlives the process: deliveries not yet moved are moved when the node starts again.
    /// </summary>
    public string? InboxFile { get; set; }
}

/// <summary>SQLite's <c>synchronous</c> settings that are safe with WAL.</summary>
public enum SqliteSynchronous
{
    /// <summary>Every commit is synced to disk before it returns.</summary>
    Full,

    /// <summary>Commits are synced at WAL checkpoints; a power loss may undo the last ones, a process crash cannot.</summary>
    Normal,
}

public sealed class ShopifyQueueOptions
{
    /// <summary>Attempts before an item goes to the dead letters.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Delay before the second attempt; doubles with every further attempt, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a claim is held; a node that dies loses its claims after this.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often idle workers look for due items (new deliveries on this node wake them at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Items claimed at once by a worker.</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// On PostgreSQL, the inbound workers of this node (1–16): each claims batches of its own and applies them in
    /// transactions of its own, so one works while another waits for the database (worth it where the database is
    /// far, its round trips long). Between them they keep the same guarantees as workers on several nodes: one
    /// customer's work takes its lock, and a late or out-of-order state is found stale by the sync rules. SQLite has a
    /// single writer: one inbound worker whatever this says.
    /// </summary>
    public int InboundWorkers { get; set; } = 1;

    /// <summary>
    /// On PostgreSQL, inbound deliveries of different customers each inbound worker of this node applies at once (each holds up to
    /// three pooled connections while it runs). Deliveries of one customer are always applied in order, one at a time.
    /// SQLite has a single writer and applies one batch transaction at a time whatever this says.
    /// </summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>
    /// On a node whose workers run, the .NET thread pool keeps at least this many worker threads (raised at start-up,
    /// never lowered; 0 leaves the pool as it is). Webhook requests and the workers' apply share the pool, which
    /// otherwise has one thread per processor and adds more only slowly: while the workers apply, webhooks would wait
    /// for a thread. Measured with two nodes applying on 2 processors at 1,000 deliveries/s: acknowledgement p99 72–77
    /// ms (longest 200–268 ms) with the pool's default, 9–11.5 ms (longest 20–23 ms) with 16.
    /// </summary>
    public int MinThreads { get; set; } = 16;

    /// <summary>Run the inbox and outbound workers on this node.</summary>
    public bool WorkersEnabled { get; set; } = true;

    /// <summary>
    /// On Linux, the nice value of the threads that apply (the workers and an import's applier): 0 (a request thread's
    /// priority) to 19. Above 0 the system runs the threads answering webhooks first when the processors are busy; a
    /// thread's nice value weighs it against every other thread of its scheduling group, other processes' too, so
    /// processes busy beside the site in the same group (a container, a service, a terminal session) slow the apply
    /// as well. Elsewhere any value above 0 runs them at the lowest thread priority.
    /// </summary>
    public int WorkerNice { get; set; } = 10;
}
