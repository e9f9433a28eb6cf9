using System.Text.Json.Serialization;

namespace OrchardShopify.Emulator.Control;

/// <summary>What Shopify has approved the app to read of protected customer data (the app's Protected customer data access page).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProtectedCustomerDataAccess>))]
public enum ProtectedCustomerDataAccess
{
    /// <summary>Approved for protected customer data and the name, email, phone and address fields (what the sync needs).</summary>
    Approved,

    /// <summary>Level 1 only: customers can be read and subscribed to, but their name, email, phone and address fields are refused.</summary>
    Level1,

    /// <summary>Not approved: customer webhook subscriptions are refused and the Customer object cannot be read or written.</summary>
    NotApproved,
}

/// <summary>
/// Shopify's exact words when it refuses protected customer data, as its documentation and real responses give them:
/// https://shopify.dev/docs/apps/launch/protected-customer-data ("Using protected customer data": unapproved fields are
/// null, with "This app is not approved to access the Customer object. See … for more details." in the errors, path to
/// the field); webhookSubscriptionCreate's user error as reported in Shopify/cli#3443, Shopify/cli#6485,
/// kinngh/shopify-node-express-mongodb-app#84 and statamic-rad-pack/shopify#333 (field ["webhookSubscription"]). Shopify
/// links the app's own Partner Dashboard page or the documentation; the emulator links the documentation.
/// </summary>
public static class ProtectedCustomerDataMessages
{
    public const string DocumentationUrl = "https://shopify.dev/docs/apps/launch/protected-customer-data";

    public const string WebhookTopics = "This app is not approved to subscribe to webhook topics containing protected customer data. See " + DocumentationUrl + " for more details.";

    public const string CustomerObject = "This app is not approved to access the Customer object. See " + DocumentationUrl + " for more details.";

    /// <summary>The GraphQL error code Shopify sends with a refused field.</summary>
    public const string AccessDenied = "ACCESS_DENIED";

    /// <summary>Topics whose payloads carry protected customer data (customers and orders).</summary>
    public static bool IsProtectedTopic(string topic) =>
        topic.StartsWith("CUSTOMERS_", StringComparison.Ordinal) || topic.StartsWith("CUSTOMER_", StringComparison.Ordinal) || topic.StartsWith("ORDERS_", StringComparison.Ordinal);
}
