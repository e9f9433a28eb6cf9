using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrchardCore.Environment.Shell;
using OrchardCore.Environment.Shell.Builders;
using OrchardCore.Environment.Shell.Models;
using OrchardCore.Environment.Shell.Scope;
using OrchardCore.Users.Handlers;
using OrchardCore.Users.Models;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.DependencyInjection;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;
using OrchardShopify.OrchardCore.Tests.Support;
using OrchardShopify.OrchardCore.Users;
using OrchardShopify.Testing;

namespace OrchardShopify.OrchardCore.Tests.Users;

/// <summary>The user event handler inside real Orchard Core shell scopes, over the engine's scheduler and in-memory ports.</summary>
public sealed class UserEventHandlerTests : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly ShellSettings _settings = new() { Name = ShellSettings.DefaultShellName, State = TenantState.Running };
    private readonly InMemoryUserDirectory _users = new();
    private readonly InMemoryOutboundQueue _queue = new();
    private ShellContext? _shell;

    public UserEventHandlerTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddShopifySyncEngine();
        services.Configure<ShopifySyncOptions>(o =>
        {
            o.UpdateUsersInShopify = true;
            o.Stores["uk"] = new StoreOptions { ShopDomain = TenantServices.UkDomain, WebhookSecret = TenantServices.UkSecret, AccessToken = "shpat_test" };
        });
        services.AddSingleton<IUserDirectory>(_users);
        services.AddSingleton<ICustomerLinkStore, InMemoryCustomerLinkStore>();
        services.AddSingleton<IOutboundSyncQueue>(_queue);
        services.AddSingleton(TenantServices.NoShellHost());
        services.AddSingleton(_settings);
        services.AddScoped<IUserEventHandler, ShopifyUserEventHandler>();
        _provider = services.BuildServiceProvider();
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();

    [Fact]
    public async Task Edited_user_is_pushed_once_after_the_request_even_when_updated_fires_again()
    {
        var user = await _users.AddByHostAsync("ada@example.com", first: "Ada", last: "Lovelace");
        var queuedDuringRequest = -1;

        await RequestAsync(async handlers =>
        {
            var orchardUser = new User { UserId = user.Id, Email = user.Email };
            await handlers.UpdatedAsync(new UserUpdateContext(orchardUser));

            // Another handler saving the user inside UpdatedAsync makes Orchard Core raise the events again.
            await handlers.UpdatedAsync(new UserUpdateContext(orchardUser));
            queuedDuringRequest = _queue.Count;
        });

        Assert.Equal(0, queuedDuringRequest);
        var push = Assert.Single(_queue.Pending);
        Assert.Equal((user.Id, "uk"), (push.UserId, push.StoreHandle));
    }

    [Fact]
    public async Task Created_user_is_pushed()
    {
        var user = await _users.AddByHostAsync("bob@example.com");

        await RequestAsync(handlers => handlers.CreatedAsync(new UserCreateContext(new User { UserId = user.Id, Email = user.Email })));

        Assert.Equal(user.Id, Assert.Single(_queue.Pending).UserId);
    }

    [Fact]
    public async Task Writes_made_by_the_sync_itself_are_not_pushed_back_to_shopify()
    {
        var user = await _users.AddByHostAsync("cy@example.com");

        await RequestAsync(async handlers =>
        {
            using (SyncWriteScope.Begin())
            {
                await handlers.UpdatedAsync(new UserUpdateContext(new User { UserId = user.Id, Email = user.Email }));
            }
        });

        Assert.Equal(0, _queue.Count);
    }

    [Fact]
    public async Task Each_request_schedules_its_own_push()
    {
        var user = await _users.AddByHostAsync("di@example.com");

        await RequestAsync(handlers => handlers.UpdatedAsync(new UserUpdateContext(new User { UserId = user.Id, Email = user.Email })));
        await _users.EditByHostAsync(user.Id, u => u with { FirstName = "Diana" });
        await RequestAsync(handlers => handlers.UpdatedAsync(new UserUpdateContext(new User { UserId = user.Id, Email = user.Email })));

        Assert.Equal(2, _queue.Count);
    }

    /// <summary>
    /// One request of the tenant: a shell scope whose deferred tasks run after it completes. Every request uses the test's
    /// one shell, as a tenant's requests do: a shell no longer referenced is finalized, and Orchard Core's finalizer
    /// disposes its service provider, which the next request's shell would share.
    /// </summary>
    private Task RequestAsync(Func<IUserEventHandler, Task> work)
    {
        _shell ??= TenantServices.Shell(_provider, _settings);
        return new ShellScope(_shell).UsingAsync(scope => work(scope.ServiceProvider.GetRequiredService<IUserEventHandler>()));
    }
}
