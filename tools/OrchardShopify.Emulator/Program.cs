using OrchardShopify.Emulator;

if (EmulatorCommandLine.AsksForHelp(args))
{
    Console.WriteLine(EmulatorCommandLine.Usage);
    return 0;
}

var (options, error) = EmulatorCommandLine.Parse(args);
if (options is null)
{
    await Console.Error.WriteLineAsync("error: " + error);
    return 2;
}

await using var emulator = await ShopifyEmulator.StartAsync(options, CancellationToken.None);
Console.WriteLine($"Shopify emulator listening on {emulator.BaseUrl}");
foreach (var shop in emulator.Shops.Values)
{
    Console.WriteLine($"  {shop.Domain}: {shop.Count} customers, Admin API {emulator.AdminApiUrl(shop.Domain)}");
}

Console.WriteLine($"  access token: {options.AccessToken}   webhook secret: {options.WebhookSecret}   plan: {options.Plan}   time scale: {options.TimeScale}");
// The host's console lifetime stops the app on Ctrl+C and SIGTERM.
await emulator.WaitForShutdownAsync(CancellationToken.None);
return 0;
