using System.Collections.Immutable;
using System.Globalization;

namespace OrchardShopify.Emulator.Customers;

/// <summary>Deterministic demo customers: same options, same data, on every start.</summary>
internal static class CustomerSeeder
{
    private static readonly string[] FirstNames =
    [
        "Olivia", "Liam", "Amelia", "Noah", "Isla", "Oliver", "Ava", "George", "Mia", "Arthur", "Sophia", "Leo",
        "Grace", "Harry", "Chloé", "Jack", "Zoë", "Oscar", "Freya", "Muhammad", "Ivy", "Theo", "Émilie", "Henry",
    ];

    private static readonly string[] LastNames =
    [
        "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
        "Walker", "Wright", "Robinson", "Thompson", "O'Brien", "Müller", "García", "Nguyen", "Patel", "Kowalski",
    ];

    private static readonly (string City, string Province, string Code, string Zip)[] UsPlaces =
    [
        ("Louisville", "Kentucky", "KY", "40202"), ("Ottawa", "Illinois", "IL", "61350"), ("Portland", "Oregon", "OR", "97205"),
        ("Austin", "Texas", "TX", "78701"), ("Boston", "Massachusetts", "MA", "02108"), ("Denver", "Colorado", "CO", "80202"),
    ];

    private static readonly (string City, string Province, string Code, string Zip)[] UkPlaces =
    [
        ("London", "England", "ENG", "SW1A 1AA"), ("Manchester", "England", "ENG", "M1 1AE"), ("Edinburgh", "Scotland", "SCT", "EH1 1YZ"),
        ("Cardiff", "Wales", "WLS", "CF10 1EP"), ("Belfast", "Northern Ireland", "NIR", "BT1 5GS"), ("Bristol", "England", "ENG", "BS1 4DJ"),
    ];

    private static readonly (string Title, string Sku, string? Variant, decimal Price)[] Products =
    [
        ("Orchard Apple Crate", "APL-CRATE", "Large", 24.50m), ("Pear Preserve", "PEAR-JAR", null, 6.95m),
        ("Cider Press Kit", "CIDER-KIT", "Deluxe", 129.00m), ("Pruning Shears", "SHEAR-01", null, 18.75m),
        ("Heirloom Seedling", "SEED-HL", "Bramley", 12.00m),
    ];

    /// <summary>Area codes 201–999 whose 555 numbers libphonenumber calls valid, so seeded phones are ones a site can store.</summary>
    private static readonly int[] NanpAreaCodes = [.. Enumerable.Range(201, 799)
        .Where(area => ShopifyPhone.TryNormalize(string.Create(CultureInfo.InvariantCulture, $"+1{area}5551000"), out _))];

    public static IEnumerable<Customer> Generate(Shop shop, int count, int seed)
    {
        var random = new Random(unchecked(seed + StableHash(shop.Domain)));
        var uk = shop.CountryCode == "GB";
        var places = uk ? UkPlaces : UsPlaces;
        var epoch = new DateTimeOffset(2024, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var orderId = 5_000_000_000L + (shop.ShopId % 100 * 10_000_000);
        var orderNumber = 1000;
        for (var i = 0; i < count; i++)
        {
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            var id = shop.NextCustomerId();
            var created = epoch.AddMinutes(i * 7 + random.Next(5));
            var updated = created.AddDays(random.Next(0, 300)).AddSeconds(random.Next(3600));
            var phone = uk
                ? "+447400" + ((900000 + i) % 1_000_000).ToString("D6", CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"+1{NanpAreaCodes[i % NanpAreaCodes.Length]}555{1000 + (i / NanpAreaCodes.Length):D4}");
            var email = $"{Ascii(first)}.{Ascii(last)}.{i + 1}@example.{(uk ? "co.uk" : "com")}".ToLowerInvariant();
            var place = places[random.Next(places.Length)];
            var address = new MailingAddress(
                shop.NextAddressId(), first, last, i % 9 == 0 ? "Orchard Growers Ltd" : null,
                $"{random.Next(1, 250)} {(uk ? "High Street" : "Chestnut Street")}", i % 3 == 0 ? $"Apartment {random.Next(1, 40)}" : null,
                place.City, place.Province, place.Code, uk ? "United Kingdom" : "United States", uk ? "GB" : "US", place.Zip, phone);

            var orders = ImmutableArray.CreateBuilder<Order>();
            for (var o = 0; o < i % 4; o++)
            {
                var placed = created.AddDays(3 + (o * 17) + random.Next(10));
                var lines = ImmutableArray.CreateBuilder<LineItem>();
                for (var l = 0; l < 1 + random.Next(3); l++)
                {
                    var product = Products[random.Next(Products.Length)];
                    lines.Add(new LineItem(++orderId * 10, product.Title, 1 + random.Next(3), product.Sku, product.Variant, product.Price));
                }

                var state = random.Next(10);
                orders.Add(new Order(
                    ++orderId, $"#{++orderNumber}", placed, placed,
                    state < 6 ? placed.AddDays(4) : null,
                    state == 9 ? placed.AddHours(5) : null,
                    state == 9 ? "REFUNDED" : state < 8 ? "PAID" : "PENDING",
                    state < 6 ? "FULFILLED" : "UNFULFILLED",
                    shop.Currency, 4.99m, lines.ToImmutable()));
            }

            var tags = i % 5 == 0 ? ImmutableArray.Create("vip") : i % 7 == 0 ? ImmutableArray.Create("newsletter", "wholesale") : [];
            yield return new Customer(
                id, first, last, email, phone, i % 6 == 0 ? "Prefers deliveries after 5pm" : null,
                i % 8 == 0 ? "INVITED" : "ENABLED", tags, created, updated, i % 10 != 3, i % 17 == 0,
                i % 2 == 0 ? "SUBSCRIBED" : "NOT_SUBSCRIBED", i % 3 == 0 ? "SUBSCRIBED" : "NOT_SUBSCRIBED",
                [address], address.Id, orders.ToImmutable(), ImmutableDictionary<string, string>.Empty, uk ? "en-GB" : "en");
        }
    }

    // Invariant globalization has no Unicode normalization tables, so fold the few accents the name lists use by hand.
    private static string Ascii(string text) =>
        new(text.Select(c => c switch { 'é' or 'É' => 'e', 'ë' => 'e', 'ü' => 'u', 'í' => 'i', _ => c }).Where(char.IsAsciiLetter).ToArray());

    private static int StableHash(string text)
    {
        unchecked
        {
            var hash = 17;
            foreach (var c in text)
            {
                hash = (hash * 31) + c;
            }

            return hash;
        }
    }
}
