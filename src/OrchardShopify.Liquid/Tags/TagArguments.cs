using System.Globalization;
using Fluid;
using Fluid.Ast;
using Fluid.Values;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.Core.ShopifyApi;
using Parlot.Fluent;
using static Parlot.Fluent.Parsers;

namespace OrchardShopify.Liquid.Tags;

/// <summary>The arguments each tag accepts.</summary>
internal sealed record TagArgumentSet(bool Status, bool Paging, bool AddressId = false)
{
    public static readonly TagArgumentSet Customer = new(Status: false, Paging: false);
    public static readonly TagArgumentSet Orders = new(Status: true, Paging: true);
    public static readonly TagArgumentSet Addresses = new(Status: false, Paging: true);
    public static readonly TagArgumentSet AddressForm = new(Status: false, Paging: false, AddressId: true);

    public string Names => string.Join(", ", new[] { "store", Status ? "status" : null, Paging ? "limit" : null, Paging ? "after (or page)" : null, AddressId ? "address_id" : null }.OfType<string>());
}

/// <summary>The values a render uses, after evaluation and checks.</summary>
internal sealed record TagValues(string? Store, OrderStatusFilter Status, int Limit, string? After)
{
    /// <summary>The address a form is for (<c>address.id</c>); null for the new-address form.</summary>
    public string? AddressId { get; init; }

    /// <summary>
    /// Set when <c>after</c> came from the request as several values (<c>?after=a&amp;after=b</c>): a page link edited
    /// by the visitor, which renders the first-page message (<c>page_error</c>) rather than failing the template.
    /// </summary>
    public string? PageError { get; init; }
}

/// <summary>
/// A tag's arguments: names are checked when the template is parsed, and so are values written as literals;
/// values from variables are checked when the tag renders.
/// </summary>
internal sealed class TagArguments
{
    public const int DefaultLimit = 10;

    private readonly string _tag;
    private readonly Expression? _store;
    private readonly Expression? _status;
    private readonly Expression? _limit;
    private readonly Expression? _after;
    private readonly Expression? _addressId;

    private TagArguments(string tag, Expression? store, Expression? status, Expression? limit, Expression? after, Expression? addressId)
    {
        _tag = tag;
        _store = store;
        _status = status;
        _limit = limit;
        _after = after;
        _addressId = addressId;
    }

    public static Parser<TagArguments> Parser(string tag, TagArgumentSet accepted)
        => ZeroOrOne(ArgumentGrammar.Arguments).Then((context, arguments) => Create(tag, accepted, arguments, context));

    public async ValueTask<TagValues> EvaluateAsync(TemplateContext context)
    {
        var store = await EvaluateAsync(_store, context);
        var status = await EvaluateAsync(_status, context);
        var limit = await EvaluateAsync(_limit, context);
        var after = await EvaluateAsync(_after, context);
        var addressId = await EvaluateAsync(_addressId, context);

        var storeError = ReadStore(store, out var storeHandle);
        var statusError = ReadStatus(status, out var statusFilter);
        var limitError = ReadLimit(limit, out var pageSize);
        string? pageError = null;
        if (after is ArrayValue { Values.Count: > 1 } repeated && repeated.Values.All(v => v.Type == FluidValues.String))
        {
            // The query string names the cursor more than once: the visitor's link, not the template, is at fault.
            pageError = new InvalidCursorException().Message;
            after = NilValue.Instance;
        }

        var afterError = ReadAfter(after, out var cursor);
        var addressError = ReadAddressId(addressId, out var address);
        var error = storeError ?? statusError ?? limitError ?? afterError ?? addressError;
        return error is null
            ? new TagValues(storeHandle, statusFilter, pageSize, cursor) { AddressId = address, PageError = pageError }
            : throw new ShopifyTagException($"{_tag}: {error}");
    }

