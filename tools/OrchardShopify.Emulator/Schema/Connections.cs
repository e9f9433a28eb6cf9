using System.Text;
using GraphQL;

namespace OrchardShopify.Emulator.Schema;

public sealed record Edge(string Cursor, object Node);

public sealed record ConnectionPage(IReadOnlyList<Edge> Edges, bool HasNextPage, bool HasPreviousPage)
{
    public string? StartCursor => Edges.Count > 0 ? Edges[0].Cursor : null;

    public string? EndCursor => Edges.Count > 0 ? Edges[^1].Cursor : null;
}

/// <summary>Relay cursor pagination over a sort key; cursors encode the key, so deletions between pages do not shift results.</summary>
public static class Connections
{
    public const int MaxPageSize = 250;

    public static ConnectionPage Page<T>(IEnumerable<T> items, Func<T, string> sortKey, IResolveFieldContext context, bool reverse = false)
        where T : notnull
    {
        var first = context.GetArgument<int?>("first");
        var last = context.GetArgument<int?>("last");
        var bulk = AdminSchema.Request(context.UserContext).IsBulk;
        if (!bulk)
        {
            if (first is null && last is null)
            {
                throw new ShopifyError("you must provide one of first or last", "BAD_REQUEST");
            }

            if (first is not null && last is not null)
            {
                throw new ShopifyError("providing both first and last is not supported", "BAD_REQUEST");
            }

            foreach (var (name, size) in new[] { ("first", first), ("last", last) })
            {
                if (size is < 0 or > MaxPageSize)
                {
                    throw new ShopifyError($"The '{name}' argument of '{context.FieldAst.Name.StringValue}' must be between 0 and {MaxPageSize}, got {size}", "BAD_REQUEST");
                }
            }
        }

        var after = DecodeCursor(context.GetArgument<string?>("after"), context);
        var before = DecodeCursor(context.GetArgument<string?>("before"), context);
        var keyed = items.Select(item => (Key: sortKey(item), Item: item));
        keyed = reverse
            ? keyed.OrderByDescending(k => k.Key, StringComparer.Ordinal)
            : keyed.OrderBy(k => k.Key, StringComparer.Ordinal);
        var ordered = keyed.ToList();
        var start = 0;
        var end = ordered.Count;
        if (after is not null)
        {
            while (start < end && !IsAfter(ordered[start].Key, after, reverse))
            {
                start++;
            }
        }

        if (before is not null)
        {
            while (end > start && !IsAfter(before, ordered[end - 1].Key, reverse))
            {
                end--;
            }
        }

        var hasPrevious = start > 0;
        var hasNext = end < ordered.Count;
        if (!bulk && first is { } take && end - start > take)
        {
            end = start + take;
            hasNext = true;
        }
        else if (!bulk && last is { } takeLast && end - start > takeLast)
        {
            start = end - takeLast;
            hasPrevious = true;
        }

        var edges = new List<Edge>(Math.Max(0, end - start));
        for (var i = start; i < end; i++)
        {
            edges.Add(new Edge(EncodeCursor(ordered[i].Key), ordered[i].Item));
        }

        return new ConnectionPage(edges, hasNext, hasPrevious);
    }

    private static bool IsAfter(string key, string reference, bool reverse) =>
        reverse ? string.CompareOrdinal(key, reference) < 0 : string.CompareOrdinal(key, reference) > 0;

    private static string EncodeCursor(string key) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("k:" + key)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? DecodeCursor(string? cursor, IResolveFieldContext context)
    {
        if (cursor is null)
        {
            return null;
        }

        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            if (text.StartsWith("k:", StringComparison.Ordinal))
            {
                return text[2..];
            }
        }
        catch (FormatException)
        {
        }

        throw new ShopifyError($"Invalid cursor for '{context.FieldAst.Name.StringValue}': {cursor}", "BAD_REQUEST");
    }
}
