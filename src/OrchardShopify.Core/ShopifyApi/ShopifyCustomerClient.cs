using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>Customer reads and writes over the GraphQL Admin API; the implementation of <see cref="IShopifyCustomerApi"/>.</summary>
public sealed partial class ShopifyCustomerClient : IShopifyCustomerApi
{
    /// <summary>Largest page Shopify serves.</summary>
    public const int MaxPageSize = 250;

    /// <summary>
    /// Page size of the changed-since read: customers with their commerce signals cost 4 points each, so 200 keep a page
    /// (802 points) under Shopify's 1,000 point limit per query.
    /// </summary>
    internal const int UpdatedSincePageSize = 200;

    /// <summary>Orders per page are capped so an order page with its line items stays under Shopify's 1,000 point limit.</summary>
    public const int MaxOrdersPageSize = 20;

    public const int MaxLineItemsPerOrder = 10;

    // Matches found by search are confirmed exactly, so a handful of candidates is plenty.
    private const int SearchCandidates = 10;

    private readonly ShopifyAdminClient _client;

    public ShopifyCustomerClient(ShopifyAdminClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    public Task<ShopifyCustomer?> GetCustomerAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
    {
        var request = new ShopifyRequest(ShopifyDocument.CustomerById, Vars(("id", ShopifyGid.Customer(customerId))), ShopifyQueryCost.CustomerWithSignals);
        return _client.ExecuteAsync(store, request, data => data.GetObjectOrNull("customer") is { } c ? ReadCustomer(c) : null, cancellationToken);
    }

    public Task<ShopifyCustomer?> FindCustomerByEmailAsync(ShopifyStore store, string email, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        var wanted = email.Trim();
        return SearchOneAsync(
            store,
            $"email:{Quote(wanted)}",
            c => string.Equals(c.Profile.Email?.Trim(), wanted, StringComparison.OrdinalIgnoreCase),
            cancellationToken);
    }

    public Task<ShopifyCustomer?> FindCustomerByPhoneAsync(ShopifyStore store, string e164Phone, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(e164Phone);
        var wanted = DialableDigits(e164Phone);
        return SearchOneAsync(
            store,
            $"phone:{Quote(e164Phone.Trim())}",
            c => c.Profile.Phone is { } phone && string.Equals(DialableDigits(phone), wanted, StringComparison.Ordinal),
            cancellationToken);
    }

    /// <summary>
    /// Creates the customer. When an attempt fails in a way Shopify may still have applied (timeout, 5xx, dropped
    /// connection), the customer is looked up by email (or phone) before trying again, so a retry never duplicates it.
    /// </summary>
    public Task<ShopifyCustomer> CreateCustomerAsync(ShopifyStore store, CustomerProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(profile);
        var input = InputOf(profile, ProfileFields.All, id: null);
        var request = new ShopifyRequest(ShopifyDocument.CustomerCreate, Vars(("input", input)), ShopifyQueryCost.Mutation);
        return _client.ExecuteAsync(
            store,
            request,
            data => ReadMutation(data, "customerCreate", store.Handle, request.Operation),
            cancellationToken,
            checkApplied: ct => FindCreatedAsync(store, profile, ct));
    }

    public Task<ShopifyCustomer> UpdateCustomerAsync(ShopifyStore store, long customerId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(profile);
        var input = InputOf(profile, fields, ShopifyGid.Customer(customerId));
        var request = new ShopifyRequest(ShopifyDocument.CustomerUpdate, Vars(("input", input)), ShopifyQueryCost.Mutation);

        // An update is idempotent: repeating it after an ambiguous failure writes the same values.
        return _client.ExecuteAsync(store, request, data => ReadMutation(data, "customerUpdate", store.Handle, request.Operation), cancellationToken);
    }

    /// <summary>Customers updated after <paramref name="since"/>, oldest change first, with their commerce signals, fetched 200 at a time.</summary>
    public async IAsyncEnumerable<ShopifyCustomer> GetCustomersUpdatedSinceAsync(
        ShopifyStore store,
        DateTimeOffset since,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = $"updated_at:>'{since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}'";
        string? after = null;
        do
        {
            var request = new ShopifyRequest(
                ShopifyDocument.CustomersUpdatedSince,
                Vars(("query", query), ("first", UpdatedSincePageSize), ("after", after)),
                ShopifyQueryCost.CustomerWithSignalsConnection(UpdatedSincePageSize));
            var page = await _client.ExecuteAsync(store, request, data => ReadCustomerPage(data.GetProperty("customers")), cancellationToken).ConfigureAwait(false);
            foreach (var customer in page.Items)
            {
                yield return customer;
            }

            after = page.HasNextPage ? page.EndCursor : null;
        }
        while (after is not null);
    }

    /// <summary>The customer as a customer page shows it, or null when Shopify no longer has it.</summary>
    public Task<ShopifyCustomerView?> GetCustomerViewAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
    {
        var request = new ShopifyRequest(ShopifyDocument.CustomerView, Vars(("id", ShopifyGid.Customer(customerId))), ShopifyQueryCost.CustomerView);
        return _client.ExecuteAsync(store, request, data => data.GetObjectOrNull("customer") is { } c ? ReadView(c) : null, cancellationToken);
    }

    /// <summary>A page of the customer's addresses (<c>addressesV2</c>); the default one is flagged.</summary>
    public Task<ShopifyPage<ShopifyMailingAddress>> GetAddressesAsync(ShopifyStore store, long customerId, int first, string? after, CancellationToken cancellationToken)
    {
        first = Math.Clamp(first, 1, MaxPageSize);
        var request = new ShopifyRequest(
            ShopifyDocument.CustomerAddresses,
            Vars(("id", ShopifyGid.Customer(customerId)), ("first", first), ("after", after)),
            ShopifyQueryCost.AddressConnection(first));
        return _client.ExecuteAsync(store, request, data => ReadAddresses(data), cancellationToken);
    }

    /// <summary>A page of the customer's orders, newest first, filtered by status.</summary>
    public Task<ShopifyPage<ShopifyOrder>> GetOrdersAsync(ShopifyStore store, long customerId, OrderStatusFilter status, int first, string? after, CancellationToken cancellationToken)
    {
        first = Math.Clamp(first, 1, MaxOrdersPageSize);
        var request = new ShopifyRequest(
            ShopifyDocument.CustomerOrders,
            Vars(
                ("id", ShopifyGid.Customer(customerId)),
                ("first", first),
                ("after", after),
                ("query", OrderQuery(status)),
                ("lineItemsFirst", MaxLineItemsPerOrder)),
            ShopifyQueryCost.OrderConnection(first, MaxLineItemsPerOrder));
        return _client.ExecuteAsync(store, request, data => ReadOrders(data), cancellationToken);
    }

    internal static string? OrderQuery(OrderStatusFilter status) => status switch
    {
        OrderStatusFilter.Open => "status:open",
        OrderStatusFilter.Closed => "status:closed",
        OrderStatusFilter.Cancelled => "status:cancelled",
        _ => null,
    };

    internal static ShopifyCustomer ReadCustomer(JsonElement c) => new(
        ShopifyGid.ParseId(c.GetRequiredString("id")),
        new CustomerProfile(
            c.GetStringOrNull("firstName"),
            c.GetStringOrNull("lastName"),
            c.GetObjectOrNull("defaultEmailAddress")?.GetStringOrNull("emailAddress"),
            c.GetObjectOrNull("defaultPhoneNumber")?.GetStringOrNull("phoneNumber")),
        c.GetDateOrNull("updatedAt") ?? DateTimeOffset.MinValue)
    {
        VerifiedEmail = c.TryGetProperty("verifiedEmail", out var verified) && verified.ValueKind is JsonValueKind.True or JsonValueKind.False ? verified.GetBoolean() : null,
        Signals = ReadSignals(c),
    };

    /// <summary>
    /// The commerce signals of a customer node, when the document selected <c>tags</c> (the signal documents select
    /// <c>numberOfOrders</c>, <c>amountSpent</c>, <c>tags</c>, <c>defaultEmailAddress.marketingState</c>, <c>state</c> and
    /// <c>verifiedEmail</c>); else null.
    /// </summary>
    internal static CustomerSignals? ReadSignals(JsonElement c)
    {
        if (!c.TryGetProperty("tags", out var tags) || tags.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var spent = c.GetObjectOrNull("amountSpent");
        return new CustomerSignals
        {
            NumberOfOrders = c.TryGetProperty("numberOfOrders", out var orders) && orders.ValueKind is JsonValueKind.Number or JsonValueKind.String ? c.GetInt64OrDefault("numberOfOrders") : null,
            AmountSpent = spent is { } money ? CustomerSignals.ParseAmount(money.GetStringOrNull("amount")) : null,
            Currency = spent?.GetStringOrNull("currencyCode"),
            Tags = CustomerSignals.NormalizeTags(tags.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString() : null)),
            EmailMarketingState = CustomerSignals.NormalizeEnum(c.GetObjectOrNull("defaultEmailAddress")?.GetStringOrNull("marketingState")),
            State = CustomerSignals.NormalizeEnum(c.GetStringOrNull("state")),
            VerifiedEmail = c.TryGetProperty("verifiedEmail", out var verified) && verified.ValueKind is JsonValueKind.True or JsonValueKind.False ? verified.GetBoolean() : null,
            UpdatedAt = c.GetDateOrNull("updatedAt"),
        };
    }

    internal static ShopifyMailingAddress ReadAddress(JsonElement a) => new(
        a.GetRequiredString("id"),
        a.GetStringOrNull("firstName"),
        a.GetStringOrNull("lastName"),
        a.GetStringOrNull("name"),
        a.GetStringOrNull("company"),
        a.GetStringOrNull("address1"),
        a.GetStringOrNull("address2"),
        a.GetStringOrNull("city"),
        a.GetStringOrNull("province"),
        a.GetStringOrNull("provinceCode"),
        a.GetStringOrNull("zip"),
        a.GetStringOrNull("country"),
        a.GetStringOrNull("countryCodeV2"),
        a.GetStringOrNull("phone"),
        a.TryGetProperty("formatted", out var lines) && lines.ValueKind == JsonValueKind.Array
            ? [.. lines.EnumerateArray().Select(l => l.GetString() ?? "")]
            : []);

    private static ShopifyMoney? ReadMoney(JsonElement? money) =>
        money is { } m && m.GetStringOrNull("currencyCode") is { } currency
            ? new ShopifyMoney(decimal.Parse(m.GetStringOrNull("amount") ?? "0", NumberStyles.Number, CultureInfo.InvariantCulture), currency)
            : null;

    private static ShopifyMoney? ReadShopMoney(JsonElement parent, string bag) => ReadMoney(parent.GetObjectOrNull(bag)?.GetObjectOrNull("shopMoney"));

    private static ShopifyCustomerView ReadView(JsonElement c)
    {
        ShopifyOrderSummary? lastOrder = c.GetObjectOrNull("lastOrder") is { } o
            ? new ShopifyOrderSummary(
                o.GetRequiredString("id"),
                o.GetStringOrNull("name") ?? "",
                o.GetDateOrNull("createdAt") ?? DateTimeOffset.MinValue,
                o.GetStringOrNull("displayFinancialStatus"),
                o.GetStringOrNull("displayFulfillmentStatus") ?? "",
                o.GetUriOrNull("statusPageUrl"),
                ReadShopMoney(o, "currentTotalPriceSet"))
            : null;
        return new ShopifyCustomerView(
            ShopifyGid.ParseId(c.GetRequiredString("id")),
            c.GetStringOrNull("displayName") ?? "",
            c.GetStringOrNull("firstName"),
            c.GetStringOrNull("lastName"),
            c.GetObjectOrNull("defaultEmailAddress")?.GetStringOrNull("emailAddress"),
            c.GetObjectOrNull("defaultPhoneNumber")?.GetStringOrNull("phoneNumber"),
            c.GetStringOrNull("note"),
            c.GetInt64OrDefault("numberOfOrders"),
            ReadMoney(c.GetObjectOrNull("amountSpent")) ?? new ShopifyMoney(0, ""),
            lastOrder,
            c.GetObjectOrNull("defaultAddress") is { } address ? ReadAddress(address) with { IsDefault = true } : null,
            c.GetDateOrNull("createdAt") ?? DateTimeOffset.MinValue,
            c.GetDateOrNull("updatedAt") ?? DateTimeOffset.MinValue);
    }

    private static ShopifyPage<ShopifyMailingAddress> ReadAddresses(JsonElement data)
    {
        if (data.GetObjectOrNull("customer") is not { } customer)
        {
            return new ShopifyPage<ShopifyMailingAddress>([], false, null);
        }

        var defaultId = customer.GetObjectOrNull("defaultAddress")?.GetStringOrNull("id");
        var connection = customer.GetProperty("addressesV2");
        var items = connection.Nodes()
            .Select(ReadAddress)
            .Select(a => a with { IsDefault = defaultId is not null && string.Equals(a.Id, defaultId, StringComparison.Ordinal) })
            .ToList();
        var (hasNext, cursor) = connection.PageInfo();
        return new ShopifyPage<ShopifyMailingAddress>(items, hasNext, cursor);
    }

    private static ShopifyPage<ShopifyOrder> ReadOrders(JsonElement data)
    {
        if (data.GetObjectOrNull("customer") is not { } customer)
        {
            return new ShopifyPage<ShopifyOrder>([], false, null);
        }

        var connection = customer.GetProperty("orders");
        var items = connection.Nodes().Select(o =>
        {
            var lineItems = o.GetObjectOrNull("lineItems");
            return new ShopifyOrder(
                o.GetRequiredString("id"),
                o.GetStringOrNull("name") ?? "",
                o.GetDateOrNull("createdAt") ?? DateTimeOffset.MinValue,
                o.GetDateOrNull("processedAt"),
                o.GetDateOrNull("cancelledAt"),
                o.GetDateOrNull("closedAt"),
                o.GetStringOrNull("displayFinancialStatus"),
                o.GetStringOrNull("displayFulfillmentStatus") ?? "",
                o.GetUriOrNull("statusPageUrl"),
                ReadShopMoney(o, "currentSubtotalPriceSet"),
                ReadShopMoney(o, "currentShippingPriceSet"),
                ReadShopMoney(o, "currentTotalTaxSet"),
                ReadShopMoney(o, "currentTotalPriceSet"),
                lineItems is { } li
                    ? [.. li.Nodes().Select(i => new ShopifyOrderLineItem(
                        i.GetRequiredString("id"),
                        i.GetStringOrNull("title") ?? "",
                        i.GetStringOrNull("variantTitle"),
                        i.GetStringOrNull("sku"),
                        i.GetInt32OrDefault("quantity"),
                        i.GetInt32OrDefault("currentQuantity"),
                        ReadShopMoney(i, "discountedTotalSet")))]
                    : [],
                lineItems is { } more && more.PageInfo().HasNextPage);
        }).ToList();
        var (hasNext, cursor) = connection.PageInfo();
        return new ShopifyPage<ShopifyOrder>(items, hasNext, cursor);
    }

    private static ShopifyPage<ShopifyCustomer> ReadCustomerPage(JsonElement connection)
    {
        var (hasNext, cursor) = connection.PageInfo();
        return new ShopifyPage<ShopifyCustomer>([.. connection.Nodes().Select(ReadCustomer)], hasNext, cursor);
    }

    private static ShopifyCustomer ReadMutation(JsonElement data, string field, string storeHandle, string operation)
    {
        var payload = data.GetObjectOrNull(field) ?? throw new ShopifyApiException(storeHandle, operation, $"the response has no {field} payload", isTransient: false);
        ShopifyUserErrors.ThrowIfAny(payload, storeHandle, operation);
        return payload.GetObjectOrNull("customer") is { } customer
            ? ReadCustomer(customer)
            : throw new ShopifyApiException(storeHandle, operation, "Shopify returned neither a customer nor an error", isTransient: false);
    }

    /// <summary>CustomerInput with only <paramref name="fields"/>: a key that is absent is left unchanged by Shopify.</summary>
    internal static Dictionary<string, object?> InputOf(CustomerProfile profile, ProfileFields fields, string? id)
    {
        var input = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (id is not null)
        {
            input["id"] = id;
        }

        // CustomerInput.email and .phone are current inputs in 2026-10; only the Customer output fields are deprecated.
        AddIf(ProfileFields.FirstName, "firstName", profile.FirstName);
        AddIf(ProfileFields.LastName, "lastName", profile.LastName);
        AddIf(ProfileFields.Email, "email", profile.Email);
        AddIf(ProfileFields.Phone, "phone", profile.Phone);
        return input;

        void AddIf(ProfileFields flag, string key, string? value)
        {
            if (fields.HasFlag(flag) && (id is not null || !string.IsNullOrWhiteSpace(value)))
            {
                input[key] = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
            }
        }
    }

    private async Task<ShopifyCustomer?> FindCreatedAsync(ShopifyStore store, CustomerProfile profile, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(profile.Email))
        {
            return await FindCustomerByEmailAsync(store, profile.Email, cancellationToken).ConfigureAwait(false);
        }

        if (!string.IsNullOrWhiteSpace(profile.Phone))
        {
            return await FindCustomerByPhoneAsync(store, profile.Phone, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private async Task<ShopifyCustomer?> SearchOneAsync(ShopifyStore store, string query, Func<ShopifyCustomer, bool> isMatch, CancellationToken cancellationToken)
    {
        var request = new ShopifyRequest(
            ShopifyDocument.CustomerSearch,
            Vars(("query", query), ("first", SearchCandidates)),
            ShopifyQueryCost.CustomerConnection(SearchCandidates));
        var candidates = await _client.ExecuteAsync(store, request, data => ReadCustomerPage(data.GetProperty("customers")), cancellationToken).ConfigureAwait(false);
        return candidates.Items.FirstOrDefault(isMatch);
    }

    /// <summary>Quotes a search value so spaces and colons stay part of it.</summary>
    private static string Quote(string value) => $"\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";

    private static string DialableDigits(string phone)
    {
        var digits = new string([.. phone.Where(char.IsAsciiDigit)]);
        return digits.StartsWith("00", StringComparison.Ordinal) ? digits[2..] : digits;
    }

    internal static Dictionary<string, object?> Vars(params (string Name, object? Value)[] values)
    {
        var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            variables[name] = value;
        }

        return variables;
    }
}
