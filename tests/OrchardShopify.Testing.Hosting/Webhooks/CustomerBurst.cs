using System.Globalization;

namespace OrchardShopify.Testing.Hosting.Webhooks;

/// <summary>
/// A burst of customer deliveries for one shop: each customer is created and then updated several times, every
/// version with a later <c>updated_at</c>, a new last name and a new phone. Ids are beyond 32 bits and a share of the
/// names are not ASCII. <see cref="Final"/> is Shopify's state after the burst, which a site must end up with
/// whatever order the deliveries arrive in.
/// </summary>
public sealed record CustomerBurst(IReadOnlyList<SignedDelivery> Deliveries, IReadOnlyDictionary<long, ShopifyCustomerVersion> Final)
{
    /// <summary>Larger than <see cref="uint.MaxValue"/>: an id kept in 32 bits is visibly wrong.</summary>
    public const long FirstCustomerId = 7_000_000_001;

    private static readonly string[] FirstNames = ["Zoë", "Łukasz", "Ngọc Anh", "Siobhán", "José", "Ada", "Jürgen", "Mary", "Søren", "李娜", "Ayşe", "Grace"];
    private static readonly string[] LastNames = ["Ångström", "Nguyễn", "Brontë", "Lovelace", "Müller", "Ó Briain", "Smith", "Kowalczyk", "Øster", "王", "Yılmaz", "Hopper"];
    private static readonly DateTimeOffset Start = new(2026, 10, 1, 12, 0, 0, TimeSpan.Zero);

    /// <param name="versions">Deliveries per customer: one <c>customers/create</c> then <c>versions - 1</c> updates.</param>
    public static CustomerBurst Generate(ShopifyWebhookSigner signer, int customers, int versions, string prefix, long firstId = FirstCustomerId)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentOutOfRangeException.ThrowIfLessThan(versions, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(versions, 100);
        var deliveries = new List<SignedDelivery>(customers * versions);
        var final = new Dictionary<long, ShopifyCustomerVersion>(customers);

        // Shopify's order: version by version across all customers.
        for (var v = 0; v < versions; v++)
        {
            for (var i = 0; i < customers; i++)
            {
                var customer = Version(firstId + i, i, v, prefix);
                var topic = v == 0 ? "customers/create" : "customers/update";
                deliveries.Add(signer.Customer(topic, customer, $"{prefix}-{i}-{v}", customer.UpdatedAt.AddMilliseconds(100)));
                final[customer.Id] = customer;
            }
        }

        return new CustomerBurst(deliveries, final);
    }

    public static ShopifyCustomerVersion Version(long id, int index, int version, string prefix) => new(
        id,
        $"{prefix}.{index.ToString(CultureInfo.InvariantCulture)}@example.com",
        FirstNames[index % FirstNames.Length],
        $"{LastNames[(index / FirstNames.Length) % LastNames.Length]}-{version.ToString(CultureInfo.InvariantCulture)}",
        $"+447{((index * 100L) + version).ToString("D9", CultureInfo.InvariantCulture)}",
        Start,
        Start.AddSeconds(version));

    /// <summary>Every delivery sent a random 2–3 (or <paramref name="min"/>–<paramref name="max"/>) times with the same webhook id, and the whole lot in random order.</summary>
    public CustomerBurst WithDuplicatesShuffled(int seed, int min = 2, int max = 3)
    {
        var random = new Random(seed);
        var copies = Deliveries.SelectMany(d => Enumerable.Repeat(d, random.Next(min, max + 1))).ToArray();
        random.Shuffle(copies);
        return this with { Deliveries = copies };
    }

    public CustomerBurst Shuffled(int seed)
    {
        var shuffled = Deliveries.ToArray();
        new Random(seed).Shuffle(shuffled);
        return this with { Deliveries = shuffled };
    }
}
