using OrchardCore.Environment.Shell.Scope;

namespace OrchardShopify.OrchardCore.Hosting;

/// <summary>
/// Runs work in a fresh scope of this tenant, so the sync's singletons (workers, engine) can use scoped
/// Orchard Core services; the scope's YesSql session is committed when the work completes.
/// </summary>
internal sealed class TenantScopes
{
    private readonly Func<Task<ShellScope>> _createScope;

    public TenantScopes(Func<Task<ShellScope>> createScope)
    {
        _createScope = createScope;
    }

    public async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        T result = default!;
        var scope = await _createScope();
        await scope.UsingAsync(async s => result = await work(s.ServiceProvider));
        return result;
    }

    public Task RunAsync(Func<IServiceProvider, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        return RunAsync<bool>(async services =>
        {
            await work(services);
            return true;
        });
    }
}
