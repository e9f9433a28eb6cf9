using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>The shop as <c>shop { … }</c> reports it.</summary>
public sealed record ShopifyShopInfo(string Name, string MyshopifyDomain, string? CurrencyCode);

/// <summary>Reads the shop itself: the cheapest call that proves the domain, API version and access token work.</summary>
public sealed class ShopifyShopClient
{
    private readonly ShopifyAdminClient _client;

    public ShopifyShopClient(ShopifyAdminClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    public Task<ShopifyShopInfo> GetShopAsync(ShopifyStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var request = new ShopifyRequest(ShopifyDocument.ShopInfo, ShopifyCustomerClient.Vars(), 1);
        return _client.ExecuteAsync(
            store,
            request,
            data =>
            {
                var shop = data.GetObjectOrNull("shop")
                    ?? throw new ShopifyApiException(store.Handle, request.Operation, "the response has no shop", isTransient: false);
                return new ShopifyShopInfo(shop.GetRequiredString("name"), shop.GetRequiredString("myshopifyDomain"), shop.GetStringOrNull("currencyCode"));
            },
            cancellationToken);
    }

    /// <summary>
    /// Reads one customer's name, email and phone, as the sync does: throws when Shopify refuses them (an app without the
    /// <c>read_customers</c> scope, or not approved for protected customer data: <see cref="ProtectedCustomerData"/>).
    /// A store without customers proves nothing either way.
    /// </summary>
    public Task ProbeCustomerDataAsync(ShopifyStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var request = new ShopifyRequest(ShopifyDocument.CustomerSearch, ShopifyCustomerClient.Vars(("query", ""), ("first", 1)), ShopifyQueryCost.CustomerConnection(1));
        return _client.ExecuteAsync(store, request, data => data.GetProperty("customers").ToString(), cancellationToken);
    }
}