    private static TagArguments Create(string tag, TagArgumentSet accepted, IReadOnlyList<FilterArgument>? arguments, ParseContext context)
    {
        Expression? store = null, status = null, limit = null, after = null, addressId = null;
        foreach (var argument in arguments ?? [])
        {
            var name = argument.Name;
            if (string.IsNullOrEmpty(name))
            {
                throw Error(context, $"{tag} takes named arguments such as store: \"uk\", not a bare value");
            }

            ref var slot = ref store;
            string? error;
            switch (name)
            {
                case "store":
                    error = ReadStore(Literal(argument), out _);
                    break;
                case "status" when accepted.Status:
                    slot = ref status;
                    error = ReadStatus(Literal(argument), out _);
                    break;
                case "limit" when accepted.Paging:
                    slot = ref limit;
                    error = ReadLimit(Literal(argument), out _);
                    break;
                case "after" or "page" when accepted.Paging:
                    slot = ref after;
                    error = ReadAfter(Literal(argument), out _);
                    break;
                case "address_id" when accepted.AddressId:
                    slot = ref addressId;
                    error = ReadAddressId(Literal(argument), out _);
                    break;
                default:
                    throw Error(context, $"{tag} has no argument '{name}'; it takes {accepted.Names}");
            }

            if (slot is not null)
            {
                throw Error(context, name is "after" or "page" ? $"{tag}: after and page are the same argument; give one" : $"{tag}: '{name}' is given twice");
            }

            if (error is not null)
            {
                throw Error(context, $"{tag}: {error}");
            }

            slot = argument.Expression;
        }

        return new TagArguments(tag, store, status, limit, after, addressId);
    }

    // Only literals are known at parse time; anything else is checked when rendered.
    private static FluidValue Literal(FilterArgument argument) => argument.Expression is LiteralExpression literal ? literal.Value : NilValue.Instance;

    private static Parlot.ParseException Error(ParseContext context, string message) => new(message, context.Scanner.Cursor.Position);

    private static async ValueTask<FluidValue> EvaluateAsync(Expression? expression, TemplateContext context)
        => expression is null ? NilValue.Instance : Single(await expression.EvaluateAsync(context));

    /// <summary>
    /// A request value passed on as the docs show (<c>after: Request.Query["after"]</c>) is the query value's list of
    /// strings: none means the parameter is absent, one is that value. Several stay a list and are reported.
    /// </summary>
    private static FluidValue Single(FluidValue value) => value is ArrayValue array
        ? array.Values.Count switch
        {
            0 => NilValue.Instance,
            1 => array.Values[0],
            _ => value,
        }
        : value;

    private static string? ReadStore(FluidValue value, out string? store)
    {
        store = null;
        if (IsAbsent(value))
        {
            return null;
        }

        if (value.Type != FluidValues.String)
        {
            return $"store must be a store handle such as store: \"uk\" (got {Show(value)})";
        }

        store = value.ToStringValue().Trim();
        return null;
    }

    private static string? ReadStatus(FluidValue value, out OrderStatusFilter status)
    {
        status = OrderStatusFilter.Any;
        if (IsAbsent(value))
        {
            return null;
        }

        return value.Type == FluidValues.String && OrderStatusFilters.TryParse(value.ToStringValue(), out status)
            ? null
            : $"status must be {OrderStatusFilters.Names} (got {Show(value)})";
    }

    private static string? ReadLimit(FluidValue value, out int limit)
    {
        limit = DefaultLimit;
        if (IsAbsent(value))
        {
            return null;
        }

        var number = value.Type switch
        {
            FluidValues.Number => value.ToNumberValue(),
            FluidValues.String when decimal.TryParse(value.ToStringValue(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => -1m,
        };
        if (number != decimal.Truncate(number) || number < 1 || number > CustomerViewService.MaxPageSize)
        {
            return $"limit must be a whole number from 1 to {CustomerViewService.MaxPageSize} (got {Show(value)})";
        }

        limit = (int)number;
        return null;
    }

    private static string? ReadAfter(FluidValue value, out string? cursor)
    {
        cursor = null;
        if (IsAbsent(value))
        {
            return null;
        }

        if (value.Type != FluidValues.String)
        {
            return $"after (or page) takes the cursor from paging.next_cursor, not a page number (got {Show(value)})";
        }

        cursor = value.ToStringValue();
        return null;
    }

    private static string? ReadAddressId(FluidValue value, out string? addressId)
    {
        addressId = null;
        if (IsAbsent(value))
        {
            return null;
        }

        var text = value.Type == FluidValues.Number ? value.ToNumberValue().ToString(CultureInfo.InvariantCulture) : value.ToStringValue();
        if (value.Type is not (FluidValues.String or FluidValues.Number) || CustomerAddressService.ParseAddressId(text) is null)
        {
            return $"address_id must be an address's id such as address.id (got {Show(value)})";
        }

        addressId = text.Trim();
        return null;
    }

    private static bool IsAbsent(FluidValue value) => value.IsNil() || (value.Type == FluidValues.String && string.IsNullOrWhiteSpace(value.ToStringValue()));

    private static string Show(FluidValue value)
    {
        var text = value.ToStringValue();
        text = text.Length > 40 ? text[..40] + "…" : text;
        return value.Type == FluidValues.String ? $"'{text}'" : text;
    }
}
