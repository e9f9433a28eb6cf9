using System.Text;

namespace OrchardShopify.Emulator.GraphQL;

public sealed record Edge(string Cursor, object Node);

public sealed record ConnectionPage(IReadOnlyList<Edge> Edges, bool HasNextPage, bool HasPreviousPage)
{
    public string? StartCursor => Edges.Count > 0 ? Edges[0].Cursor : null;

    public string? EndCursor => Edges.Count > 0 ? Edges[^1].Cursor : null;
}

/// <summary>Relay cursor pagination over a sort key; cursors encode the key, so deletions between pages do not shift results.</summary>
public static class Pagination
{
    public const int MaxPageSize = 250;

    public static ConnectionPage Page<T>(IEnumerable<T> items, Func<T, string> sortKey, FieldContext context, bool reverse = false)
        where T : notnull
    {
        var first = context.GetInt("first");
        var last = context.GetInt("last");
        var bulk = context.Execution.IsBulk;
        if (!bulk)
        {
            if (first is null && last is null)
            {
                throw new GraphQLException($"you must provide one of first or last", context.Selection.Location, "BAD_REQUEST");
            }

            if (first is not null && last is not null)
            {
                throw new GraphQLException("providing both first and last is not supported", context.Selection.Location, "BAD_REQUEST");
            }

            foreach (var (name, size) in new[] { ("first", first), ("last", last) })
            {
                if (size is < 0 or > MaxPageSize)
                {
                    throw new GraphQLException($"The '{name}' argument of '{context.Selection.Name}' must be between 0 and {MaxPageSize}, got {size}", context.Selection.Location, "BAD_REQUEST");
                }
            }
        }

        var after = DecodeCursor(context.GetString("after"), context);
        var before = DecodeCursor(context.GetString("before"), context);
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

    private static string? DecodeCursor(string? cursor, FieldContext context)
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

        throw new GraphQLException($"Invalid cursor for '{context.Selection.Name}': {cursor}", context.Selection.Location, "BAD_REQUEST");
    }
}
