using System.Globalization;
using System.Text.Json;

namespace OrchardShopify.Core.Customers;

/// <summary>
/// Reads webhook payloads. Tolerant: any field may be null or absent, unknown fields are ignored,
/// ids may be numbers or strings. Strict where it matters: the customer id must be a positive 64-bit integer.
/// </summary>
internal static class CustomerPayloadParser
{
    public static CustomerPayload ParseCustomer(ReadOnlyMemory<byte> json)
    {
        using var document = Open(json);
        var root = document.RootElement;
        var addresses = new List<AddressPayload>();
        if (root.TryGetProperty("addresses", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object)
                {
                    addresses.Add(ParseAddress(item));
                }
            }
        }

        AddressPayload? defaultAddress = null;
        if (root.TryGetProperty("default_address", out var def) && def.ValueKind == JsonValueKind.Object)
        {
            defaultAddress = ParseAddress(def);
        }

        var updatedAt = Time(root, "updated_at");
        return new CustomerPayload(
            RequiredId(root, "id"),
            String(root, "admin_graphql_api_id"),
            String(root, "email"),
            String(root, "first_name"),
            String(root, "last_name"),
            String(root, "phone"),
            String(root, "state"),
            String(root, "note"),
            Bool(root, "verified_email"),
            Bool(root, "tax_exempt"),
            String(root, "currency"),
            Time(root, "created_at"),
            updatedAt,
            addresses,
            defaultAddress)
        {
            Signals = ParseSignals(root, updatedAt),
        };
    }

    /// <summary>The commerce signals of a REST customer, or null when it has no <c>tags</c> field (see <see cref="CustomerPayload.Signals"/>).</summary>
    private static CustomerSignals? ParseSignals(JsonElement root, DateTimeOffset? updatedAt)
    {
        if (!root.TryGetProperty("tags", out var tags) || tags.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
        {
            return null;
        }

        string? marketing = null;
        if (root.TryGetProperty("email_marketing_consent", out var consent) && consent.ValueKind == JsonValueKind.Object)
        {
            marketing = String(consent, "state");
        }

        long? orders = root.TryGetProperty("orders_count", out var count) && TryCount(count, out var n) ? n : null;
        return new CustomerSignals
        {
            NumberOfOrders = orders,
            AmountSpent = CustomerSignals.ParseAmount(String(root, "total_spent")),
            Currency = String(root, "currency"),
            Tags = tags.ValueKind == JsonValueKind.String
                ? CustomerSignals.ParseTags(tags.GetString())
                : CustomerSignals.NormalizeTags(tags.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString() : null)),
            EmailMarketingState = CustomerSignals.NormalizeEnum(marketing),
            State = CustomerSignals.NormalizeEnum(String(root, "state")),
            VerifiedEmail = Bool(root, "verified_email"),
            UpdatedAt = updatedAt,
        };
    }

    private static bool TryCount(JsonElement value, out long count)
    {
        count = 0;
        var ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out count),
            JsonValueKind.String => long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out count),
            _ => false,
        };
        return ok && count >= 0;
    }

    public static CustomerDeletePayload ParseDelete(ReadOnlyMemory<byte> json)
    {
        using var document = Open(json);
        return new CustomerDeletePayload(RequiredId(document.RootElement, "id"));
    }

    public static CustomerPrivacyPayload ParsePrivacyRequest(ReadOnlyMemory<byte> json)
    {
        using var document = Open(json);
        var root = document.RootElement;
        if (!root.TryGetProperty("customer", out var customer) || customer.ValueKind != JsonValueKind.Object)
        {
            throw new CustomerPayloadException("customer", "is missing; compliance payloads carry customer{id,email,phone}.");
        }

        var orders = new List<long>();
        foreach (var name in new[] { "orders_to_redact", "orders_requested" })
        {
            if (root.TryGetProperty(name, out var ids) && ids.ValueKind == JsonValueKind.Array)
            {
                foreach (var id in ids.EnumerateArray())
                {
                    if (TryId(id, out var value))
                    {
                        orders.Add(value);
                    }
                }
            }
        }

        return new CustomerPrivacyPayload(
            OptionalId(root, "shop_id"),
            String(root, "shop_domain"),
            RequiredId(customer, "id", "customer.id"),
            String(customer, "email"),
            String(customer, "phone"),
            orders);
    }

    public static ShopRedactPayload ParseShopRedact(ReadOnlyMemory<byte> json)
    {
        using var document = Open(json);
        return new ShopRedactPayload(OptionalId(document.RootElement, "shop_id"), String(document.RootElement, "shop_domain"));
    }

    /// <summary>
    /// The customer a delivery of any topic is about, read leniently: for the customer topics (<c>customers/create</c>,
    /// <c>customers_marketing_consent/update</c>, …) the root <c>id</c>, otherwise <c>customer.id</c> (orders, the
    /// compliance topics, …); a root <c>customer_id</c> when neither is there. Null when the body names no customer or
    /// is not a JSON object; never throws, so it can attribute deliveries that failed to parse.
    /// </summary>
    public static long? FindCustomerId(string topic, ReadOnlySpan<byte> json)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var rootIsCustomer = topic.StartsWith("customers", StringComparison.Ordinal)
            && topic is not (Webhooks.ShopifyTopics.CustomersRedact or Webhooks.ShopifyTopics.CustomersDataRequest);
        long? rootId = null, nested = null, named = null;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.ValueTextEquals("id"u8) ? 1 : reader.ValueTextEquals("customer_id"u8) ? 2 : reader.ValueTextEquals("customer"u8) ? 3 : 0;
                reader.Read();
                if (property == 1)
                {
                    rootId ??= ReadId(ref reader);
                }
                else if (property == 2)
                {
                    named ??= ReadId(ref reader);
                }
                else if (property == 3 && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isId = reader.ValueTextEquals("id"u8);
                        reader.Read();
                        if (isId)
                        {
                            nested ??= ReadId(ref reader);
                        }

                        reader.Skip();
                    }
                }

                reader.Skip();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }

        return rootIsCustomer ? rootId ?? named : nested ?? named;
    }

    private static long? ReadId(ref Utf8JsonReader reader)
    {
        long id = 0;
        var ok = reader.TokenType switch
        {
            JsonTokenType.Number => reader.TryGetInt64(out id),
            JsonTokenType.String => long.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out id),
            _ => false,
        };
        return ok && id > 0 ? id : null;
    }

    private static JsonDocument Open(ReadOnlyMemory<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw new CustomerPayloadException("$", $"is not valid JSON: {ex.Message}");
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new CustomerPayloadException("$", "must be a JSON object.");
        }

        return document;
    }

    private static AddressPayload ParseAddress(JsonElement element) => new(
        OptionalId(element, "id"),
        String(element, "first_name"),
        String(element, "last_name"),
        String(element, "company"),
        String(element, "address1"),
        String(element, "address2"),
        String(element, "city"),
        String(element, "province"),
        String(element, "province_code"),
        String(element, "country_name") ?? String(element, "country"),
        String(element, "country_code"),
        String(element, "zip"),
        String(element, "phone"),
        Bool(element, "default") ?? false);

    private static long RequiredId(JsonElement element, string name, string? path = null)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw new CustomerPayloadException(path ?? name, "is missing.");
        }

        if (!TryId(value, out var id))
        {
            throw new CustomerPayloadException(path ?? name, $"must be a positive 64-bit integer (was {Describe(value)}).");
        }

        return id;
    }

    private static long? OptionalId(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && TryId(value, out var id) ? id : null;

    private static bool TryId(JsonElement value, out long id)
    {
        id = 0;
        var ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out id),
            JsonValueKind.String => long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out id),
            _ => false,
        };
        return ok && id > 0;
    }

    private static string? String(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s : null,
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }

    private static bool? Bool(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    private static DateTimeOffset? Time(JsonElement element, string name)
    {
        var text = String(element, name);
        return text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
    }

    private static string Describe(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length > 40 ? raw[..40] + "…" : raw;
    }
}

/// <summary>A payload that cannot be applied; <see cref="Path"/> names the offending field.</summary>
public sealed class CustomerPayloadException : Exception
{
    public CustomerPayloadException(string path, string problem)
        : base($"Payload field '{path}' {problem}")
    {
        Path = path;
    }

    public CustomerPayloadException()
    {
        Path = "";
    }

    public CustomerPayloadException(string message)
        : base(message)
    {
        Path = "";
    }

    public CustomerPayloadException(string message, Exception innerException)
        : base(message, innerException)
    {
        Path = "";
    }

    public string Path { get; }
}
