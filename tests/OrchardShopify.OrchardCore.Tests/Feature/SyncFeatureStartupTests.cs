using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrchardCore.BackgroundTasks;
using OrchardCore.Data.Migration;
using OrchardCore.DisplayManagement.Handlers;
using OrchardCore.Modules;
using OrchardCore.Navigation;
using OrchardCore.Security.Permissions;
using OrchardCore.Settings;
using OrchardCore.Users.Handlers;
using OrchardCore.Users.Models;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Core.Ports;
using OrchardShopify.OrchardCore.Drivers;
using OrchardShopify.OrchardCore.Hosting;
using OrchardShopify.OrchardCore.Tests.Support;
using OrchardShopify.OrchardCore.Users;
using YesSql.Indexes;

namespace OrchardShopify.OrchardCore.Tests.Feature;

public sealed class SyncFeatureStartupTests : IDisposable
{
    private readonly string _appData = Path.Combine(Path.GetTempPath(), "orchardshopify-oc-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_appData))
        {
            Directory.Delete(_appData, recursive: true);
        }
    }

    [Fact]
    public void Feature_wires_the_sync_to_orchard_users_settings_admin_and_tenant_events()
    {
        var (services, _) = TenantServices.Create(_appData, TenantServices.UkStore());

        Assert.Contains(services, d => d.ServiceType == typeof(IUserDirectory) && d.ImplementationType == typeof(OrchardUserDirectory));
        Assert.Contains(services, d => d.ServiceType == typeof(IUserRoleSync) && d.Lifetime == ServiceLifetime.Singleton);
        Assert.Contains(services, d => d.ServiceType == typeof(IUserEventHandler) && d.ImplementationType == typeof(ShopifyUserEventHandler));
        Assert.Contains(services, d => d.ServiceType == typeof(IIndexProvider) && d.ImplementationType == typeof(ShopifyUserIndexProvider));
        Assert.Contains(services, d => d.ServiceType == typeof(IDataMigration) && d.ImplementationType == typeof(ShopifyUserMigrations));
        Assert.Contains(services, d => d.ServiceType == typeof(IDisplayDriver<ISite>) && d.ImplementationType == typeof(ShopifySyncSettingsDisplayDriver));
        Assert.Contains(services, d => d.ServiceType == typeof(IDisplayDriver<User>) && d.ImplementationType == typeof(ShopifyUserPartDisplayDriver));
        Assert.Contains(services, d => d.ServiceType == typeof(IPermissionProvider) && d.ImplementationType == typeof(Permissions));
        Assert.Contains(services, d => d.ServiceType == typeof(INavigationProvider) && d.ImplementationType == typeof(AdminMenu));
        Assert.Contains(services, d => d.ServiceType == typeof(IModularTenantEvents) && d.ImplementationType == typeof(ShopifySyncTenantEvents));
        Assert.Contains(services, d => d.ServiceType == typeof(IBackgroundTask) && d.ImplementationType == typeof(ShopifySyncWatchdog));
    }

