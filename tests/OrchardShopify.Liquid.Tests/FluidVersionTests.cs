using System.Reflection;
using Fluid;

namespace OrchardShopify.Liquid.Tests;

/// <summary>
/// The tags are tested against more than one Fluid.Core release (the lowest supported and the newest 2.x);
/// this proves which one a run loaded, so a pass cannot silently test another release.
/// </summary>
public sealed class FluidVersionTests
{
    [Fact]
    public void The_run_loads_the_Fluid_release_it_was_built_for()
    {
        var expected = typeof(FluidVersionTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "FluidVersion").Value;
        var loaded = typeof(FluidParser).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!
            .InformationalVersion.Split('+')[0];

        Assert.False(string.IsNullOrEmpty(expected));
        Assert.Equal(expected, loaded);
        Console.WriteLine($"Fluid.Core {loaded}");
    }
}
