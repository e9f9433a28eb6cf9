using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.Users;
using OrchardShopify.Core.DependencyInjection;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.DependencyInjection;

/// <summary>Further configuration of the customer sync, returned by <c>AddShopifyCustomerSync</c>.</summary>
public sealed class ShopifyCustomerSyncBuilder
{
    private readonly ShopifySyncBuilder _engine;

    internal ShopifyCustomerSyncBuilder(ShopifySyncBuilder engine)
    {
        _engine = engine;
    }

    public IServiceCollection Services => _engine.Services;

    /// <summary>Pushes users to Shopify with <typeparamref name="TJob"/>; takes precedence over <c>Shopify:UpdateShopifyUserJob</c>.</summary>
    public ShopifyCustomerSyncBuilder UseUserUpdateJob<TJob>()
        where TJob : class, IShopifyUserUpdateJob
    {
        _engine.UseUserUpdateJob<TJob>();
        return this;
    }

    /// <summary>
    /// Calls <typeparamref name="THandler"/> (scoped: one instance per event) after each applied outcome of the sync –
    /// linked, created, updated, unlinked, redacted, pushed, push failed – once it is stored; may be called for several
    /// handlers. The same as <c>services.AddScoped&lt;IShopifySyncEventHandler, THandler&gt;()</c>.
    /// </summary>
    public ShopifyCustomerSyncBuilder AddSyncEventHandler<THandler>()
        where THandler : class, IShopifySyncEventHandler
    {
        _engine.AddSyncEventHandler<THandler>();
        return this;
    }

    /// <summary>
    /// Syncs the site's ASP.NET Core Identity users: <see cref="IdentityUserDirectory{TUser}"/> as the user
    /// directory, and <see cref="ShopifySyncingUserManager{TUser}"/> as <see cref="UserManager{TUser}"/>, so user
    /// creations and updates through the normal Identity APIs schedule the push to Shopify. Names are mapped by
    /// <see cref="DefaultIdentityProfileMapper{TUser}"/> unless an <see cref="IIdentityProfileMapper{TUser}"/> is registered.
    /// </summary>
    public ShopifyCustomerSyncBuilder UseIdentityUsers<TUser>()
        where TUser : class, new()
    {
        Services.TryAddSingleton<IIdentityProfileMapper<TUser>, DefaultIdentityProfileMapper<TUser>>();
        Services.Replace(ServiceDescriptor.Singleton<IUserDirectory, IdentityUserDirectory<TUser>>());
        Services.Replace(ServiceDescriptor.Singleton<IUserRoleSync>(sp => sp.GetRequiredService<IUserDirectory>() as IUserRoleSync ?? ActivatorUtilities.CreateInstance<IdentityUserDirectory<TUser>>(sp)));
        Services.Replace(ServiceDescriptor.Singleton<IAdminUserSource, IdentityAdminUserSource<TUser>>());
        Services.Replace(ServiceDescriptor.Singleton<Reconciliation.ISiteUserCatalog, Reconciliation.IdentitySiteUserCatalog<TUser>>());
        Services.Replace(ServiceDescriptor.Scoped<UserManager<TUser>, ShopifySyncingUserManager<TUser>>());
        return this;
    }

    /// <summary>Keeps the inbox, queue, links and log in a SQLite file (one node). The default.</summary>
    public ShopifyCustomerSyncBuilder UseSqlite(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        Services.PostConfigure<ShopifyHostOptions>(o =>
        {
            o.Storage.Provider = ShopifyStorageProvider.Sqlite;
            o.Storage.ConnectionString = connectionString;
        });
        return this;
    }

    /// <summary>Keeps them in PostgreSQL, for several nodes sharing one database.</summary>
    public ShopifyCustomerSyncBuilder UsePostgreSql(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        Services.PostConfigure<ShopifyHostOptions>(o =>
        {
            o.Storage.Provider = ShopifyStorageProvider.PostgreSql;
            o.Storage.ConnectionString = connectionString;
        });
        return this;
    }

    /// <summary>Changes host settings in code, after configuration is bound.</summary>
    public ShopifyCustomerSyncBuilder ConfigureHost(Action<ShopifyHostOptions> configure)
    {
        Services.PostConfigure(configure);
        return this;
    }
}
