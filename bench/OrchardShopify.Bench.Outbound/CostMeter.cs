using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace OrchardShopify.Bench.Outbound;

/// <summary>One Admin API response as the wire carried it.</summary>
/// <param name="At">When the client received it, from the start of the run.</param>
/// <param name="Requested">extensions.cost.requestedQueryCost.</param>
/// <param name="Actual">extensions.cost.actualQueryCost (null on THROTTLED and other rejected calls).</param>
/// <param name="Available">extensions.cost.throttleStatus.currentlyAvailable after the call.</param>
/// <param name="Throttled">The response carried a THROTTLED error.</param>
/// <param name="Status">HTTP status code.</param>
internal sealed record CostSample(TimeSpan At, double? Requested, double? Actual, double? Available, bool Throttled, int Status);

/// <summary>Collects a <see cref="CostSample"/> per Admin API response.</summary>
internal sealed class CostMeter
{
    private readonly ConcurrentQueue<CostSample> _samples = new();
    private readonly Stopwatch _clock = new();

    public TimeSpan Elapsed => _clock.Elapsed;

    public IReadOnlyList<CostSample> Samples => [.. _samples.OrderBy(s => s.At)];

    public void Start() => _clock.Start();

    public void Record(int status, byte[] body)
    {
        var at = _clock.Elapsed;
        double? requested = null, actual = null, available = null;
        var throttled = false;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("extensions", out var extensions) && extensions.ValueKind == JsonValueKind.Object
                && extensions.TryGetProperty("cost", out var cost) && cost.ValueKind == JsonValueKind.Object)
            {
                requested = NumberOrNull(cost, "requestedQueryCost");
                actual = NumberOrNull(cost, "actualQueryCost");
                if (cost.TryGetProperty("throttleStatus", out var throttle) && throttle.ValueKind == JsonValueKind.Object)
                {
                    available = NumberOrNull(throttle, "currentlyAvailable");
                }
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (var error in errors.EnumerateArray())
                {
                    if (error.ValueKind == JsonValueKind.Object
                        && error.TryGetProperty("extensions", out var ext) && ext.ValueKind == JsonValueKind.Object
                        && ext.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
                        && code.ValueEquals("THROTTLED"))
                    {
                        throttled = true;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: recorded with its status only.
        }

        _samples.Enqueue(new CostSample(at, requested, actual, available, throttled, status));
    }

    private static double? NumberOrNull(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}

/// <summary>Reads each response body into the <see cref="CostMeter"/> and hands the client an identical copy.</summary>
internal sealed class CostMeteringHandler(CostMeter meter) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        meter.Record((int)response.StatusCode, body);

        var copy = new ByteArrayContent(body);
        foreach (var header in response.Content.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content.Dispose();
        response.Content = copy;
        return response;
    }
}
