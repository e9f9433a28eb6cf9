using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.Core.Tests.Sync;

/// <summary>The engine's sync events where a host stores without a transaction of its own, and the dispatcher's buffer.</summary>
public sealed class SyncEventTests
{
    private static readonly byte[] SteveCreate = SyncHarness.Payload("customers-create-steve-lastnameson.json");

    [Fact]
    public async Task Without_a_buffer_events_are_raised_when_the_delivery_is_applied_and_redactions_name_the_linked_user_or_only_the_store()
    {
        var heard = new ConcurrentQueue<ShopifySyncEvent>();
        using var harness = Harness(heard);

        var created = await harness.DeliverAsync("customers/create", SteveCreate, webhookId: "wh-core-create");
        var raised = Assert.Single(heard);
        Assert.Equal((ShopifySyncEventKind.Created, "uk", (long?)1073339470, created.UserId, "wh-core-create"), (raised.Kind, raised.StoreHandle, raised.CustomerId, raised.UserId, raised.DeliveryId));

        // customers/redact of the linked customer names the user it was linked to; it raises no Unlinked besides.
        await harness.DeliverAsync("customers/redact", SyncHarness.Payload("customers-redact.json"), webhookId: "wh-core-redact");
        var erased = heard.Last();
        Assert.Equal((ShopifySyncEventKind.Redacted, (long?)1073339470, created.UserId, "wh-core-redact"), (erased.Kind, erased.CustomerId, erased.UserId, erased.DeliveryId));
        Assert.Empty(harness.Links.All);

        await harness.DeliverAsync("shop/redact", SyncHarness.Payload("shop-redact.json"), webhookId: "wh-core-shop-redact");

        var redacted = heard.Last();
        Assert.Equal((ShopifySyncEventKind.Redacted, "uk", (long?)null, (string?)null, "wh-core-shop-redact"), (redacted.Kind, redacted.StoreHandle, redacted.CustomerId, redacted.UserId, redacted.DeliveryId));
        Assert.Equal(3, heard.Count);
        Assert.NotNull(harness.Users.All.SingleOrDefault(u => u.Id == created.UserId));
    }

    [Fact]
    public async Task A_buffer_holds_the_events_until_the_host_dispatches_them_and_clearing_it_drops_them()
    {
        var heard = new ConcurrentQueue<ShopifySyncEvent>();
        using var harness = Harness(heard);
        var dispatcher = harness.Services.GetRequiredService<ShopifySyncEventDispatcher>();

        using (var held = ShopifySyncEventDispatcher.Defer())
        {
            await harness.DeliverAsync("customers/create", SteveCreate, webhookId: "wh-core-held");
            Assert.Empty(heard);
            Assert.Equal(1, held.Count);
            held.Dispose();
            await dispatcher.DispatchAsync(held, CancellationToken.None);
        }

        Assert.Equal("wh-core-held", Assert.Single(heard).DeliveryId);

        using (var dropped = ShopifySyncEventDispatcher.Defer())
        {
            await harness.DeliverAsync("customers/delete", SyncHarness.Payload("customers-delete.json"), webhookId: "wh-core-dropped");
            dropped.Clear();
            dropped.Dispose();
            await dispatcher.DispatchAsync(dropped, CancellationToken.None);
        }

        Assert.Single(heard);
    }

    [Theory]
    [InlineData("This app is not approved to subscribe to webhook topics containing protected customer data. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.")]
    [InlineData("webhookSubscription: This app is not approved to subscribe to webhook topics containing protected customer data. See https://partners.shopify.com/1794367/apps/45290389505/customer_data for more details.")]
    [InlineData("This app is not approved to access the Customer object. See https://partners.shopify.com/123/apps/456/customer_data for more details.")]
    [InlineData("This app is not approved to use the phoneNumber field. See https://partners.shopify.com/123/apps/456/customer_data for more details.")]
    public void Shopifys_protected_customer_data_refusals_are_recognised(string message)
    {
        Assert.True(ProtectedCustomerData.IsRefusal(message));
        Assert.True(ProtectedCustomerData.IsRefusal(new InvalidOperationException("Import failed", new ShopifyApiException("uk", "CustomerSearch", message, isTransient: false))));
        Assert.EndsWith(ProtectedCustomerData.RequestDocumentationUrl, ProtectedCustomerData.Explain("uk", message), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Access denied for customers field. Required access: `read_customers` access scope.")]
    [InlineData("access denied (HTTP 401); check the store's access token and its scopes")]
    [InlineData(null)]
    public void Other_refusals_are_not_taken_for_protected_customer_data(string? message)
        => Assert.False(ProtectedCustomerData.IsRefusal(message));

    private static SyncHarness Harness(ConcurrentQueue<ShopifySyncEvent> heard) => SyncHarness.SingleStore(
        o => o.CreateUsersFromShopify = true,
        b =>
        {
            b.Services.AddSingleton(heard);
            b.AddSyncEventHandler<Recorder>();
        });

    private sealed class Recorder(ConcurrentQueue<ShopifySyncEvent> heard) : IShopifySyncEventHandler
    {
        public Task HandleAsync(ShopifySyncEvent syncEvent, CancellationToken cancellationToken)
        {
            heard.Enqueue(syncEvent);
            return Task.CompletedTask;
        }
    }
}
