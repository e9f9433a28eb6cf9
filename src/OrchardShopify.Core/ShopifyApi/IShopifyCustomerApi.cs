using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>
/// The customer operations the outbound sync needs from a store's Admin API. Implemented by the GraphQL
/// Admin client; errors surface as <see cref="ShopifyApiException"/> subclasses.
/// </summary>
public interface IShopifyCustomerApi
{
    Task<ShopifyCustomer?> GetCustomerAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken);

    /// <summary>The customer whose email equals <paramref name="email"/> exactly (case-insensitive), or null.</summary>
    Task<ShopifyCustomer?> FindCustomerByEmailAsync(ShopifyStore store, string email, CancellationToken cancellationToken);

    /// <summary>The customer whose phone equals the E.164 <paramref name="e164Phone"/>, or null.</summary>
    Task<ShopifyCustomer?> FindCustomerByPhoneAsync(ShopifyStore store, string e164Phone, CancellationToken cancellationToken);

    Task<ShopifyCustomer> CreateCustomerAsync(ShopifyStore store, CustomerProfile profile, CancellationToken cancellationToken);

    /// <summary>Sends only <paramref name="fields"/> of <paramref name="profile"/>.</summary>
    Task<ShopifyCustomer> UpdateCustomerAsync(ShopifyStore store, long customerId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken);
}

/// <summary>A customer as the Admin API returned it.</summary>
public sealed record ShopifyCustomer(long Id, CustomerProfile Profile, DateTimeOffset UpdatedAt)
{
    /// <summary>Shopify's <c>verifiedEmail</c>: the customer proved the address; null when not read.</summary>
    public bool? VerifiedEmail { get; init; }

    /// <summary>The commerce signals, when the document selected them (<c>tags</c> among them); else null.</summary>
    public CustomerSignals? Signals { get; init; }
}

/// <summary>A failed Admin API call. The message names the store and operation and never holds a token.</summary>
public class ShopifyApiException : Exception
{
    public ShopifyApiException(string storeHandle, string operation, string message, bool isTransient, Exception? innerException = null)
        : base($"Shopify store '{storeHandle}', {operation}: {message}", innerException)
    {
        StoreHandle = storeHandle;
        Operation = operation;
        ShopifyMessage = message;
        IsTransient = isTransient;
    }

    public ShopifyApiException()
    {
        StoreHandle = Operation = ShopifyMessage = "";
    }

    public ShopifyApiException(string message)
        : base(message)
    {
        StoreHandle = Operation = "";
        ShopifyMessage = message;
    }

    public ShopifyApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        StoreHandle = Operation = "";
        ShopifyMessage = message;
    }

    public string StoreHandle { get; }

    public string Operation { get; }

    public string ShopifyMessage { get; }

    /// <summary>True when trying again later may succeed (throttling, 5xx, timeouts).</summary>
    public bool IsTransient { get; }
}

public enum ShopifyUserErrorCode
{
    Other,
    EmailTaken,
    PhoneTaken,
    Invalid,
    Blank,
}

/// <summary>Shopify refused the input (<c>userErrors</c>). Not transient: retrying the same input fails again.</summary>
public sealed class ShopifyUserErrorException : ShopifyApiException
{
    public ShopifyUserErrorException(string storeHandle, string operation, ShopifyUserErrorCode code, string? field, string message)
        : base(storeHandle, operation, field is null ? message : $"{field}: {message}", isTransient: false)
    {
        Code = code;
        Field = field;
    }

    public ShopifyUserErrorException()
    {
    }

    public ShopifyUserErrorException(string message)
        : base(message)
    {
    }

    public ShopifyUserErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ShopifyUserErrorCode Code { get; }

    public string? Field { get; }
}
