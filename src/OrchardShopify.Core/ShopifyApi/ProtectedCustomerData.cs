using System.Text.RegularExpressions;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>
/// Shopify's refusals for an app not approved for protected customer data, recognised so that a merchant reads what is
/// missing and what to request instead of a raw error. Shopify's words, from its documentation
/// (https://shopify.dev/docs/apps/launch/protected-customer-data, "Using protected customer data") and real responses
/// (Shopify/cli#3443 and #6485, statamic-rad-pack/shopify#333, kinngh/shopify-node-express-mongodb-app#84):
/// <list type="bullet">
/// <item>webhookSubscriptionCreate's user error: "This app is not approved to subscribe to webhook topics containing protected customer data. See … for more details."</item>
/// <item>a refused object or field (null in <c>data</c>, the error in <c>errors</c> with its path): "This app is not approved to access the Customer object. See … for more details."</item>
/// <item>a refused field in Shopify's other APIs: "This app is not approved to use the phoneNumber field. See … for more details."</item>
/// </list>
/// </summary>
public static partial class ProtectedCustomerData
{
    /// <summary>Shopify's page on what to request and how (Partner Dashboard or Dev Dashboard › API access › Protected customer data access).</summary>
    public const string RequestDocumentationUrl = "https://shopify.dev/docs/apps/launch/protected-customer-data";

    /// <summary>
    /// The Admin API access scopes the module uses: <c>read_customers</c> (webhooks, imports, the account page),
    /// <c>write_customers</c> (pushing users, addresses) and <c>read_orders</c> (the order history of the account page,
    /// the Liquid orders tag and the headless JSON; Shopify shows the last 60 days unless <c>read_all_orders</c> is granted too).
    /// </summary>
    public static IReadOnlyList<string> RequiredScopes { get; } = ["read_customers", "write_customers", "read_orders"];

    /// <summary>True when <paramref name="shopifyMessage"/> is Shopify refusing protected customer data.</summary>
    public static bool IsRefusal(string? shopifyMessage) => shopifyMessage is not null && RefusalPattern().IsMatch(shopifyMessage);

    /// <summary>True when <paramref name="exception"/> (or what it wraps) is such a refusal.</summary>
    public static bool IsRefusal(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is ShopifyApiException api ? IsRefusal(api.ShopifyMessage) : IsRefusal(current.Message))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What the refusal means and what the merchant requests, in plain words, ending with <see cref="RequestDocumentationUrl"/>.</summary>
    public static string Explain(string storeHandle, string? shopifyMessage)
    {
        var refused = shopifyMessage is not null && shopifyMessage.Contains("webhook topics", StringComparison.OrdinalIgnoreCase)
            ? "the customer webhooks (customers/create, customers/update, customers/delete)"
            : "customers' names, emails, phone numbers and addresses";
        return $"Store {storeHandle}: Shopify has not approved this app for protected customer data, so it refuses {refused}. "
            + "In the app's settings (Shopify Partner Dashboard or Dev Dashboard › API access › Protected customer data access), "
            + "request access to protected customer data (Level 1) and to the Name, Email, Phone and Address fields (Level 2), "
            + "give the reasons (syncing customer accounts with the site), and save; an app for other merchants' stores also needs Shopify's review. "
            + $"Then try again. What to request and why: {RequestDocumentationUrl}";
    }

    [GeneratedRegex(@"not approved to (subscribe to webhook topics containing protected customer data|access the Customer object|use the \w+ field)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RefusalPattern();
}
