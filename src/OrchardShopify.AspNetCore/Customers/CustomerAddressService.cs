using System.Globalization;
using Microsoft.Extensions.Logging;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Customers;

/// <summary>The Admin API address mutations behind <see cref="CustomerAddressService"/>; the GraphQL client in production.</summary>
public interface IShopifyCustomerAddresses
{
    Task<ShopifyAddressResult> CreateAddressAsync(ShopifyStore store, long customerId, ShopifyAddressInput address, bool setAsDefault, CancellationToken cancellationToken);

    Task<ShopifyAddressResult> UpdateAddressAsync(ShopifyStore store, long customerId, string addressId, ShopifyAddressInput address, bool setAsDefault, CancellationToken cancellationToken);

    Task<ShopifyAddressResult> DeleteAddressAsync(ShopifyStore store, long customerId, string addressId, CancellationToken cancellationToken);
}

internal sealed class GraphQLCustomerAddresses(ShopifyCustomerClient client) : IShopifyCustomerAddresses
{
    public Task<ShopifyAddressResult> CreateAddressAsync(ShopifyStore store, long customerId, ShopifyAddressInput address, bool setAsDefault, CancellationToken cancellationToken)
        => client.CreateAddressAsync(store, customerId, address, setAsDefault, cancellationToken);

    public Task<ShopifyAddressResult> UpdateAddressAsync(ShopifyStore store, long customerId, string addressId, ShopifyAddressInput address, bool setAsDefault, CancellationToken cancellationToken)
        => client.UpdateAddressAsync(store, customerId, addressId, address, setAsDefault, cancellationToken);

    public Task<ShopifyAddressResult> DeleteAddressAsync(ShopifyStore store, long customerId, string addressId, CancellationToken cancellationToken)
        => client.DeleteAddressAsync(store, customerId, addressId, cancellationToken);
}

/// <summary>
/// The signed-in user's own Shopify addresses: add, edit, delete, make default. The customer is always the user's stored
/// link for the store, never an id from the request; an address id is acted on only when it is one of that customer's
/// addresses (read from Shopify, not from the cache); only a user who confirmed the identity the link rests on may change
/// anything (<see cref="CustomerMatching.MayChangeLinkedCustomer"/>). After a change the customer's cached reads are
/// dropped; the <c>customers/update</c> webhook Shopify sends next drops them again and changes nothing on the user.
/// </summary>
public sealed partial class CustomerAddressService
{
    /// <summary>Longest value accepted for one address field.</summary>
    public const int MaxFieldLength = 255;

    private readonly StoreRegistry _stores;
    private readonly ICustomerLinkStore _links;
    private readonly IUserDirectory _users;
    private readonly IShopifyCustomerReads _reads;
    private readonly IShopifyCustomerAddresses _addresses;
    private readonly CustomerViewCache _cache;
    private readonly ILogger<CustomerAddressService> _logger;

    internal CustomerAddressService(
        StoreRegistry stores,
        ICustomerLinkStore links,
        IUserDirectory users,
        IShopifyCustomerReads reads,
        IShopifyCustomerAddresses addresses,
        CustomerViewCache cache,
        ILogger<CustomerAddressService> logger)
    {
        _stores = stores;
        _links = links;
        _users = users;
        _reads = reads;
        _addresses = addresses;
        _cache = cache;
        _logger = logger;
    }

    /// <exception cref="UnknownStoreException">The store handle names no enabled store.</exception>
    public async Task<AddressChangeResult> CreateAsync(string userId, string? storeHandle, ShopifyAddressInput address, bool setAsDefault, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var (store, customerId, refused) = await AuthorizeAsync(userId, storeHandle, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var invalid = Validate(address, creating: true);
        if (invalid.Count > 0)
        {
            return AddressChangeResult.Invalid(store.Handle, invalid);
        }

        return await ApplyAsync(store, customerId, "create", ct => _addresses.CreateAddressAsync(store, customerId, address, setAsDefault, ct), cancellationToken);
    }

    /// <summary>
    /// Changes the posted fields of one of the user's addresses; a blank or missing field is left as it is. No field
    /// but <paramref name="setAsDefault"/> only makes the address the default one.
    /// </summary>
    public Task<AddressChangeResult> UpdateAsync(string userId, string? storeHandle, string addressId, ShopifyAddressInput address, bool setAsDefault, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsEmpty && setAsDefault)
        {
            return SetDefaultAsync(userId, storeHandle, addressId, cancellationToken);
        }

        return ChangeOwnAddressAsync(userId, storeHandle, addressId, "update", address,
            (store, customerId, owned, ct) => _addresses.UpdateAddressAsync(store, customerId, owned, address, setAsDefault, ct), cancellationToken);
    }

    public Task<AddressChangeResult> SetDefaultAsync(string userId, string? storeHandle, string addressId, CancellationToken cancellationToken)
        => ChangeOwnAddressAsync(userId, storeHandle, addressId, "default", posted: null,
            (store, customerId, owned, ct) => _addresses.UpdateAddressAsync(store, customerId, owned, new ShopifyAddressInput(), setAsDefault: true, ct), cancellationToken);

