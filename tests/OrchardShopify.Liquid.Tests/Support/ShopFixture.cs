using OrchardShopify.Emulator;

namespace OrchardShopify.Liquid.Tests.Support;

/// <summary>
/// One emulator with known customers, a two-store site (uk, us) and a single-store site (uk).
/// Users: Ada is linked in both stores, Grace only in the UK, Mallory's customer has markup in every field, Nobody has no link.
/// </summary>
public sealed class ShopFixture : IAsyncLifetime
{
    public const string Ada = "user-ada";
    public const string Grace = "user-grace";
    public const string Mallory = "user-mallory";
    public const string Nobody = "user-nobody";

    public ShopifyEmulator Emulator { get; private set; } = null!;

    public LiquidSite MultiStore { get; private set; } = null!;

    public LiquidSite SingleStore { get; private set; } = null!;

    public long AdaUk { get; private set; }

    public long AdaUs { get; private set; }

    public long GraceUk { get; private set; }

    public async Task InitializeAsync()
    {
        Emulator = await ShopifyEmulator.StartAsync(new EmulatorOptions { CustomersPerShop = 3 }, CancellationToken.None);

        AdaUk = ShopifyShops.CreateCustomer(Emulator, ShopifyShops.Uk, "Ada", "Lovelace", "ada@example.com", "Prefers the blue box",
            ("12 St James's Square", "London", "GB"), ("1 Rue de Rivoli", "Paris", "FR"));
        ShopifyShops.AddOrder(Emulator, ShopifyShops.Uk, AdaUk, 5001, "#UK1001", OrderState.Open, daysAgo: 1, ("Analytical Engine", 2, "AE-1", 45.00m));
        ShopifyShops.AddOrder(Emulator, ShopifyShops.Uk, AdaUk, 5002, "#UK1002", OrderState.Closed, daysAgo: 5, ("Difference Engine", 1, "DE-2", 120.00m), ("Punch Cards", 3, "PC-9", 2.50m));
        ShopifyShops.AddOrder(Emulator, ShopifyShops.Uk, AdaUk, 5003, "#UK1003", OrderState.Cancelled, daysAgo: 9, ("Brass Gears", 10, "BG-1", 1.20m));

        AdaUs = ShopifyShops.CreateCustomer(Emulator, ShopifyShops.Us, "Ada", "Lovelace", "ada@example.com", null, ("350 Fifth Avenue", "New York", "US"));
        ShopifyShops.AddOrder(Emulator, ShopifyShops.Us, AdaUs, 6001, "#US2001", OrderState.Open, daysAgo: 2, ("Jacquard Loom", 1, "JL-1", 300.00m));

        GraceUk = ShopifyShops.CreateCustomer(Emulator, ShopifyShops.Uk, "Grace", "Hopper", "grace@example.com", "Navy account", ("1 Bug Lane", "Arlington", "US"));
        ShopifyShops.AddOrder(Emulator, ShopifyShops.Uk, GraceUk, 5101, "#UK1101", OrderState.Open, daysAgo: 3, ("COBOL Manual", 1, "CM-1", 19.00m));

        var mallory = ShopifyShops.CreateCustomer(Emulator, ShopifyShops.Uk, "<script>alert('first')</script>", "<b>Bold</b>", "mallory@example.com", "<img src=x onerror=alert(1)>",
            ("<svg onload=alert(2)>", "London", "GB"));
        ShopifyShops.AddOrder(Emulator, ShopifyShops.Uk, mallory, 5201, "#UK1201", OrderState.Open, daysAgo: 1, ("<iframe src=evil>", 1, "X-1", 1.00m));

        // The multi-store site shows the merchant's customer notes (the setting's default is off: the single-store site).
        MultiStore = LiquidSite.Create(Emulator, multiStore: true, withAccessToken: true, showCustomerNote: true, ShopifyShops.Uk, ShopifyShops.Us);
        SingleStore = LiquidSite.Create(Emulator, multiStore: false, ShopifyShops.Uk);
        foreach (var site in new[] { MultiStore, SingleStore })
        {
            await site.LinkAsync(Ada, "uk", AdaUk);
            await site.LinkAsync(Grace, "uk", GraceUk);
            await site.LinkAsync(Mallory, "uk", mallory);
        }

        await MultiStore.LinkAsync(Ada, "us", AdaUs);
    }

    public async Task DisposeAsync()
    {
        await MultiStore.DisposeAsync();
        await SingleStore.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ShopCollection : ICollectionFixture<ShopFixture>
{
    public const string Name = "shop";
}
