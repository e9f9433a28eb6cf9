using System.Text.Json;
using System.Text.Json.Serialization;
using OrchardShopify.Core.Customers;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>
/// The link's <c>signals</c> column: a customer's commerce signals as one JSON object, so a signal Shopify adds later
/// needs no new column. Unknown members are ignored; a value that is not such an object reads as no signals.
/// </summary>
internal static partial class CustomerSignalsJson
{
    public static string? Write(CustomerSignals? signals) => signals is null
        ? null
        : JsonSerializer.Serialize(
            new Stored(signals.NumberOfOrders, signals.AmountSpent, signals.Currency, [.. signals.Tags], signals.EmailMarketingState, signals.State, signals.VerifiedEmail, signals.UpdatedAt),
            StoredContext.Default.Stored);

    public static CustomerSignals? Read(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        Stored? stored;
        try
        {
            stored = JsonSerializer.Deserialize(json, StoredContext.Default.Stored);
        }
        catch (JsonException)
        {
            return null;
        }

        return stored is null ? null : new CustomerSignals
        {
            NumberOfOrders = stored.Orders,
            AmountSpent = stored.Spent,
            Currency = stored.Currency,
            Tags = CustomerSignals.NormalizeTags(stored.Tags ?? []),
            EmailMarketingState = stored.EmailMarketing,
            State = stored.State,
            VerifiedEmail = stored.VerifiedEmail,
            UpdatedAt = stored.UpdatedAt,
        };
    }

    internal sealed record Stored(
        [property: JsonPropertyName("orders")] long? Orders,
        [property: JsonPropertyName("spent")] decimal? Spent,
        [property: JsonPropertyName("currency")] string? Currency,
        [property: JsonPropertyName("tags")] string[]? Tags,
        [property: JsonPropertyName("emailMarketing")] string? EmailMarketing,
        [property: JsonPropertyName("state")] string? State,
        [property: JsonPropertyName("verifiedEmail")] bool? VerifiedEmail,
        [property: JsonPropertyName("updatedAt")] DateTimeOffset? UpdatedAt);

    [JsonSerializable(typeof(Stored))]
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
    internal sealed partial class StoredContext : JsonSerializerContext;
}