    public Task<AddressChangeResult> DeleteAsync(string userId, string? storeHandle, string addressId, CancellationToken cancellationToken)
        => ChangeOwnAddressAsync(userId, storeHandle, addressId, "delete", posted: null,
            (store, customerId, owned, ct) => _addresses.DeleteAddressAsync(store, customerId, owned, ct), cancellationToken);

    /// <summary>
    /// The numeric part of an address id as the pages and the JSON show it: <c>123</c> or
    /// <c>gid://shopify/MailingAddress/123?model_name=CustomerAddress</c>; null when it is neither.
    /// </summary>
    public static long? ParseAddressId(string? addressId)
    {
        if (string.IsNullOrWhiteSpace(addressId) || addressId.Length > 200)
        {
            return null;
        }

        var text = addressId.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var plain))
        {
            return plain > 0 ? plain : null;
        }

        if (!ShopifyGid.IsOfType(text, "MailingAddress"))
        {
            return null;
        }

        try
        {
            var id = ShopifyGid.ParseId(text);
            return id > 0 ? id : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Checks made before Shopify is called: lengths, a two-letter country code, and on create a first line and a country.</summary>
    internal static IReadOnlyList<ShopifyFieldError> Validate(ShopifyAddressInput address, bool creating)
    {
        var errors = new List<ShopifyFieldError>();
        foreach (var (name, value) in address.ToGraphQL())
        {
            if (value is string text && text.Length > MaxFieldLength)
            {
                errors.Add(Error(name, $"{Label(name)} is too long (maximum is {MaxFieldLength} characters)"));
            }
        }

        var fields = address.ToGraphQL();
        if (fields.TryGetValue("countryCode", out var code) && code is string country && (country.Length != 2 || !country.All(char.IsAsciiLetterUpper)))
        {
            errors.Add(Error("countryCode", "Country must be a two-letter country code (such as GB or US)"));
        }

        if (creating)
        {
            if (!fields.ContainsKey("address1"))
            {
                errors.Add(Error("address1", "Address can't be blank"));
            }

            if (!fields.ContainsKey("countryCode"))
            {
                errors.Add(Error("countryCode", "Country can't be blank"));
            }
        }
        else if (address.IsEmpty)
        {
            errors.Add(new ShopifyFieldError(["address"], "Nothing to change: every field was empty"));
        }

        return errors;

        static ShopifyFieldError Error(string field, string message) => new(["address", field], message);
    }

    private static string Label(string field) => field switch
    {
        "address1" => "Address",
        "address2" => "Apartment, suite, etc.",
        "firstName" => "First name",
        "lastName" => "Last name",
        "provinceCode" => "Province",
        "countryCode" => "Country",
        _ => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(field),
    };

    private async Task<(ShopifyStore Store, long CustomerId, AddressChangeResult? Refused)> AuthorizeAsync(string userId, string? storeHandle, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var store = _stores.ResolveForTemplate(storeHandle);
        var link = (await _links.FindByUserAsync(userId, cancellationToken))
            .FirstOrDefault(l => string.Equals(l.StoreHandle, store.Handle, StringComparison.OrdinalIgnoreCase));
        if (link is null)
        {
            return (store, 0, AddressChangeResult.NotLinked(store.Handle));
        }

        var user = await _users.FindByIdAsync(userId, cancellationToken);
        if (user is null || !CustomerMatching.MayChangeLinkedCustomer(user, _stores.Options))
        {
            Log.Unverified(_logger, userId, store.Handle);
            return (store, link.CustomerId, AddressChangeResult.Unverified(store.Handle));
        }

        return (store, link.CustomerId, null);
    }


    /// <summary>
    /// An address change on one of the user's own addresses: the user's link and verified identity first, then the posted
    /// fields (<paramref name="posted"/>, when there are some), then the address must be one of the linked customer's.
    /// </summary>
    private async Task<AddressChangeResult> ChangeOwnAddressAsync(
        string userId,
        string? storeHandle,
        string addressId,
        string action,
        ShopifyAddressInput? posted,
        Func<ShopifyStore, long, string, CancellationToken, Task<ShopifyAddressResult>> change,
        CancellationToken cancellationToken)
    {
        var (store, customerId, refused) = await AuthorizeAsync(userId, storeHandle, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        if (posted is not null && Validate(posted, creating: false) is { Count: > 0 } invalid)
        {
            return AddressChangeResult.Invalid(store.Handle, invalid);
        }

        var owned = await FindOwnAddressAsync(store, customerId, addressId, cancellationToken);
        if (owned is null)
        {
            return AddressChangeResult.AddressNotFound(store.Handle, addressId);
        }

        return await ApplyAsync(store, customerId, action, ct => change(store, customerId, owned.Id, ct), cancellationToken);
    }

    /// <summary>The customer's address with that id, read from Shopify (every page), or null: an id of another customer is never sent.</summary>
    private async Task<ShopifyMailingAddress?> FindOwnAddressAsync(ShopifyStore store, long customerId, string addressId, CancellationToken cancellationToken)
    {
        if (ParseAddressId(addressId) is not { } wanted)
        {
            return null;
        }

        string? after = null;
        for (var page = 0; page < 100; page++)
        {
            var addresses = await _reads.GetAddressesAsync(store, customerId, ShopifyCustomerClient.MaxPageSize, after, cancellationToken);
            var match = addresses.Items.FirstOrDefault(a => ParseAddressId(a.Id) == wanted);
            if (match is not null || !addresses.HasNextPage || addresses.EndCursor is null)
            {
                return match;
            }

            after = addresses.EndCursor;
        }

        return null;
    }

    private async Task<AddressChangeResult> ApplyAsync(ShopifyStore store, long customerId, string action, Func<CancellationToken, Task<ShopifyAddressResult>> mutate, CancellationToken cancellationToken)
    {
        ShopifyAddressResult result;
        try
        {
            result = await mutate(cancellationToken);
        }
        catch (ShopifyApiException refused) when (!refused.IsTransient && refused.ShopifyMessage.Contains("countryCode", StringComparison.Ordinal))
        {
            // Shopify checks countryCode against its CountryCode enum before running the mutation.
            return AddressChangeResult.Invalid(store.Handle, [new ShopifyFieldError(["address", "countryCode"], "Shopify does not know this country code")]);
        }
        finally
        {
            // Whatever happened, the next read asks Shopify again.
            _cache.Invalidate(store.Handle, customerId);
        }

        if (!result.Succeeded)
        {
            var errors = string.Join("; ", result.UserErrors.Select(e => $"{string.Join('.', e.Field)}: {e.Message}"));
            Log.Refused(_logger, action, store.Handle, customerId, errors);
            return AddressChangeResult.Invalid(store.Handle, result.UserErrors);
        }

        Log.Changed(_logger, action, store.Handle, customerId);
        return AddressChangeResult.Saved(store.Handle, result.Address, result.DeletedAddressId);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Address {Action} for customer {CustomerId} of store {Store} applied in Shopify")]
        public static partial void Changed(ILogger logger, string action, string store, long customerId);

        [LoggerMessage(Level = LogLevel.Information, Message = "Address {Action} for customer {CustomerId} of store {Store} refused by Shopify: {Errors}")]
        public static partial void Refused(ILogger logger, string action, string store, long customerId, string errors);

        [LoggerMessage(Level = LogLevel.Warning, Message = "User {UserId} may not change the addresses of its customer in store {Store}: the identity the link rests on is not confirmed")]
        public static partial void Unverified(ILogger logger, string userId, string store);
    }
}

public enum AddressChangeStatus
{
    /// <summary>Shopify applied the change.</summary>
    Saved,

    /// <summary>Refused before or by Shopify; <see cref="AddressChangeResult.Errors"/> says which field and why.</summary>
    Invalid,

    /// <summary>The user has no link to a customer of the store.</summary>
    NotLinked,

    /// <summary>The user has not confirmed the email (or phone) the link rests on.</summary>
    Unverified,

    /// <summary>The address id is not one of the user's customer's addresses.</summary>
    AddressNotFound,
}

/// <summary>The outcome of an address change; <see cref="Errors"/> carries Shopify's <c>userErrors</c> (or the same shape for checks made first).</summary>
public sealed record AddressChangeResult(AddressChangeStatus Status, string StoreHandle, ShopifyMailingAddress? Address, string? DeletedAddressId, IReadOnlyList<ShopifyFieldError> Errors)
{
    public bool Succeeded => Status == AddressChangeStatus.Saved;

    /// <summary>The errors keyed by field (<c>zip</c>, <c>countryCode</c>; <c>address</c> for the address as a whole).</summary>
    public IReadOnlyDictionary<string, string[]> ErrorsByField => Errors
        .GroupBy(e => e.FieldName ?? "address", StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal);

    internal static AddressChangeResult Saved(string store, ShopifyMailingAddress? address, string? deleted) => new(AddressChangeStatus.Saved, store, address, deleted, []);

    internal static AddressChangeResult Invalid(string store, IReadOnlyList<ShopifyFieldError> errors) => new(AddressChangeStatus.Invalid, store, null, null, errors);

    internal static AddressChangeResult NotLinked(string store) => new(AddressChangeStatus.NotLinked, store, null, null, []);

    internal static AddressChangeResult Unverified(string store) => new(AddressChangeStatus.Unverified, store, null, null, []);

    internal static AddressChangeResult AddressNotFound(string store, string? addressId) => new(AddressChangeStatus.AddressNotFound, store, null, null, [new ShopifyFieldError(["addressId"], $"'{addressId}' is not one of your addresses in store '{store}'")]);
}
