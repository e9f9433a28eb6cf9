using System.Globalization;
using System.Text.Json;
using GraphQLParser.AST;
using OrchardShopify.Emulator.Customers;

namespace OrchardShopify.Emulator.Bulk;

/// <summary>
/// A bulk query's rows written straight from the customer model, for the selections whose values are plain reads of it
/// (the customer's scalar fields, <c>amountSpent</c>, <c>defaultEmailAddress</c>, <c>defaultPhoneNumber</c> and the
/// <c>addressesV2</c> connection): the same JSONL as the GraphQL execution of <see cref="BulkOperationStore"/> writes, byte
/// for byte (same field order, values, nulls and escaping; address rows after their customer with <c>__parentId</c>), without a
/// GraphQL execution and a JSON document per slice of customers. A query with anything else (arguments, aliases, fragments,
/// directives, other fields) gets no plan and runs through GraphQL.NET.
/// </summary>
internal sealed class BulkRowPlan
{
    private readonly IReadOnlyList<(string Key, Action<Utf8JsonWriter, Customer, string> Write)> _customer;
    private readonly IReadOnlyList<(string Key, Action<Utf8JsonWriter, MailingAddress> Write)>? _address;

    private BulkRowPlan(IReadOnlyList<(string, Action<Utf8JsonWriter, Customer, string>)> customer, IReadOnlyList<(string, Action<Utf8JsonWriter, MailingAddress>)>? address)
    {
        _customer = customer;
        _address = address;
    }

    /// <summary>The plan for <paramref name="root"/> (the <c>customers</c> field, already validated), or null when the query needs GraphQL.NET.</summary>
    public static BulkRowPlan? TryCompile(GraphQLField root)
    {
        if (root.Alias is not null || root.Directives is { Count: > 0 } || root.Arguments?.Any(a => a.Name.StringValue != "query") == true)
        {
            return null;
        }

        if (NodeSelection(root.SelectionSet) is not { } node)
        {
            return null;
        }

        var customer = new List<(string, Action<Utf8JsonWriter, Customer, string>)>();
        List<(string, Action<Utf8JsonWriter, MailingAddress>)>? address = null;
        foreach (var field in node)
        {
            var name = field.Name.StringValue;
            if (name == "addressesV2")
            {
                if (address is not null || field.Arguments is { Count: > 0 } || NodeSelection(field.SelectionSet) is not { } addressNode)
                {
                    return null;
                }

                address = [];
                foreach (var addressField in addressNode)
                {
                    if (addressField.SelectionSet is not null || AddressField(addressField.Name.StringValue) is not { } write)
                    {
                        return null;
                    }

                    address.Add((addressField.Name.StringValue, write));
                }

                if (address.Select(a => a.Item1).Distinct(StringComparer.Ordinal).Count() != address.Count)
                {
                    return null;
                }

                continue;
            }

            var writer = field.SelectionSet is null ? CustomerField(name) : CustomerObject(name, field.SelectionSet);
            if (writer is null)
            {
                return null;
            }

            customer.Add((name, writer));
        }

        // Shopify's rule (checked before): rows of a nested connection name their parent by its id.
        if (customer.Select(c => c.Item1).Distinct(StringComparer.Ordinal).Count() != customer.Count
            || (address is not null && !customer.Any(c => c.Item1 == "id")))
        {
            return null;
        }

        return new BulkRowPlan(customer, address);
    }

    /// <summary>Writes the customer's row and its address rows, each followed by a newline.</summary>
    public void Write(Customer customer, string currency, Utf8JsonWriter writer, Stream file, BulkOperation bulk)
    {
        writer.WriteStartObject();
        foreach (var (key, write) in _customer)
        {
            writer.WritePropertyName(key);
            write(writer, customer, currency);
        }

        writer.WriteEndObject();
        EndRow(writer, file);
        bulk.CountRow(root: true);
        if (_address is null || customer.Addresses.IsEmpty)
        {
            return;
        }

        var parentId = Gid.For("Customer", customer.Id);
        foreach (var address in customer.Addresses.OrderBy(a => a.Id))
        {
            writer.WriteStartObject();
            foreach (var (key, write) in _address)
            {
                writer.WritePropertyName(key);
                write(writer, address);
            }

            writer.WriteString("__parentId", parentId);
            writer.WriteEndObject();
            EndRow(writer, file);
            bulk.CountRow(root: false);
        }
    }

    private static void EndRow(Utf8JsonWriter writer, Stream file)
    {
        writer.Flush();
        writer.Reset();
        file.WriteByte((byte)'\n');
    }

    /// <summary>The fields of a connection's node: <c>edges { node { … } }</c> or <c>nodes { … }</c>, nothing else; null otherwise.</summary>
    private static List<GraphQLField>? NodeSelection(GraphQLSelectionSet? connection)
    {
        if (Plain(connection) is not [var only])
        {
            return null;
        }

        var selection = only.Name.StringValue switch
        {
            "nodes" => only.Arguments is { Count: > 0 } ? null : only.SelectionSet,
            "edges" when Plain(only.SelectionSet) is [{ Name.StringValue: "node", Arguments: null or { Count: 0 } } node] => node.SelectionSet,
            _ => null,
        };
        return Plain(selection);
    }

