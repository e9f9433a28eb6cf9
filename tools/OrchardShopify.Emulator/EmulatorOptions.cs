using OrchardShopify.Emulator.Control;
using OrchardShopify.Emulator.Throttling;

namespace OrchardShopify.Emulator;

public sealed record EmulatorOptions
{
    public const string DefaultApiVersion = "2026-10";

    public IReadOnlyList<string> Shops { get; init; } = ["uk-demo.myshopify.com", "us-demo.myshopify.com"];

    public string AccessToken { get; init; } = "shpat_emulator";

    public string WebhookSecret { get; init; } = "emulator-secret";

    public int CustomersPerShop { get; init; } = 50;

    public ShopifyPlan Plan { get; init; } = ShopifyPlan.Standard;

    /// <summary>Webhook retry intervals are divided by this factor (60 turns Shopify's 4 hours into 4 minutes).</summary>
    public double TimeScale { get; init; } = 60;

    /// <summary>Where Kestrel listens; port 0 picks a free port.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:0";

    public int Seed { get; init; } = 20261001;

    public FaultSettings Faults { get; init; } = new();

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Log ASP.NET Core requests to the console (the command line turns this on).</summary>
    public bool ConsoleLogging { get; init; }
}
