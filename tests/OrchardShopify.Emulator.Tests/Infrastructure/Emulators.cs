namespace OrchardShopify.Emulator.Tests.Infrastructure;

public static class Emulators
{
    public const string Uk = "uk-demo.myshopify.com";
    public const string Us = "us-demo.myshopify.com";

    public static Task<ShopifyEmulator> StartAsync(EmulatorOptions? options = null) =>
        ShopifyEmulator.StartAsync(options ?? new EmulatorOptions { CustomersPerShop = 20 }, CancellationToken.None);
}
