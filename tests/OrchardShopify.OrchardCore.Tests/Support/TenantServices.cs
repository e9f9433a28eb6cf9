using System.Reflection;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrchardCore.Environment.Shell;
using OrchardCore.Environment.Shell.Builders;
using OrchardCore.Environment.Shell.Configuration;
using OrchardCore.Environment.Shell.Models;

namespace OrchardShopify.OrchardCore.Tests.Support;

/// <summary>
/// What an Orchard Core tenant container holds before a feature's Startup runs (its settings, shell options,
/// configuration, Data Protection), then the sync feature's own <see cref="Startup.ConfigureServices"/>.
/// </summary>
internal static class TenantServices
{
    public const string UkDomain = "uk-store.myshopify.com";
    public const string UkSecret = "uk-webhook-secret";
    public const string UsDomain = "us-store.myshopify.com";
    public const string UsSecret = "us-webhook-secret";

    public static (ServiceCollection Services, ShellSettings Settings) Create(string appData, IDictionary<string, string?> configuration, string tenant = ShellSettings.DefaultShellName)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        return (services, AddTo(services, appData, configuration, tenant));
    }

    public static ShellSettings AddTo(IServiceCollection services, string appData, IDictionary<string, string?> configuration, string tenant = ShellSettings.DefaultShellName)
    {
        var shellConfiguration = new ShellConfiguration(new ConfigurationBuilder().AddInMemoryCollection(configuration).Build());
        var settings = new ShellSettings { Name = tenant, State = TenantState.Running };
        services.AddSingleton(settings);
        services.AddSingleton<IShellConfiguration>(shellConfiguration);
        services.AddSingleton(Options.Create(new ShellOptions { ShellsApplicationDataPath = appData, ShellsContainerName = "Sites" }));
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        services.AddLocalization();
        new Startup(shellConfiguration).ConfigureServices(services);
        return settings;
    }

    public static Dictionary<string, string?> UkStore() => new()
    {
        ["OrchardShopify:Stores:uk:ShopDomain"] = UkDomain,
        ["OrchardShopify:Stores:uk:WebhookSecret"] = UkSecret,
        ["OrchardShopify:Queue:PollInterval"] = "00:00:00.050",
    };

    /// <summary>A shell context over <paramref name="provider"/>, activated, as Orchard Core builds one per tenant.</summary>
    public static ShellContext Shell(IServiceProvider provider, ShellSettings settings) =>
        new() { Settings = settings, ServiceProvider = provider, IsActivated = true };

    /// <summary>
    /// The host's tenant registry, which these tests do not build; a deferred task then falls back to a scope of
    /// the current shell, as Orchard Core does when the shell host cannot give one.
    /// </summary>
    public static IShellHost NoShellHost() => DispatchProxy.Create<IShellHost, UnavailableShellHost>();

#pragma warning disable CA1852 // DispatchProxy needs a derivable proxy type.
    internal class UnavailableShellHost : DispatchProxy
#pragma warning restore CA1852
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            throw new InvalidOperationException($"No shell host in this test ({targetMethod?.Name}).");
    }
}