    /// <summary>The selection's fields when it holds only unaliased fields without directives; null otherwise.</summary>
    private static List<GraphQLField>? Plain(GraphQLSelectionSet? selection)
    {
        if (selection is null || selection.Selections.Count == 0)
        {
            return null;
        }

        var fields = new List<GraphQLField>(selection.Selections.Count);
        foreach (var item in selection.Selections)
        {
            if (item is not GraphQLField { Alias: null } field || field.Directives is { Count: > 0 })
            {
                return null;
            }

            fields.Add(field);
        }

        return fields;
    }

    private static Action<Utf8JsonWriter, Customer, string>? CustomerField(string name) => name switch
    {
        "id" => (w, c, _) => w.WriteStringValue(Gid.For("Customer", c.Id)),
        "legacyResourceId" => (w, c, _) => w.WriteStringValue(c.Id.ToString(CultureInfo.InvariantCulture)),
        "firstName" => (w, c, _) => String(w, c.FirstName),
        "lastName" => (w, c, _) => String(w, c.LastName),
        "displayName" => (w, c, _) => w.WriteStringValue(c.DisplayName),
        "email" => (w, c, _) => String(w, c.Email),
        "phone" => (w, c, _) => String(w, c.Phone),
        "note" => (w, c, _) => String(w, c.Note),
        "locale" => (w, c, _) => w.WriteStringValue(c.Locale ?? "en"),
        "createdAt" => (w, c, _) => w.WriteStringValue(DateTime(c.CreatedAt)),
        "updatedAt" => (w, c, _) => w.WriteStringValue(DateTime(c.UpdatedAt)),
        "validEmailAddress" => (w, c, _) => w.WriteBooleanValue(c.Email is not null),
        "taxExempt" => (w, c, _) => w.WriteBooleanValue(c.TaxExempt),
        "canDelete" => (w, c, _) => w.WriteBooleanValue(c.Orders.IsEmpty),
        "state" => (w, c, _) => w.WriteStringValue(c.State),
        "verifiedEmail" => (w, c, _) => w.WriteBooleanValue(c.VerifiedEmail),
        "numberOfOrders" => (w, c, _) => w.WriteStringValue(c.NumberOfOrders.ToString(CultureInfo.InvariantCulture)),
        "tags" => (w, c, _) =>
        {
            w.WriteStartArray();
            foreach (var tag in c.Tags)
            {
                w.WriteStringValue(tag);
            }

            w.WriteEndArray();
        },
        _ => null,
    };

    /// <summary>An object field of the customer with a selection of its scalar fields.</summary>
    private static Action<Utf8JsonWriter, Customer, string>? CustomerObject(string name, GraphQLSelectionSet selection)
    {
        if (Plain(selection) is not { } fields || fields.Any(f => f.SelectionSet is not null || f.Arguments is { Count: > 0 })
            || fields.Select(f => f.Name.StringValue).Distinct(StringComparer.Ordinal).Count() != fields.Count)
        {
            return null;
        }

        var keys = fields.Select(f => f.Name.StringValue).ToArray();
        switch (name)
        {
            case "amountSpent" when keys.All(k => k is "amount" or "currencyCode"):
                return (w, c, currency) => Object(w, keys, key => key == "amount" ? Amount(c.AmountSpent) : currency);
            case "defaultEmailAddress" when keys.All(k => k is "emailAddress" or "marketingState"):
                return (w, c, _) => ContactOrNull(w, keys, "emailAddress", c.Email, c.EmailMarketingState);
            case "defaultPhoneNumber" when keys.All(k => k is "phoneNumber" or "marketingState"):
                return (w, c, _) => ContactOrNull(w, keys, "phoneNumber", c.Phone, c.SmsMarketingState);
            default:
                return null;
        }
    }

    private static Action<Utf8JsonWriter, MailingAddress>? AddressField(string name) => name switch
    {
        "id" => (w, a) => w.WriteStringValue(Gid.For("MailingAddress", a.Id) + "?model_name=CustomerAddress"),
        "firstName" => (w, a) => String(w, a.FirstName),
        "lastName" => (w, a) => String(w, a.LastName),
        "name" => (w, a) => String(w, a.Name),
        "company" => (w, a) => String(w, a.Company),
        "address1" => (w, a) => String(w, a.Address1),
        "address2" => (w, a) => String(w, a.Address2),
        "city" => (w, a) => String(w, a.City),
        "province" => (w, a) => String(w, a.Province),
        "provinceCode" => (w, a) => String(w, a.ProvinceCode),
        "country" => (w, a) => String(w, a.Country),
        "countryCodeV2" => (w, a) => String(w, a.CountryCode),
        "zip" => (w, a) => String(w, a.Zip),
        "phone" => (w, a) => String(w, a.Phone),
        _ => null,
    };

    /// <summary>A customer's default email address or phone number: null when it has none, else the selected keys of it.</summary>
    private static void ContactOrNull(Utf8JsonWriter writer, string[] keys, string valueKey, string? value, string marketingState)
    {
        if (value is null)
        {
            writer.WriteNullValue();
            return;
        }

        Object(writer, keys, key => key == valueKey ? value : marketingState);
    }

    private static void Object(Utf8JsonWriter writer, string[] keys, Func<string, string> value)
    {
        writer.WriteStartObject();
        foreach (var key in keys)
        {
            writer.WriteString(key, value(key));
        }

        writer.WriteEndObject();
    }

    private static void String(Utf8JsonWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    /// <summary>As <see cref="Schema.ShopifyScalar"/> writes a DateTime.</summary>
    private static string DateTime(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>As <see cref="Schema.ShopifyScalar"/> writes a Decimal.</summary>
    private static string Amount(decimal amount) => amount.ToString("0.0#", CultureInfo.InvariantCulture);
}
