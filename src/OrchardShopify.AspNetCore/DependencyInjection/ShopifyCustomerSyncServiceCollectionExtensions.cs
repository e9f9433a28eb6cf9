using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.CatchUp;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.Diagnostics;
using OrchardShopify.AspNetCore.Health;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Reconciliation;
using OrchardShopify.AspNetCore.Webhooks;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.DependencyInjection;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.AspNetCore.DependencyInjection;

public static class ShopifyCustomerSyncServiceCollectionExtensions
{
    /// <summary>
    /// Registers the customer sync as a running service: the engine bound to <paramref name="configuration"/>
    /// (the <c>Shopify</c> section) and validated at start-up, the Admin API client, the durable inbox, push
    /// queue, link store and sync log (SQLite unless configured otherwise), the workers, the customer view
    /// service, health checks and metrics. Call <c>UseIdentityUsers&lt;TUser&gt;()</c> or register an <see cref="IUserDirectory"/>.
    /// </summary>
    public static ShopifyCustomerSyncBuilder AddShopifyCustomerSync(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // Before the engine's single-process default: on PostgreSQL the per-customer lock spans every node.
        services.TryAddSingleton<ISyncLock>(sp =>
        {
            var storage = sp.GetRequiredService<IOptionsMonitor<ShopifyHostOptions>>().CurrentValue.Storage;
            return storage.Provider == ShopifyStorageProvider.PostgreSql ? new PostgresSyncLock(SyncDatabase.PostgresConnectionString(storage.ConnectionString!)) : new InProcessSyncLock();
        });
        var engine = services.AddShopifySyncEngine();
        services.AddOptions<ShopifySyncOptions>().Bind(configuration).ValidateOnStart();
        services.AddOptions<ShopifyHostOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ShopifyHostOptions>, ShopifyHostOptionsValidator>());

        // A running site whose configuration changes to values that are not valid goes on with the previous ones.
        services.KeepLastValidOptions<ShopifySyncOptions>();
        services.KeepLastValidOptions<ShopifyHostOptions>();
        services.AddShopifyAdminApi();
        services.AddShopifyAdminAuthorization();

        services.AddDbContextFactory<ShopifySyncDbContext>(ConfigureDatabase);
        services.TryAddSingleton(sp => new SyncDatabase(
            sp.GetRequiredService<IDbContextFactory<ShopifySyncDbContext>>(),
            sp.GetRequiredService<IOptionsMonitor<ShopifyHostOptions>>().CurrentValue.Storage.Provider == ShopifyStorageProvider.PostgreSql));
        services.TryAddSingleton<WorkSignals>();
        services.TryAddSingleton<WorkQueue>();
        services.TryAddSingleton<WebhookInbox>();
        services.TryAddSingleton<EfSyncLog>();
        services.TryAddSingleton<ISyncLog>(sp => sp.GetRequiredService<EfSyncLog>());
        services.TryAddSingleton<ICustomerLinkStore, EfCustomerLinkStore>();
        services.TryAddSingleton<IOutboundSyncQueue, DurableOutboundQueue>();
        services.TryAddSingleton<IAdminUserSource, DirectoryAdminUserSource>();
        services.TryAddSingleton(sp => new ShopifySyncAdmin(
            sp.GetRequiredService<SyncDatabase>(),
            sp.GetRequiredService<WorkQueue>(),
            sp.GetRequiredService<WorkSignals>(),
            sp.GetRequiredService<StoreRegistry>(),
            sp.GetRequiredService<IOutboundSyncQueue>(),
            sp.GetRequiredService<IUserDirectory>(),
            sp.GetRequiredService<TimeProvider>()));

        services.AddMetrics();
        services.TryAddSingleton<ShopifySyncMetrics>();
        services.TryAddSingleton<WebhookIntake>();

