using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.AspNetCore.Customers;

/// <summary>The Admin API reads behind customer pages; the GraphQL client in production, a fake in tests.</summary>
public interface IShopifyCustomerReads
{
    Task<ShopifyCustomerView?> GetCustomerViewAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken);

    Task<ShopifyPage<ShopifyMailingAddress>> GetAddressesAsync(ShopifyStore store, long customerId, int first, string? after, CancellationToken cancellationToken);

    Task<ShopifyPage<ShopifyOrder>> GetOrdersAsync(ShopifyStore store, long customerId, OrderStatusFilter status, int first, string? after, CancellationToken cancellationToken);
}

internal sealed class GraphQLCustomerReads(ShopifyCustomerClient client) : IShopifyCustomerReads
{
    public Task<ShopifyCustomerView?> GetCustomerViewAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
        => client.GetCustomerViewAsync(store, customerId, cancellationToken);

    public Task<ShopifyPage<ShopifyMailingAddress>> GetAddressesAsync(ShopifyStore store, long customerId, int first, string? after, CancellationToken cancellationToken)
        => client.GetAddressesAsync(store, customerId, first, after, cancellationToken);

    public Task<ShopifyPage<ShopifyOrder>> GetOrdersAsync(ShopifyStore store, long customerId, OrderStatusFilter status, int first, string? after, CancellationToken cancellationToken)
        => client.GetOrdersAsync(store, customerId, status, first, after, cancellationToken);
}
