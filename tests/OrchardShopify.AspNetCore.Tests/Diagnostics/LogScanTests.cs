using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.Testing.Hosting.Logging;

namespace OrchardShopify.AspNetCore.Tests.Diagnostics;

public sealed class LogScanTests
{
    [Fact]
    public void The_scan_text_holds_the_message_the_structured_values_left_out_of_it_and_the_exception()
    {
        var logs = new FakeLogCollector();
        using var provider = new FakeLoggerProvider(logs);
        var logger = provider.CreateLogger("OrchardShopify.Test");
        IReadOnlyList<KeyValuePair<string, object?>> state = [new("Store", "uk"), new("AccessToken", "shpat_left_out_of_the_template")];

        logger.Log(LogLevel.Warning, new EventId(7), state, new InvalidOperationException("inner detail"), (_, _) => "Retrying store uk");

        var texts = logs.Texts().ToList();
        Assert.Contains("Retrying store uk", texts);
        Assert.Contains("AccessToken=shpat_left_out_of_the_template (Warning OrchardShopify.Test 7)", texts);
        Assert.Contains(texts, t => t.StartsWith("System.InvalidOperationException: inner detail", StringComparison.Ordinal));
    }
}
