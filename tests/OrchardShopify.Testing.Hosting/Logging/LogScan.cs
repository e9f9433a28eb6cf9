using Microsoft.Extensions.Logging.Testing;

namespace OrchardShopify.Testing.Hosting.Logging;

/// <summary>What a <see cref="FakeLogCollector"/> holds, as text a test scans for secrets.</summary>
public static class LogScan
{
    /// <summary>
    /// Every entry's message, its structured values (a secret passed as a parameter but left out of the template still
    /// reaches structured sinks) and its exception rendered in full (type, message, stack, inner exceptions).
    /// </summary>
    public static IEnumerable<string> Texts(this FakeLogCollector logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        foreach (var entry in logs.GetSnapshot())
        {
            yield return entry.Message;
            foreach (var (key, value) in entry.StructuredState ?? [])
            {
                yield return $"{key}={value} ({entry.Level} {entry.Category} {entry.Id})";
            }

            if (entry.Exception is { } exception)
            {
                yield return exception.ToString();
            }
        }
    }
}
