using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Core.Tests.Configuration;

/// <summary>
/// The monitor's own rules, on a configuration changed by hand: valid changes reach the listeners, refused ones do not,
/// and a listener that has let go hears nothing more.
/// </summary>
public sealed class LastValidOptionsMonitorTests
{
    private sealed class Sample
    {
        public int Size { get; set; } = 10;
    }

    [Fact]
    public void Listeners_hear_each_valid_change_and_nothing_of_a_refused_one()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Sample:Size"] = "20" }).Build();
        var logs = new FakeLogCollector();
        using var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)))
            .AddOptions<Sample>().Bind(configuration.GetSection("Sample")).Validate(s => s.Size > 0, "Sample:Size must be positive.").Services
            .AddSingleton<IOptionsMonitor<Sample>, LastValidOptionsMonitor<Sample>>()
            .BuildServiceProvider();
        var monitor = services.GetRequiredService<IOptionsMonitor<Sample>>();
        Assert.IsType<LastValidOptionsMonitor<Sample>>(monitor);
        Assert.Equal(20, monitor.CurrentValue.Size);

        var heard = new List<int>();
        var subscription = monitor.OnChange((value, _) => heard.Add(value.Size));

        configuration["Sample:Size"] = "-1";
        configuration.Reload();
        Assert.Equal(20, monitor.CurrentValue.Size);
        configuration["Sample:Size"] = "lots";
        configuration.Reload();
        Assert.Equal(20, monitor.Get(Options.DefaultName).Size);
        Assert.Empty(heard);
        var refused = logs.GetSnapshot().Where(r => r.Level == LogLevel.Error).Select(r => r.Message).ToList();
        Assert.Equal(2, refused.Count);
        Assert.Contains("Sample:Size must be positive.", refused[0], StringComparison.Ordinal);
        Assert.Contains("'Sample:Size'", refused[1], StringComparison.Ordinal);

        configuration["Sample:Size"] = "30";
        configuration.Reload();
        Assert.Equal(30, monitor.CurrentValue.Size);
        Assert.Equal([30], heard);
        Assert.Single(logs.GetSnapshot(), r => r.Level == LogLevel.Information && r.Message == "The configuration's Sample values are valid again and apply");

        subscription!.Dispose();
        configuration["Sample:Size"] = "40";
        configuration.Reload();
        Assert.Equal(40, monitor.CurrentValue.Size);
        Assert.Equal([30], heard);
    }

    [Fact]
    public void Values_that_are_not_valid_from_the_start_are_not_read_at_all()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Sample:Size"] = "0" }).Build();
        using var services = new ServiceCollection()
            .AddLogging()
            .AddOptions<Sample>().Bind(configuration.GetSection("Sample")).Validate(s => s.Size > 0, "Sample:Size must be positive.").Services
            .AddSingleton<IOptionsMonitor<Sample>, LastValidOptionsMonitor<Sample>>()
            .BuildServiceProvider();
        var monitor = services.GetRequiredService<IOptionsMonitor<Sample>>();

        var error = Assert.Throws<OptionsValidationException>(() => monitor.CurrentValue);
        Assert.Equal(["Sample:Size must be positive."], error.Failures);

        configuration["Sample:Size"] = "5";
        configuration.Reload();
        Assert.Equal(5, monitor.CurrentValue.Size);
    }
}
