using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OrchardShopify.AspNetCore.Workers;

namespace OrchardShopify.AspNetCore.DependencyInjection;

public static class ShopifySyncRunnerBuilderExtensions
{
    /// <summary>
    /// Takes the sync's background services off the generic host and registers a <see cref="ShopifySyncRunner"/>
    /// that starts and stops them on demand: for containers the generic host does not start, such as an
    /// Orchard Core tenant's. Call it after every other registration of the sync.
    /// </summary>
    public static ShopifyCustomerSyncBuilder UseSyncRunner(this ShopifyCustomerSyncBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var own = typeof(ShopifySyncRunner).Assembly;
        var detached = services
            .Where(d => d.ServiceType == typeof(IHostedService) && !d.IsKeyedService && DeclaredIn(d, own))
            .ToList();
        foreach (var descriptor in detached)
        {
            services.Remove(descriptor);
        }

        services.AddSingleton(provider => new ShopifySyncRunner(provider, detached));
        return builder;
    }

    private static bool DeclaredIn(ServiceDescriptor descriptor, System.Reflection.Assembly assembly) =>
        descriptor.ImplementationType?.Assembly == assembly
        || descriptor.ImplementationInstance?.GetType().Assembly == assembly
        || descriptor.ImplementationFactory?.Method.DeclaringType?.Assembly == assembly;
}
