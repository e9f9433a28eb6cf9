using System.Collections.Frozen;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrchardCore.Environment.Shell;
using OrchardCore.Environment.Shell.Builders;
using OrchardCore.Environment.Shell.Models;
using OrchardCore.Environment.Shell.Scope;
using OrchardCore.Extensions;
using OrchardCore.Json;
using OrchardCore.Roles;
using OrchardCore.Users;
using OrchardCore.Users.Handlers;
using OrchardCore.Users.Indexes;
using OrchardCore.Users.Services;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.DependencyInjection;
using OrchardShopify.Core.Ports;
using OrchardShopify.OrchardCore.Hosting;
using OrchardShopify.OrchardCore.Users;
using OrchardShopify.Testing;
using YesSql;
using YesSql.Indexes;
using YesSql.Provider.Sqlite;
using YesSql.Serialization;
using YesSql.Sql;

namespace OrchardShopify.OrchardCore.Tests.Support;

/// <summary>
/// A tenant with Orchard Core's real user store: YesSql on a SQLite file, <c>AddUsers()</c> (UserStore, the user
/// indexes) and <see cref="UserManager{IUser}"/>, the module's user part, indexes, migration, event handler and
/// user directory; the engine's outbound scheduler over an in-memory link store and push queue.
/// </summary>
internal sealed class OrchardUsersTenant : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orchardshopify-oc-tests", Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _provider;
    private readonly IStore _store;

    private OrchardUsersTenant(ServiceProvider provider, IStore store, ShellContext shell)
    {
        _provider = provider;
        _store = store;
        Shell = shell;
    }

    public ShellContext Shell { get; }

    /// <summary>The tenant's services (singletons: the engine, link store, push queue).</summary>
    public IServiceProvider Services => _provider;

    public InMemoryOutboundQueue Pushes => (InMemoryOutboundQueue)_provider.GetRequiredService<IOutboundSyncQueue>();

    public async Task<string?> UserNameAsync(string userId)
    {
        string? name = null;
        await RequestAsync(async services => name = (await services.GetRequiredService<UserManager<IUser>>().FindByIdAsync(userId))?.UserName);
        return name;
    }

    public OrchardUserDirectory Directory => (OrchardUserDirectory)_provider.GetRequiredService<IUserDirectory>();

    public static async Task<OrchardUsersTenant> StartAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "orchardshopify-oc-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(folder);
        var settings = new ShellSettings { Name = ShellSettings.DefaultShellName, State = TenantState.Running };

        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton(settings);
        services.AddSingleton(TenantServices.NoShellHost());
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        services.AddTransient<IConfigureOptions<DocumentJsonSerializerOptions>, DocumentJsonSerializerOptionsConfiguration>();

        // Orchard Core's user services, as the Users feature registers them.
        services.AddIdentityCore<IUser>(o =>
        {
            // Orchard Core's defaults (IdentityUserSettings): no '@' in user names.
            o.User.RequireUniqueEmail = true;
            o.User.AllowedUserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._+";
        });
        services.AddUsers();
        services.AddSingleton<IUserIdGenerator, GuidUserIdGenerator>();
#if ORCHARDCORE3
        services.AddSingleton<ISystemRoleProvider, NoSystemRoles>();
#else
        services.AddSingleton<ISystemRoleNameProvider, NoSystemRoles>();
