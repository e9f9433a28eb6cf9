using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>
/// Starts and stops the sync's background services (schema migration, inbox and push workers, maintenance)
/// for hosts whose service container is not run by the generic host, such as an Orchard Core tenant.
/// Registered by <c>UseSyncRunner()</c>; services start in registration order and stop in reverse.
/// </summary>
public sealed class ShopifySyncRunner : IAsyncDisposable, IDisposable
{
    private readonly IServiceProvider _provider;
    private readonly IReadOnlyList<ServiceDescriptor> _services;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private List<StartedService>? _running;
    private int _disposed;

    internal ShopifySyncRunner(IServiceProvider provider, IReadOnlyList<ServiceDescriptor> services)
    {
        _provider = provider;
        _services = services;
    }

    public bool IsRunning => _running is not null;

    /// <summary>Applies the schema migrations, then starts the workers. Does nothing when already running.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_running is not null)
            {
                return;
            }

            var started = new List<StartedService>(_services.Count);
            try
            {
                foreach (var descriptor in _services)
                {
                    var service = Create(descriptor);
                    var owned = IsOwned(service);
                    await service.StartAsync(cancellationToken);
                    started.Add(new StartedService(service, owned));
                }
            }
            catch
            {
                await StopAllAsync(started, containerDisposing: false, CancellationToken.None);
                throw;
            }

            _running = started;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops the workers; an item interrupted half-way is released for the next claim.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => StopAsync(containerDisposing: false, cancellationToken);

    private async Task StopAsync(bool containerDisposing, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_running is { } running)
            {
                _running = null;
                await StopAllAsync(running, containerDisposing, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Stops the workers this runner created; the container calls it when the tenant or host shuts down. Services the
    /// container owns are left to the container, which may have disposed them already. Safe to call twice.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await StopAsync(containerDisposing: true, CancellationToken.None);
        _gate.Dispose();
    }

    /// <summary>For containers disposed synchronously; waits for the workers to stop.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private IHostedService Create(ServiceDescriptor descriptor) => descriptor switch
    {
        { ImplementationInstance: IHostedService instance } => instance,
        { ImplementationFactory: { } factory } => (IHostedService)factory(_provider),
        { ImplementationType: { } type } => (IHostedService)ActivatorUtilities.CreateInstance(_provider, type),
        _ => throw new InvalidOperationException($"The hosted service registration {descriptor} cannot be created."),
    };

    /// <summary>
    /// Whether the instance was created for this start and is disposed when it stops. A service the container also
    /// hands out (a singleton such as the <see cref="Jobs.SyncJobHost"/>) belongs to the container and may be started again. Decided
    /// while the container is alive: at stop time it may already be disposing (tenant or host shutdown).
    /// </summary>
    private bool IsOwned(IHostedService service) => !ReferenceEquals(_provider.GetService(service.GetType()), service);

    private static async Task StopAllAsync(List<StartedService> services, bool containerDisposing, CancellationToken cancellationToken)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            var (service, owned) = services[i];
            if (containerDisposing && !owned)
            {
                continue;
            }

            await service.StopAsync(cancellationToken);
            if (owned && service is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
    }

    private readonly record struct StartedService(IHostedService Service, bool Owned);
}