        services.AddMemoryCache();
        services.TryAddSingleton<CustomerViewCache>();
        services.TryAddSingleton<IShopifyCustomerReads, GraphQLCustomerReads>();
        services.TryAddSingleton(sp => new CustomerViewService(
            sp.GetRequiredService<StoreRegistry>(),
            sp.GetRequiredService<ICustomerLinkStore>(),
            sp.GetRequiredService<IShopifyCustomerReads>(),
            sp.GetRequiredService<CustomerViewCache>(),
            sp.GetRequiredService<IOptionsMonitor<ShopifyHostOptions>>()));
        services.TryAddSingleton<IShopifyCustomerAddresses, GraphQLCustomerAddresses>();
        services.TryAddSingleton(sp => new CustomerAddressService(
            sp.GetRequiredService<StoreRegistry>(),
            sp.GetRequiredService<ICustomerLinkStore>(),
            sp.GetRequiredService<IUserDirectory>(),
            sp.GetRequiredService<IShopifyCustomerReads>(),
            sp.GetRequiredService<IShopifyCustomerAddresses>(),
            sp.GetRequiredService<CustomerViewCache>(),
            sp.GetRequiredService<ILogger<CustomerAddressService>>()));

        services.TryAddSingleton(sp => new WebhookSubscriptionMonitor(
            sp.GetRequiredService<StoreRegistry>(),
            sp.GetRequiredService<WebhookSubscriptionClient>(),
            sp.GetRequiredService<SyncDatabase>(),
            sp.GetRequiredService<IOptionsMonitor<ShopifyHostOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<WebhookSubscriptionMonitor>>(),
            sp.GetRequiredService<ISyncLock>()));
        services.TryAddSingleton(sp => new ShopifySyncHealth(
            sp.GetRequiredService<SyncDatabase>(),
            sp.GetRequiredService<StoreRegistry>(),
            sp.GetRequiredService<WebhookSubscriptionMonitor>(),
            sp.GetRequiredService<IOptionsMonitor<ShopifyHostOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ShopifySyncHealth>>()));
        services.AddHealthChecks().AddCheck<ShopifySyncHealthCheck>("shopify-sync", tags: ["shopify"]);

