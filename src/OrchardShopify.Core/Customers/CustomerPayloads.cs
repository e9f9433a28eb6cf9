namespace OrchardShopify.Core.Customers;

/// <summary>The REST-shaped customer that <c>customers/create|update|enable|disable</c> webhooks carry.</summary>
public sealed record CustomerPayload(
    long Id,
    string? AdminGraphqlApiId,
    string? Email,
    string? FirstName,
    string? LastName,
    string? Phone,
    string? State,
    string? Note,
    bool? VerifiedEmail,
    bool? TaxExempt,
    string? Currency,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? UpdatedAt,
    IReadOnlyList<AddressPayload> Addresses,
    AddressPayload? DefaultAddress)
{
    /// <summary>The profile fields, with the phone as Shopify sent it.</summary>
    public CustomerProfile Profile => new(FirstName, LastName, Email, Phone);

    /// <summary>
    /// The commerce signals the payload carries (<c>orders_count</c>, <c>total_spent</c>, <c>tags</c>,
    /// <c>email_marketing_consent.state</c>, <c>state</c>, <c>verified_email</c>); null when it carries no <c>tags</c>,
    /// so a payload without them never clears stored tags.
    /// </summary>
    public CustomerSignals? Signals { get; init; }
}

public sealed record AddressPayload(
    long? Id,
    string? FirstName,
    string? LastName,
    string? Company,
    string? Address1,
    string? Address2,
    string? City,
    string? Province,
    string? ProvinceCode,
    string? Country,
    string? CountryCode,
    string? Zip,
    string? Phone,
    bool IsDefault);

/// <summary><c>customers/delete</c>: only the id survives.</summary>
public sealed record CustomerDeletePayload(long Id);

/// <summary><c>customers/redact</c> and <c>customers/data_request</c>.</summary>
public sealed record CustomerPrivacyPayload(long? ShopId, string? ShopDomain, long CustomerId, string? Email, string? Phone, IReadOnlyList<long> Orders);

/// <summary><c>shop/redact</c>.</summary>
public sealed record ShopRedactPayload(long? ShopId, string? ShopDomain);
