using System.Text.Json;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>The customer's addresses: add, change, make default and delete over the Admin API's address mutations.</summary>
public sealed partial class ShopifyCustomerClient
{
    /// <summary>
    /// Adds an address to the customer (<c>customerAddressCreate</c>), made the default one when
    /// <paramref name="setAsDefault"/>. Shopify's refusals come back as <see cref="ShopifyAddressResult.UserErrors"/>.
    /// After a failure Shopify may still have applied, an identical address of the customer is taken as the result
    /// instead of sending again, so a retry never adds it twice.
    /// </summary>
    public Task<ShopifyAddressResult> CreateAddressAsync(ShopifyStore store, long customerId, ShopifyAddressInput address, bool setAsDefault, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(address);
        var request = new ShopifyRequest(
            ShopifyDocument.CustomerAddressCreate,
            Vars(("customerId", ShopifyGid.Customer(customerId)), ("address", address.ToGraphQL()), ("setAsDefault", setAsDefault)),
            ShopifyQueryCost.Mutation);
        return _client.ExecuteAsync(
            store,
            request,
            data => ReadAddressMutation(data, "customerAddressCreate", store.Handle, request.Operation),
            cancellationToken,
            checkApplied: ct => FindCreatedAddressAsync(store, customerId, address, ct));
    }

    /// <summary>
    /// Changes the given fields of one of the customer's addresses (<c>customerAddressUpdate</c>); fields left null are
    /// not sent and stay as they are. An empty <paramref name="address"/> with <paramref name="setAsDefault"/> only
    /// makes the address the default one.
    /// </summary>
    public Task<ShopifyAddressResult> UpdateAddressAsync(ShopifyStore store, long customerId, string addressId, ShopifyAddressInput address, bool setAsDefault, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(addressId);
        ArgumentNullException.ThrowIfNull(address);
        var variables = Vars(("customerId", ShopifyGid.Customer(customerId)), ("addressId", addressId), ("address", address.ToGraphQL()));
        if (setAsDefault)
        {
            variables["setAsDefault"] = true;
        }

        var request = new ShopifyRequest(ShopifyDocument.CustomerAddressUpdate, variables, ShopifyQueryCost.Mutation);

        // An update is idempotent: repeating it after an ambiguous failure writes the same values.
        return _client.ExecuteAsync(store, request, data => ReadAddressMutation(data, "customerAddressUpdate", store.Handle, request.Operation), cancellationToken);
    }

    /// <summary>
    /// Deletes one of the customer's addresses (<c>customerAddressDelete</c>). A delete is not idempotent (sent again
    /// after Shopify applied it, it is refused: the address does not exist): after a failure Shopify may still have
    /// applied, the customer's addresses are read, and an address no longer among them is taken as deleted instead of
    /// sending again. The caller knows the address was the customer's before (it never sends another's).
    /// </summary>
    public Task<ShopifyAddressResult> DeleteAddressAsync(ShopifyStore store, long customerId, string addressId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(addressId);
        var request = new ShopifyRequest(
            ShopifyDocument.CustomerAddressDelete,
            Vars(("customerId", ShopifyGid.Customer(customerId)), ("addressId", addressId)),
            ShopifyQueryCost.Mutation);
        return _client.ExecuteAsync(
            store,
            request,
            data => ReadAddressMutation(data, "customerAddressDelete", store.Handle, request.Operation),
            cancellationToken,
            checkApplied: ct => FindDeletedAddressAsync(store, customerId, addressId, ct));
    }

    internal static ShopifyAddressResult ReadAddressMutation(JsonElement data, string field, string storeHandle, string operation)
    {
        var payload = data.GetObjectOrNull(field) ?? throw new ShopifyApiException(storeHandle, operation, $"the response has no {field} payload", isTransient: false);
        var errors = payload.TryGetProperty("userErrors", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => new ShopifyFieldError(
                e.TryGetProperty("field", out var path) && path.ValueKind == JsonValueKind.Array ? [.. path.EnumerateArray().Select(p => p.ToString())] : [],
                e.GetStringOrNull("message") ?? "")).ToList()
            : [];
        var address = payload.GetObjectOrNull("address") is { } a ? ReadAddress(a) : null;
        var deleted = payload.GetStringOrNull("deletedAddressId");
        if (errors.Count == 0 && address is null && deleted is null)
        {
            throw new ShopifyApiException(storeHandle, operation, "Shopify returned neither an address nor an error", isTransient: false);
        }

        return new ShopifyAddressResult(address, deleted, errors);
    }

    /// <summary>The delete's result when the address is no longer among the customer's (every page read); null when it still is.</summary>
    private async Task<ShopifyAddressResult?> FindDeletedAddressAsync(ShopifyStore store, long customerId, string addressId, CancellationToken cancellationToken)
    {
        var wanted = ShopifyGid.ParseId(addressId);
        string? after = null;
        for (var page = 0; page < 100; page++)
        {
            var addresses = await GetAddressesAsync(store, customerId, MaxPageSize, after, cancellationToken).ConfigureAwait(false);
            if (addresses.Items.Any(a => ShopifyGid.ParseId(a.Id) == wanted))
            {
                return null;
            }

            if (!addresses.HasNextPage || addresses.EndCursor is null)
            {
                return new ShopifyAddressResult(null, addressId, []);
            }

            after = addresses.EndCursor;
        }

        return null;
    }

    private async Task<ShopifyAddressResult?> FindCreatedAddressAsync(ShopifyStore store, long customerId, ShopifyAddressInput address, CancellationToken cancellationToken)
    {
        var wanted = address.ToGraphQL();
        var page = await GetAddressesAsync(store, customerId, MaxPageSize, null, cancellationToken).ConfigureAwait(false);
        var same = page.Items.FirstOrDefault(a => wanted.All(p => string.Equals(ValueOf(a, p.Key), p.Value as string, StringComparison.OrdinalIgnoreCase)));
        return same is null ? null : new ShopifyAddressResult(same, null, []);

        static string? ValueOf(ShopifyMailingAddress a, string name) => name switch
        {
            "firstName" => a.FirstName,
            "lastName" => a.LastName,
            "company" => a.Company,
            "address1" => a.Address1,
            "address2" => a.Address2,
            "city" => a.City,
            "provinceCode" => a.ProvinceCode,
            "countryCode" => a.CountryCode,
            "zip" => a.Zip,
            "phone" => a.Phone,
            _ => null,
        };
    }
}