#endif

        // The engine, as the sync feature would run it, with pushes on for one store.
        services.AddShopifySyncEngine();
        services.Configure<ShopifySyncOptions>(o =>
        {
            o.UpdateUsersInShopify = true;
            o.Stores["uk"] = new OrchardShopify.Core.Configuration.StoreOptions { ShopDomain = TenantServices.UkDomain, WebhookSecret = TenantServices.UkSecret, AccessToken = "shpat_test" };
        });
        services.AddSingleton<ICustomerLinkStore, InMemoryCustomerLinkStore>();
        services.AddSingleton<IOutboundSyncQueue, InMemoryOutboundQueue>();

        // The module's user pieces.
        services.AddSingleton<IIndexProvider, ShopifyUserIndexProvider>();
        services.AddScoped<IUserEventHandler, ShopifyUserEventHandler>();
        services.AddSingleton<IUserDirectory, OrchardUserDirectory>();
        ShellContext? shell = null;
        services.AddSingleton(_ => new TenantScopes(() => Task.FromResult(new ShellScope(shell!))));

        // The tenant's YesSql session, committed when its shell scope ends (Orchard Core does this in OrchardCore.Data.YesSql).
        IStore? store = null;
        services.AddScoped(_ =>
        {
            var session = store!.CreateSession();
            ShellScope.RegisterBeforeDispose(_ => session.SaveChangesAsync());
            return session;
        });

        var provider = services.BuildServiceProvider();
        var configuration = new Configuration
        {
            ContentSerializer = new DefaultContentJsonSerializer(provider.GetRequiredService<IOptions<DocumentJsonSerializerOptions>>()),
        }.UseSqLite($"Data Source={Path.Combine(folder, "yessql.db")};Cache=Shared");
        store = await StoreFactory.CreateAndInitializeAsync(configuration);
        store.RegisterIndexes(provider.GetServices<IIndexProvider>());
        await CreateTablesAsync(store);

        shell = TenantServices.Shell(provider, settings);
        var tenant = new OrchardUsersTenant(provider, store, shell);
        return tenant;
    }

    /// <summary>One request of the tenant: a shell scope, committed (and its deferred tasks run) when it ends.</summary>
    public Task RequestAsync(Func<IServiceProvider, Task> work) => new ShellScope(Shell).UsingAsync(scope => work(scope.ServiceProvider));

    public async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = _store.Configuration.ConnectionFactory.CreateConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        _store.Dispose();
        SqliteConnection.ClearAllPools();
        if (System.IO.Directory.Exists(_folder))
        {
            System.IO.Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>The user index tables of Orchard Core's Users migration, then the module's own migration.</summary>
    private static async Task CreateTablesAsync(IStore store)
    {
        await using var connection = store.Configuration.ConnectionFactory.CreateConnection();
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var schema = new SchemaBuilder(store.Configuration, transaction);
        await schema.CreateMapIndexTableAsync<UserIndex>(table => table
            .Column<string>("NormalizedUserName")
            .Column<string>("NormalizedEmail")
            .Column<bool>("IsEnabled", c => c.NotNull().WithDefault(true))
            .Column<bool>("IsLockoutEnabled", c => c.NotNull().WithDefault(false))
            .Column<DateTime?>("LockoutEndUtc", c => c.Nullable())
            .Column<int>("AccessFailedCount", c => c.NotNull().WithDefault(0))
            .Column<string>("UserId"));
        await schema.CreateMapIndexTableAsync<UserByLoginInfoIndex>(table => table
            .Column<string>("LoginProvider")
            .Column<string>("ProviderKey"));
        await schema.CreateMapIndexTableAsync<UserByClaimIndex>(table => table
            .Column<string>("ClaimType")
            .Column<string>("ClaimValue"));
        await new ShopifyUserMigrations { SchemaBuilder = schema }.CreateAsync();
        await transaction.CommitAsync();
    }

    private sealed class GuidUserIdGenerator : IUserIdGenerator
    {
        public string GenerateUniqueId(IUser user) => Guid.NewGuid().ToString("N");
    }

#if ORCHARDCORE3
    /// <summary>The 3.0 line asks for the system roles as roles (<c>ISystemRoleNameProvider</c> is obsolete there).</summary>
    private sealed class NoSystemRoles : ISystemRoleProvider
    {
        private static readonly AdministratorRole Administrator = new();

        public IEnumerable<global::OrchardCore.Security.IRole> GetSystemRoles() => [];

        public global::OrchardCore.Security.IRole GetAdminRole() => Administrator;

        public bool IsSystemRole(string name) => false;

        private sealed class AdministratorRole : global::OrchardCore.Security.IRole
        {
            public string RoleName => "Administrator";

            public string RoleDescription => "";
        }
    }
#else
    private sealed class NoSystemRoles : ISystemRoleNameProvider
    {
        public ValueTask<string> GetAdminRoleAsync() => ValueTask.FromResult("Administrator");

        public ValueTask<FrozenSet<string>> GetSystemRolesAsync() => ValueTask.FromResult(FrozenSet<string>.Empty);
    }
#endif
}
