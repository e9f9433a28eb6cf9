using System.Text.Json.Serialization;

namespace OrchardShopify.Emulator.Control;

/// <summary>Misbehaviour the emulator injects so a client's resilience can be exercised.</summary>
public sealed record FaultSettings
{
    /// <summary>Each webhook delivery is sent this many times (same X-Shopify-Webhook-Id).</summary>
    public int DuplicateDeliveries { get; init; } = 1;

    /// <summary>When set, each webhook is sent a random number of times from <see cref="DuplicateDeliveries"/> to this, inclusive.</summary>
    public int? DuplicateDeliveriesMax { get; init; }

    /// <summary>Deliveries are held for a random time up to <see cref="ShuffleWindowMs"/> so they arrive out of order.</summary>
    public bool ShuffleDeliveries { get; init; }

    public int ShuffleWindowMs { get; init; } = 250;

    /// <summary>Added before every webhook delivery attempt.</summary>
    public int WebhookLatencyMs { get; init; }

    /// <summary>Added before every Admin API response.</summary>
    public int ApiLatencyMs { get; init; }

    /// <summary>How long a bulk operation stays <c>RUNNING</c> before it starts writing its file, as Shopify's exports take a while.</summary>
    public int BulkOperationDelayMs { get; init; }

    /// <summary>Webhooks are signed with a wrong key.</summary>
    public bool WrongSignature { get; init; }

    /// <summary>Fraction (0..1) of Admin API requests answered with HTTP 502/503.</summary>
    public double ServerErrorRate { get; init; }

    /// <summary>Fraction (0..1) of Admin API requests answered THROTTLED regardless of the bucket.</summary>
    public double ThrottleRate { get; init; }

    /// <summary>Fraction (0..1) of Admin API requests that are executed and then left unanswered for <see cref="ApiTimeoutMs"/>: the client times out although Shopify applied the request.</summary>
    public double ApiTimeoutRate { get; init; }

    /// <summary>How long a timed-out request's answer is held back.</summary>
    public int ApiTimeoutMs { get; init; } = 10_000;

    /// <summary>Every Admin API request is answered HTTP 401, as after the merchant uninstalled the app or the token was revoked.</summary>
    public bool AccessTokenRevoked { get; init; }

    /// <summary>
    /// What Shopify approved the app for of protected customer data; anything but <see cref="ProtectedCustomerDataAccess.Approved"/>
    /// makes the Admin API refuse customer webhook subscriptions or customer fields in Shopify's words (<see cref="ProtectedCustomerDataMessages"/>).
    /// </summary>
    public ProtectedCustomerDataAccess ProtectedCustomerData { get; init; }

    public int? RandomSeed { get; init; }

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (DuplicateDeliveries is < 1 or > 20)
        {
            problems.Add("duplicateDeliveries must be between 1 and 20");
        }

        if (DuplicateDeliveriesMax is { } max && (max < DuplicateDeliveries || max > 20))
        {
            problems.Add("duplicateDeliveriesMax must be between duplicateDeliveries and 20");
        }

        if (ShuffleWindowMs is < 0 or > 60_000)
        {
            problems.Add("shuffleWindowMs must be between 0 and 60000");
        }

        if (WebhookLatencyMs is < 0 or > 60_000)
        {
            problems.Add("webhookLatencyMs must be between 0 and 60000");
        }

        if (ApiLatencyMs is < 0 or > 60_000)
        {
            problems.Add("apiLatencyMs must be between 0 and 60000");
        }

        if (BulkOperationDelayMs is < 0 or > 600_000)
        {
            problems.Add("bulkOperationDelayMs must be between 0 and 600000");
        }

        if (ServerErrorRate is < 0 or > 1 || double.IsNaN(ServerErrorRate))
        {
            problems.Add("serverErrorRate must be between 0 and 1");
        }

        if (ThrottleRate is < 0 or > 1 || double.IsNaN(ThrottleRate))
        {
            problems.Add("throttleRate must be between 0 and 1");
        }

        if (ApiTimeoutRate is < 0 or > 1 || double.IsNaN(ApiTimeoutRate))
        {
            problems.Add("apiTimeoutRate must be between 0 and 1");
        }

        if (ApiTimeoutMs is < 0 or > 60_000)
        {
            problems.Add("apiTimeoutMs must be between 0 and 60000");
        }

        return problems;
    }
}

/// <summary>The live fault settings, swapped atomically by the control API.</summary>
public sealed class FaultState
{
    private readonly object _gate = new();
    private FaultSettings _current;
    private Random _random;

    public FaultState(FaultSettings initial)
    {
        _current = initial;
        _random = initial.RandomSeed is { } seed ? new Random(seed) : new Random();
    }

    public FaultSettings Current => Volatile.Read(ref _current);

    public void Replace(FaultSettings settings)
    {
        lock (_gate)
        {
            _current = settings;
            _random = settings.RandomSeed is { } seed ? new Random(seed) : new Random();
        }
    }

    public bool Roll(double probability)
    {
        if (probability <= 0)
        {
            return false;
        }

        lock (_gate)
        {
            return _random.NextDouble() < probability;
        }
    }

    public int Next(int maxExclusive)
    {
        lock (_gate)
        {
            return maxExclusive <= 0 ? 0 : _random.Next(maxExclusive);
        }
    }
}

[JsonSerializable(typeof(FaultSettings))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class FaultSettingsJsonContext : JsonSerializerContext;
