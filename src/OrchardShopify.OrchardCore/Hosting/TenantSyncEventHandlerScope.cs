using OrchardShopify.Core.Sync;

namespace OrchardShopify.OrchardCore.Hosting;

/// <summary>
/// Runs the tenant's <see cref="IShopifySyncEventHandler"/>s (registered in a module's Startup, like other Orchard Core
/// event handlers) in a fresh scope of the tenant, so they can use its scoped services (users, session, mail); the
/// scope's YesSql session is committed when they return.
/// </summary>
internal sealed class TenantSyncEventHandlerScope(TenantScopes scopes) : ISyncEventHandlerScope
{
    public Task RunAsync(Func<IServiceProvider, Task> dispatch, CancellationToken cancellationToken) => scopes.RunAsync(dispatch);
}
