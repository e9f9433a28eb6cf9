using System.Collections.Concurrent;
using System.Reflection;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>A GraphQL Admin API document embedded from <c>ShopifyApi/Documents/{Name}.graphql</c>.</summary>
internal sealed record ShopifyDocument(string Name, string Text)
{
    private static readonly ConcurrentDictionary<string, ShopifyDocument> Loaded = new(StringComparer.Ordinal);

    public static ShopifyDocument CustomerById => Load(nameof(CustomerById));

    public static ShopifyDocument CustomerSearch => Load(nameof(CustomerSearch));

    public static ShopifyDocument CustomersUpdatedSince => Load(nameof(CustomersUpdatedSince));

    public static ShopifyDocument CustomerCreate => Load(nameof(CustomerCreate));

    public static ShopifyDocument CustomerUpdate => Load(nameof(CustomerUpdate));

    public static ShopifyDocument CustomerView => Load(nameof(CustomerView));

    public static ShopifyDocument CustomerAddresses => Load(nameof(CustomerAddresses));

    public static ShopifyDocument CustomerOrders => Load(nameof(CustomerOrders));

    public static ShopifyDocument CustomerAddressCreate => Load(nameof(CustomerAddressCreate));

    public static ShopifyDocument CustomerAddressUpdate => Load(nameof(CustomerAddressUpdate));

    public static ShopifyDocument CustomerAddressDelete => Load(nameof(CustomerAddressDelete));

    public static ShopifyDocument BulkOperationRunQuery => Load(nameof(BulkOperationRunQuery));

    public static ShopifyDocument BulkOperationStatus => Load(nameof(BulkOperationStatus));

    public static ShopifyDocument BulkCustomersExport => Load(nameof(BulkCustomersExport));

    public static ShopifyDocument BulkCustomerProfilesExport => Load(nameof(BulkCustomerProfilesExport));

    public static ShopifyDocument ShopInfo => Load(nameof(ShopInfo));

    public static ShopifyDocument WebhookSubscriptions => Load(nameof(WebhookSubscriptions));

    public static ShopifyDocument WebhookSubscriptionCreate => Load(nameof(WebhookSubscriptionCreate));

    public static ShopifyDocument WebhookSubscriptionDelete => Load(nameof(WebhookSubscriptionDelete));

    /// <summary>The operation named like the file; Shopify needs it when a document also holds fragments.</summary>
    public string OperationName => Name;

    public static ShopifyDocument Load(string name) => Loaded.GetOrAdd(name, static n =>
    {
        var resource = $"OrchardShopify.Core.ShopifyApi.Documents.{n}.graphql";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The GraphQL document '{resource}' is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}.");
        using var reader = new StreamReader(stream);
        return new ShopifyDocument(n, reader.ReadToEnd());
    });
}

/// <summary>One GraphQL call: the document, its variables and what it is expected to cost.</summary>
/// <param name="EstimatedCost">
/// Shopify's requested cost for the call: 1 per object, connections 2 + page size × the cost of a node,
/// mutations 10. Used to wait for the bucket before sending; the response's actual cost is refunded.
/// </param>
internal sealed record ShopifyRequest(ShopifyDocument Document, IReadOnlyDictionary<string, object?> Variables, int EstimatedCost)
{
    public string Operation => Document.Name;
}

/// <summary>Cost estimates for the documents; page sizes are capped so that no call exceeds Shopify's 1,000 point limit.</summary>
internal static class ShopifyQueryCost
{
    public const int Mutation = 10;

    /// <summary>Customer with its email and phone objects.</summary>
    public const int Customer = 3;

    public static int CustomerConnection(int first) => 2 + (first * Customer);

    /// <summary>Customer with its email and phone objects and the commerce signals (<c>amountSpent</c> is one more object).</summary>
    public const int CustomerWithSignals = Customer + 1;

    public static int CustomerWithSignalsConnection(int first) => 2 + (first * CustomerWithSignals);

    public static int CustomerView => 10;

    public static int AddressConnection(int first) => 1 + 1 + 2 + first;

    /// <summary>An order with four money bags (2 each) and a line-item connection of money-bearing items (3 each).</summary>
    public static int OrderConnection(int first, int lineItemsFirst) => 1 + 2 + (first * (1 + 8 + 2 + (lineItemsFirst * 3)));

    public static int WebhookConnection(int first) => 2 + first;
}
