using System.Reflection;
using System.Text.Json.Nodes;
using OrchardCore.Settings;

namespace OrchardShopify.OrchardCore.Tests.Support;

/// <summary>
/// The site settings document as display drivers see it: only its <see cref="ISite.Properties"/>, where each settings
/// section is stored (what Orchard Core's settings admin saves after the drivers' UpdateAsync).
/// </summary>
#pragma warning disable CA1852 // DispatchProxy needs a derivable proxy type.
internal class InMemorySite : DispatchProxy
#pragma warning restore CA1852
{
    private readonly JsonObject _properties = [];

    public static ISite Create() => DispatchProxy.Create<ISite, InMemorySite>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => targetMethod?.Name switch
    {
        "get_Properties" => _properties,
        _ => throw new InvalidOperationException($"The settings page does not use ISite.{targetMethod?.Name}."),
    };
}
