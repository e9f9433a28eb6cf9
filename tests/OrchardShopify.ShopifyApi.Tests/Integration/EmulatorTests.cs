using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Emulator;

namespace OrchardShopify.ShopifyApi.Tests.Integration;

/// <summary>Starts the local Shopify emulator once for the integration tests, on a loopback port.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public const string Shop = "uk-demo.myshopify.com";

    public ShopifyEmulator Emulator { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = Timeout.InfiniteTimeSpan };

    public ThrottleBucketRegistry Buckets { get; } = new(TimeProvider.System);

    public ShopifyAdminClient Admin { get; private set; } = null!;

    public ShopifyStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await ShopifyEmulator.StartAsync(new EmulatorOptions { CustomersPerShop = 20 }, CancellationToken.None);
        var options = Options.Create(new ShopifyAdminClientOptions { BaseDelay = TimeSpan.FromMilliseconds(50), BulkPollInitialDelay = TimeSpan.FromMilliseconds(50) });
        Admin = new ShopifyAdminClient(Http, Buckets, new ShopifyAdminResilience(options, TimeProvider.System), NullLogger<ShopifyAdminClient>.Instance);
        Store = new ShopifyStore(
            "uk",
            new StoreOptions { ShopDomain = Shop, AccessToken = Emulator.Options.AccessToken, ApiBaseUrl = new Uri(Emulator.BaseUrl, $"shops/{Shop}") },
            new ShopifySyncOptions());
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        Buckets.Dispose();
        await Emulator.DisposeAsync();
    }
}

public sealed class EmulatorTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{

    private readonly ShopifyCustomerClient _customers = new(emulator.Admin);

    [Fact]
    public async Task Customer_is_created_found_by_email_and_phone_and_updated()
    {
        var email = $"ada.{Guid.NewGuid():N}@example.com";
        var created = await _customers.CreateCustomerAsync(emulator.Store, new CustomerProfile("Ada", "Lovelace", email, "+16135550101"), CancellationToken.None);

        var byEmail = await _customers.FindCustomerByEmailAsync(emulator.Store, email.ToUpperInvariant(), CancellationToken.None);
        var byPhone = await _customers.FindCustomerByPhoneAsync(emulator.Store, "+16135550101", CancellationToken.None);
        var updated = await _customers.UpdateCustomerAsync(emulator.Store, created.Id, created.Profile with { LastName = "King" }, ProfileFields.LastName, CancellationToken.None);
        var fetched = await _customers.GetCustomerAsync(emulator.Store, created.Id, CancellationToken.None);

        Assert.Equal(created.Id, byEmail?.Id);
        Assert.Equal(created.Id, byPhone?.Id);
        Assert.Equal("King", updated.Profile.LastName);
        Assert.Equal(new CustomerProfile("Ada", "King", email, "+16135550101"), fetched?.Profile);
    }

    [Fact]
    public async Task Taken_email_and_phone_are_reported_as_typed_errors()
    {
        var email = $"taken.{Guid.NewGuid():N}@example.com";
        await _customers.CreateCustomerAsync(emulator.Store, new CustomerProfile("First", null, email, "+16135550102"), CancellationToken.None);

        var emailTaken = await Assert.ThrowsAsync<ShopifyUserErrorException>(() =>
            _customers.CreateCustomerAsync(emulator.Store, new CustomerProfile("Second", null, email, null), CancellationToken.None));
        var phoneTaken = await Assert.ThrowsAsync<ShopifyUserErrorException>(() =>
            _customers.CreateCustomerAsync(emulator.Store, new CustomerProfile("Third", null, $"other.{Guid.NewGuid():N}@example.com", "+16135550102"), CancellationToken.None));

        Assert.Equal(ShopifyUserErrorCode.EmailTaken, emailTaken.Code);
        Assert.Equal(ShopifyUserErrorCode.PhoneTaken, phoneTaken.Code);
    }

    [Fact]
    public async Task Addresses_orders_and_the_customer_view_are_read()
    {
        var customerId = emulator.Emulator.Shops[EmulatorFixture.Shop].Snapshot()[0].Id;
        using (var order = await emulator.Http.PostAsync(new Uri(emulator.Emulator.BaseUrl, $"_emulator/shops/{EmulatorFixture.Shop}/customers/{customerId}/orders"), null))
        {
            order.EnsureSuccessStatusCode();
        }

        var view = await _customers.GetCustomerViewAsync(emulator.Store, customerId, CancellationToken.None);
        var addresses = await _customers.GetAddressesAsync(emulator.Store, customerId, 10, null, CancellationToken.None);
        var open = await _customers.GetOrdersAsync(emulator.Store, customerId, OrderStatusFilter.Open, 10, null, CancellationToken.None);
        var any = await _customers.GetOrdersAsync(emulator.Store, customerId, OrderStatusFilter.Any, 10, null, CancellationToken.None);

        Assert.NotNull(view);
        Assert.True(view.NumberOfOrders >= 1);
        Assert.NotNull(view.LastOrder);
        Assert.NotEmpty(any.Items);
        Assert.Contains(open.Items, o => o.LineItems.Any(l => l.Title == "Orchard Apple Crate"));
        Assert.All(any.Items, o => Assert.NotNull(o.Total));
        Assert.All(addresses.Items, a => Assert.StartsWith("gid://shopify/MailingAddress/", a.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bulk_export_streams_every_customer_of_the_shop()
    {
        var bulk = new BulkCustomerExport(emulator.Admin, TimeProvider.System);
        var expected = emulator.Emulator.Shops[EmulatorFixture.Shop].Count;

        var customers = 0;
        await foreach (var row in bulk.ExportAsync(emulator.Store, CancellationToken.None))
        {
            customers += row is BulkCustomerRow ? 1 : 0;
        }

        Assert.True(customers >= expected, $"{customers} customer rows for {expected} customers");
    }

    [Fact]
    public async Task Registering_customer_webhooks_twice_creates_them_once()
    {
        var webhooks = new WebhookSubscriptionClient(emulator.Admin);
        var callback = new Uri($"http://127.0.0.1:9/hooks/{Guid.NewGuid():N}");

        var first = await webhooks.RegisterCustomerWebhooksAsync(emulator.Store, callback, CancellationToken.None);
        var second = await webhooks.RegisterCustomerWebhooksAsync(emulator.Store, callback, CancellationToken.None);
        var removed = await webhooks.UnregisterCustomerWebhooksAsync(emulator.Store, callback, CancellationToken.None);

        Assert.Equal(3, first.Created.Count);
        Assert.Empty(second.Created);
        Assert.Equal(3, second.AlreadyRegistered.Count);
        Assert.Equal(3, removed);
    }

    [Fact]
    public async Task A_drained_bucket_is_waited_for_instead_of_failing()
    {
        await _customers.GetCustomerAsync(emulator.Store, 1, CancellationToken.None);
        using (var drain = await emulator.Http.PostAsync(new Uri(emulator.Emulator.BaseUrl, $"_emulator/shops/{EmulatorFixture.Shop}/throttle/drain"), null))
        {
            drain.EnsureSuccessStatusCode();
        }

        var clock = Stopwatch.StartNew();
        var page = new List<ShopifyCustomer>();
        await foreach (var customer in _customers.GetCustomersUpdatedSinceAsync(emulator.Store, DateTimeOffset.UnixEpoch, CancellationToken.None))
        {
            page.Add(customer);
        }

        Assert.NotEmpty(page);
        // A 752-point page on an empty Standard bucket (100 points/s) needs several seconds of refill.
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(2), $"finished after {clock.Elapsed}");
    }
}
