using OrchardShopify.Emulator.Customers;

namespace OrchardShopify.Emulator.Schema;

/// <summary>What an Admin API resolver can reach: the shop the request targets and the emulator's state.</summary>
public sealed record AdminContext(EmulatorState State, Shop Shop, string ApiVersion, Uri BaseUrl);

/// <summary>
/// One Admin API request as GraphQL.NET's user context: the shop and state the resolvers read, the query cost
/// (requested before execution, actual counted while resolving) and, for a bulk export, the slice of root customers.
/// </summary>
public sealed class AdminRequest
{
    private int _actualCost;

    public AdminRequest(AdminContext admin, string? bucketKey = null, double throttleRate = 0)
    {
        Admin = admin;
        BucketKey = bucketKey;
        ThrottleRate = throttleRate;
    }

    public AdminContext Admin { get; }

    /// <summary>The throttle bucket (shop and token); null for a bulk export, which Shopify does not charge per query.</summary>
    public string? BucketKey { get; }

    public double ThrottleRate { get; }

    /// <summary>Connections are unbounded in a bulk export and the root customers come from <see cref="BulkRoots"/>.</summary>
    public bool IsBulk => BulkRoots is not null;

    public IReadOnlyList<Customer>? BulkRoots { get; init; }

    public int RequestedCost { get; set; }

    /// <summary>Whether the document was valid and its requested cost computed (the answer then carries extensions.cost).</summary>
    public bool Costed { get; set; }

    public int ActualCost => Volatile.Read(ref _actualCost);

    /// <summary>The bucket after the charge, or when refused.</summary>
    public Throttling.ThrottleStatus? Throttle { get; set; }

    /// <summary>Whether the request was refused before execution (cost over the limit, or throttled).</summary>
    public bool Refused { get; set; }

    internal void AddActualCost(int points) => Interlocked.Add(ref _actualCost, points);
}
