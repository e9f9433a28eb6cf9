using OrchardShopify.Emulator.Bulk;
using OrchardShopify.Emulator.Control;
using OrchardShopify.Emulator.Customers;
using OrchardShopify.Emulator.Schema;
using OrchardShopify.Emulator.Throttling;
using OrchardShopify.Emulator.Webhooks;

namespace OrchardShopify.Emulator;

/// <summary>Everything the emulator remembers: shops, subscriptions, deliveries, bulk operations, buckets and faults.</summary>
public sealed class EmulatorState : IAsyncDisposable
{
    public EmulatorState(EmulatorOptions options)
    {
        Options = options;
        Time = options.TimeProvider;
        Shops = options.Shops
            .Select((domain, index) => new Shop(domain, 60_000_000_001L + index, Time))
            .ToDictionary(s => s.Domain, StringComparer.OrdinalIgnoreCase);
        Faults = new FaultState(options.Faults);
        Throttle = new CostThrottle(PlanLimits.For(options.Plan), Time);
        Webhooks = new WebhookDispatcher(Subscriptions, Faults, Deliveries, Time, options.TimeScale, () => Options.WebhookSecret);
        GraphQL = AdminGraphQL.Shared;
        Bulk = new BulkOperationStore(this);
        SeedCustomers(options.CustomersPerShop);
    }

    public EmulatorOptions Options { get; }

    public TimeProvider Time { get; }

    public IReadOnlyDictionary<string, Shop> Shops { get; }

    public WebhookSubscriptionStore Subscriptions { get; } = new();

    public DeliveryLog Deliveries { get; } = new();

    public FaultState Faults { get; }

    public CostThrottle Throttle { get; }

    public WebhookDispatcher Webhooks { get; }

    /// <summary>The Admin API: Shopify's schema subset on GraphQL.NET.</summary>
    public AdminGraphQL GraphQL { get; }

    public BulkOperationStore Bulk { get; }

    public Shop? FindShop(string domain) => Shops.GetValueOrDefault(domain);

    public void SeedCustomers(int customersPerShop)
    {
        foreach (var shop in Shops.Values)
        {
            shop.Reset(customersPerShop, Options.Seed);
        }
    }

    /// <summary>Announces a customer change to the shop's subscribers, as Shopify does for API and admin edits alike.</summary>
    public void Publish(CustomerEvent customerEvent)
    {
        var shop = Shops[customerEvent.ShopDomain];
        var body = WebhookPayloads.CustomerBody(shop, customerEvent.Topic, customerEvent.Customer);
        Webhooks.Publish(new WebhookMessage(shop.Domain, customerEvent.Topic, body, customerEvent.EventId, customerEvent.TriggeredAt, EmulatorOptions.DefaultApiVersion));
    }

    public void Reset(int? customersPerShop)
    {
        Subscriptions.Clear();
        Deliveries.Clear();
        Throttle.Reset();
        Bulk.Clear();
        Faults.Replace(Options.Faults);
        SeedCustomers(customersPerShop ?? Options.CustomersPerShop);
    }

    public async ValueTask DisposeAsync()
    {
        await Webhooks.DisposeAsync();
        await Bulk.DisposeAsync();
    }
}
