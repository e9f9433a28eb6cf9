using System.Diagnostics.Metrics;
using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Diagnostics;

/// <summary>Counters and the processing lag, on the <c>OrchardShopify</c> meter.</summary>
internal sealed class ShopifySyncMetrics
{
    public const string MeterName = "OrchardShopify";

    private readonly Counter<long> _received;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _processed;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _lag;

    public ShopifySyncMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _received = meter.CreateCounter<long>("shopify.webhooks.received", "{delivery}", "Verified webhook deliveries stored in the inbox.");
        _duplicates = meter.CreateCounter<long>("shopify.webhooks.duplicates", "{delivery}", "Deliveries whose webhook id was already stored.");
        _rejected = meter.CreateCounter<long>("shopify.webhooks.rejected", "{delivery}", "Deliveries refused, by reason.");
        _processed = meter.CreateCounter<long>("shopify.sync.processed", "{item}", "Inbox deliveries and pushes finished, by outcome.");
        _failed = meter.CreateCounter<long>("shopify.sync.failed", "{item}", "Failed attempts; dead_letter tells whether the item gave up.");
        _lag = meter.CreateHistogram<double>("shopify.sync.lag", "s", "Time from receipt to the end of processing.");
    }

    public void Received(string store, string topic) => _received.Add(1, Tag("store", store), Tag("topic", topic));

    public void Duplicate(string store, string topic) => _duplicates.Add(1, Tag("store", store), Tag("topic", topic));

    public void Rejected(string reason) => _rejected.Add(1, Tag("reason", reason));

    public void Processed(WorkKind kind, string store, string topic, string outcome, TimeSpan lag)
    {
        _processed.Add(1, Tag("kind", KindName(kind)), Tag("store", store), Tag("topic", topic), Tag("outcome", outcome));
        _lag.Record(Math.Max(0, lag.TotalSeconds), Tag("kind", KindName(kind)), Tag("store", store));
    }

    public void Failed(WorkKind kind, string store, string topic, bool deadLetter)
        => _failed.Add(1, Tag("kind", KindName(kind)), Tag("store", store), Tag("topic", topic), Tag("dead_letter", deadLetter));

    private static string KindName(WorkKind kind) => kind == WorkKind.InboundDelivery ? "inbound" : "outbound";

    private static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}
