using System.Globalization;
using GraphQL.Types;
using GraphQLParser.AST;

namespace OrchardShopify.Emulator.Schema;

/// <summary>
/// One of Shopify's custom scalars (DateTime, Decimal, URL, UnsignedInt64): a string on the wire in both directions.
/// DateTime is written as Shopify writes it, in UTC to the second (2026-01-31T12:00:00Z).
/// </summary>
public sealed class ShopifyScalar : ScalarGraphType
{
    public ShopifyScalar(string name)
    {
        Name = name;
    }

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLStringValue text => (string)text.Value,
        GraphQLIntValue number when Name is "Decimal" or "UnsignedInt64" => (string)number.Value,
        GraphQLFloatValue number when Name == "Decimal" => (string)number.Value,
        _ => ThrowLiteralConversionError(value),
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        string text => text,
        int or long or decimal or double when Name is "Decimal" or "UnsignedInt64" => Convert.ToString(value, CultureInfo.InvariantCulture),
        _ => ThrowValueConversionError(value),
    };

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        string text => text,
        DateTimeOffset time => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        decimal amount => amount.ToString("0.0#", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