    [Fact]
    public void Tenant_container_holds_no_hosted_service_of_the_sync_and_a_runner_instead()
    {
        var (services, _) = TenantServices.Create(_appData, TenantServices.UkStore());
        using var provider = services.BuildServiceProvider();
        var own = typeof(ShopifySyncRunner).Assembly;

        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IHostedService)
            && (d.ImplementationType?.Assembly == own || d.ImplementationFactory?.Method.DeclaringType?.Assembly == own));
        Assert.False(provider.GetRequiredService<ShopifySyncRunner>().IsRunning);
    }

    [Fact]
    public async Task Activated_tenant_starts_its_workers_on_a_sqlite_file_in_its_app_data_folder()
    {
        var (services, _) = TenantServices.Create(_appData, TenantServices.UkStore());
        await using var provider = services.BuildServiceProvider();
        var lifetime = provider.GetRequiredService<TenantSyncLifetime>();

        await lifetime.EnsureStartedAsync(CancellationToken.None);
        var running = lifetime.IsRunning;
        await lifetime.StopAsync(CancellationToken.None);

        Assert.True(running);
        Assert.True(File.Exists(Path.Combine(_appData, "Sites", "Default", TenantSyncStorage.DatabaseFileName)));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Activated_tenant_schedules_the_catch_up_of_its_stores_with_the_tenant_configuration()
    {
        var configuration = TenantServices.UkStore();
        configuration["OrchardShopify:Stores:uk:AccessToken"] = "shpat_tenant_test_token";
        configuration["OrchardShopify:CatchUp:Interval"] = "02:00:00";
        var (services, _) = TenantServices.Create(_appData, configuration);
        await using var provider = services.BuildServiceProvider();
        var lifetime = provider.GetRequiredService<TenantSyncLifetime>();
        var file = Path.Combine(_appData, "Sites", "Default", TenantSyncStorage.DatabaseFileName);
        var started = DateTimeOffset.UtcNow;

        await lifetime.EnsureStartedAsync(CancellationToken.None);
        (string Store, long NextRunAt)? row = null;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (row is null && DateTime.UtcNow < deadline)
            {
                row = await CatchUpRowAsync(file);
                if (row is null)
                {
                    await Task.Delay(100);
                }
            }
        }
        finally
        {
            await lifetime.StopAsync(CancellationToken.None);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }

        // The tenant's worker put the store on its schedule: first run one (tenant-configured) interval from start.
        Assert.NotNull(row);
        Assert.Equal("uk", row.Value.Store);
        Assert.InRange(DateTimeOffset.FromUnixTimeMilliseconds(row.Value.NextRunAt), started.AddHours(2), DateTimeOffset.UtcNow.AddHours(2));
    }

    private static async Task<(string Store, long NextRunAt)?> CatchUpRowAsync(string file)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'shopify_catch_up'";
        if (await command.ExecuteScalarAsync() is null)
        {
            return null;
        }

        command.CommandText = "SELECT store, next_run_at FROM shopify_catch_up";
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetString(0), reader.GetInt64(1)) : null;
    }

    [Fact]
    public async Task Unconfigured_tenant_does_not_start_workers_and_says_why()
    {
        var (services, _) = TenantServices.Create(_appData, new Dictionary<string, string?>());
        await using var provider = services.BuildServiceProvider();
        var lifetime = provider.GetRequiredService<TenantSyncLifetime>();

        await lifetime.EnsureStartedAsync(CancellationToken.None);

        Assert.False(lifetime.IsRunning);
        Assert.Contains(provider.GetRequiredService<OrchardShopify.OrchardCore.Settings.ShopifySyncReadiness>().Problems(), p => p.Contains("Stores is empty", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(_appData, "Sites")));
    }

    [Fact]
    public async Task Settings_saved_on_an_unconfigured_tenant_start_its_workers_without_a_restart()
    {
        var (services, _) = TenantServices.Create(_appData, new Dictionary<string, string?>());
        await using var provider = services.BuildServiceProvider();
        var lifetime = provider.GetRequiredService<TenantSyncLifetime>();
        var snapshot = provider.GetRequiredService<OrchardShopify.OrchardCore.Settings.ShopifySyncSettingsSnapshot>();
        var protector = provider.GetRequiredService<OrchardShopify.OrchardCore.Settings.ShopifySecretProtector>();
        await lifetime.EnsureStartedAsync(CancellationToken.None);

        // Reloading settings that are still empty must not fail the tenant's activation.
        snapshot.Apply(null);
        await lifetime.EnsureStartedAsync(CancellationToken.None);
        var runningBeforeSave = lifetime.IsRunning;

        snapshot.Apply(new OrchardShopify.OrchardCore.Settings.ShopifySyncSettings
        {
            Stores = [new OrchardShopify.OrchardCore.Settings.ShopifyStoreSettings { Handle = "uk", ShopDomain = TenantServices.UkDomain, WebhookSecret = protector.Protect(TenantServices.UkSecret) }],
        });
        await lifetime.EnsureStartedAsync(CancellationToken.None);
        var runningAfterSave = lifetime.IsRunning;
        await lifetime.StopAsync(CancellationToken.None);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        Assert.False(runningBeforeSave);
        Assert.True(runningAfterSave);
        Assert.Equal(TenantServices.UkDomain, provider.GetRequiredService<Core.Configuration.StoreRegistry>().FindByHandle("uk")!.ShopDomain);
    }

    [Fact]
    public void Postgresql_storage_gets_a_schema_per_tenant_unless_the_connection_string_names_one()
    {
        var configuration = TenantServices.UkStore();
        configuration["OrchardShopify:Storage:Provider"] = "PostgreSql";
        configuration["OrchardShopify:Storage:ConnectionString"] = "Host=db;Database=sync;Username=app";
        var (services, _) = TenantServices.Create(_appData, configuration);
        using var provider = services.BuildServiceProvider();

        var storage = provider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<AspNetCore.DependencyInjection.ShopifyHostOptions>>().CurrentValue.Storage;

        Assert.Contains("Search Path=shopify_default", storage.ConnectionString, StringComparison.Ordinal);
    }
}