        // Registration order is start order: the schema exists before any worker claims.
        services.AddHostedService<SyncSchemaMigrator>();
        services.AddHostedService<InboxMoveWorker>();
        services.AddHostedService<ThreadPoolMinimum>();
        services.AddSingleton<InboundDeliveryHandler>();
        services.AddSingleton<OutboundPushHandler>();
        services.TryAddSingleton<WorkProcessorFactory>();
        services.AddSingleton<IHostedService>(sp => InboundWorkers(sp));
        services.AddSingleton<IHostedService>(sp => WorkerFor<OutboundPushHandler>(sp));
        services.AddHostedService<SyncMaintenanceWorker>();
        services.AddHostedService<SqliteCheckpointWorker>();
        services.AddShopifyAdminOperations(configuration);
        services.TryAddSingleton<CatchUpScheduler>();
        services.AddHostedService<CatchUpWorker>();
        services.TryAddSingleton(sp => new ReconciliationScheduler(
            sp.GetRequiredService<StoreRegistry>(),
            sp.GetRequiredService<SyncDatabase>(),
            sp.GetRequiredService<ReconciliationService>(),
            sp.GetRequiredService<IOptionsMonitor<ShopifyHostOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ReconciliationScheduler>>()));
        services.AddHostedService<ReconciliationWorker>();
        services.AddHostedService<WebhookCheckWorker>();
        return new ShopifyCustomerSyncBuilder(engine);
    }

    /// <summary>The node's inbound workers: <c>Queue:InboundWorkers</c> of them on PostgreSQL, one on SQLite.</summary>
    private static IHostedService InboundWorkers(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptionsMonitor<ShopifyHostOptions>>().CurrentValue;
        var count = options.Storage.Provider == ShopifyStorageProvider.PostgreSql ? options.Queue.InboundWorkers : 1;
        if (!options.Queue.WorkersEnabled || count == 1)
        {
            return WorkerFor<InboundDeliveryHandler>(provider);
        }

        var handler = provider.GetRequiredService<InboundDeliveryHandler>();
        return new WorkerGroup([.. Enumerable.Range(0, count).Select(_ =>
        {
            var worker = ActivatorUtilities.CreateInstance<SyncWorker>(provider, handler);
            worker.WakesSiblings = true;
            return (BackgroundService)worker;
        })]);
    }

    private static IHostedService WorkerFor<THandler>(IServiceProvider provider)
        where THandler : IWorkItemHandler
    {
        var options = provider.GetRequiredService<IOptionsMonitor<ShopifyHostOptions>>().CurrentValue;
        return options.Queue.WorkersEnabled
            ? ActivatorUtilities.CreateInstance<SyncWorker>(provider, provider.GetRequiredService<THandler>())
            : new IdleService();
    }

    private static void ConfigureDatabase(IServiceProvider provider, DbContextOptionsBuilder builder)
    {
        var storage = provider.GetRequiredService<IOptionsMonitor<ShopifyHostOptions>>().CurrentValue.Storage;
        if (storage.Provider == ShopifyStorageProvider.PostgreSql)
        {
            builder.UseNpgsql(SyncDatabase.PostgresConnectionString(storage.ConnectionString));
        }
        else
        {
            var connectionString = storage.ConnectionString;
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                var root = provider.GetService<IHostEnvironment>()?.ContentRootPath ?? AppContext.BaseDirectory;
                connectionString = $"Data Source={Path.Combine(root, "App_Data", "shopify-sync.db")}";
            }

            // A list the sync looks up (a batch's customer ids, work item ids) goes as one JSON parameter, searched
            // through the index as a list of values would be: the same statement whatever the list's length. EF Core's
            // own translation sends each value as a parameter of its own, so the statement is generated again for each
            // length and a batch's look-up binds a few hundred parameters.
            builder.UseSqlite(connectionString, sqlite => sqlite.UseParameterizedCollectionMode(ParameterTranslationMode.Parameter)).AddInterceptors(new SqliteWalInterceptor(storage.SqliteSynchronous, storage.SqliteBusyTimeout, backgroundCheckpoints: true));
        }

        // The migrations are written by hand without a model snapshot; the model they create is covered by tests.
        // The workers poll about once a second per tenant: executed commands are logged at Debug, not Information,
        // so default logging does not fill with polls (failed commands are still logged as errors).
        builder.ConfigureWarnings(w => w
            .Ignore(RelationalEventId.PendingModelChangesWarning)
            .Log((RelationalEventId.CommandExecuted, LogLevel.Debug)));
    }

    /// <summary>
    /// Several workers started, stopped and disposed together. It is itself a background service whose work is theirs:
    /// the host sees a worker that fails as it sees one on its own.
    /// </summary>
    private sealed class WorkerGroup(IReadOnlyList<BackgroundService> workers) : BackgroundService
    {
        public override async Task StartAsync(CancellationToken cancellationToken)
        {
            var started = new List<BackgroundService>(workers.Count);
            try
            {
                foreach (var worker in workers)
                {
                    await worker.StartAsync(cancellationToken);
                    started.Add(worker);
                }
            }
            catch
            {
                // The host will not stop a service that did not start: the workers already running are stopped here.
                await Task.WhenAll(started.Select(w => w.StopAsync(CancellationToken.None)));
                throw;
            }

            await base.StartAsync(cancellationToken);
        }

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            await Task.WhenAll(workers.Select(w => w.StopAsync(cancellationToken)));
            await base.StopAsync(cancellationToken);
        }

        public override void Dispose()
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }

            base.Dispose();
        }

        protected override Task ExecuteAsync(CancellationToken stoppingToken)
            => Task.WhenAll(workers.Select(w => w.ExecuteTask ?? Task.CompletedTask));
    }

    private sealed class IdleService : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// Reads of <typeparamref name="TOptions"/> through <see cref="IOptionsMonitor{TOptions}"/> keep the last valid values
    /// when the configuration changes to values that do not bind or validate (<see cref="LastValidOptionsMonitor{TOptions}"/>).
    /// </summary>
    internal static IServiceCollection KeepLastValidOptions<TOptions>(this IServiceCollection services)
        where TOptions : class
    {
        services.AddSingleton<IOptionsMonitor<TOptions>, LastValidOptionsMonitor<TOptions>>();
        return services;
    }
}
