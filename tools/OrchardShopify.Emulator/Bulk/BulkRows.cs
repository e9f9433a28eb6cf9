using System.Text.Json;
using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Types;
using GraphQLParser;
using GraphQLParser.AST;

namespace OrchardShopify.Emulator.Bulk;

/// <summary>Turns a bulk query's result into Shopify's JSONL: one row per node, nested connections' nodes as rows with <c>__parentId</c>.</summary>
internal static class BulkRows
{
    /// <summary>The nodes of a connection's result, written as <c>edges { node }</c> or <c>nodes</c>.</summary>
    public static IEnumerable<JsonObject> Nodes(JsonNode? connection)
    {
        if (connection is not JsonObject fields)
        {
            yield break;
        }

        foreach (var (_, value) in fields)
        {
            if (value is not JsonArray items)
            {
                continue;
            }

            foreach (var item in items)
            {
                if (item is JsonObject { Count: > 0 } edge && edge["node"] is JsonObject node)
                {
                    yield return node;
                }
                else if (item is JsonObject plain && !plain.ContainsKey("node") && !plain.ContainsKey("cursor"))
                {
                    yield return plain;
                }
            }
        }
    }

    public static void Write(JsonObject node, string? parentId, Utf8JsonWriter writer, Stream file, BulkOperation bulk, bool root)
    {
        var nested = node.Where(p => IsConnection(p.Value)).Select(p => p.Key).ToList();
        var children = nested.Select(key => node[key]).ToList();
        foreach (var key in nested)
        {
            node.Remove(key);
        }

        if (parentId is not null)
        {
            node["__parentId"] = parentId;
        }

        node.WriteTo(writer);
        writer.Flush();
        writer.Reset();
        file.WriteByte((byte)'\n');
        bulk.CountRow(root);

        var id = node["id"]?.GetValue<string>();
        foreach (var connection in children)
        {
            foreach (var child in Nodes(connection))
            {
                Write(child, id, writer, file, bulk, root: false);
            }
        }
    }

    /// <summary>A connection's result: an object whose only keys are edges, nodes and pageInfo.</summary>
    private static bool IsConnection(JsonNode? value) =>
        value is JsonObject { Count: > 0 } fields
        && fields.All(p => p.Key is "edges" or "nodes" or "pageInfo")
        && (fields.ContainsKey("edges") || fields.ContainsKey("nodes"));

    /// <summary>
    /// Shopify's rule for nested connections: the node above one must select <c>id</c> (unaliased) so its rows can name their parent.
    /// Returns the first nested connection whose parent does not, or null.
    /// </summary>
    public static string? MissingParentId(ISchema schema, GraphQLDocument document, IGraphType parent, GraphQLSelectionSet? connectionSelection)
    {
        var connectionType = (parent as IComplexGraphType)?.GetField("customers")?.ResolvedType?.GetNamedType();
        return connectionType is null ? null : CheckConnection(schema, document, connectionType, connectionSelection, 0);
    }

    private static string? CheckConnection(ISchema schema, GraphQLDocument document, IGraphType connectionType, GraphQLSelectionSet? selection, int depth)
    {
        if (depth > 16 || connectionType is not IComplexGraphType connection)
        {
            return null;
        }

        foreach (var field in Fields(document, selection))
        {
            if (field.Name.StringValue == "nodes" && connection.GetField("nodes")?.ResolvedType?.GetNamedType() is { } nodeType)
            {
                if (CheckNode(schema, document, nodeType, field.SelectionSet, depth) is { } missing)
                {
                    return missing;
                }
            }
            else if (field.Name.StringValue == "edges" && connection.GetField("edges")?.ResolvedType?.GetNamedType() is IComplexGraphType edge)
            {
                foreach (var node in Fields(document, field.SelectionSet).Where(f => f.Name.StringValue == "node"))
                {
                    if (edge.GetField("node")?.ResolvedType?.GetNamedType() is { } edgeNode && CheckNode(schema, document, edgeNode, node.SelectionSet, depth) is { } missing)
                    {
                        return missing;
                    }
                }
            }
        }

        return null;
    }

    private static string? CheckNode(ISchema schema, GraphQLDocument document, IGraphType nodeType, GraphQLSelectionSet? selection, int depth)
    {
        if (nodeType is not IComplexGraphType node)
        {
            return null;
        }

        var fields = Fields(document, selection).ToList();
        var hasId = fields.Any(f => f.Name.StringValue == "id" && f.Alias is null);
        foreach (var field in fields)
        {
            var type = node.GetField(field.Name.StringValue)?.ResolvedType?.GetNamedType();
            if (type is not null && type.Name.EndsWith("Connection", StringComparison.Ordinal))
            {
                if (!hasId)
                {
                    return field.Name.StringValue;
                }

                if (CheckConnection(schema, document, type, field.SelectionSet, depth + 1) is { } missing)
                {
                    return missing;
                }
            }
        }

        return null;
    }

    /// <summary>The fields of a selection set, with fragments spread in.</summary>
    private static IEnumerable<GraphQLField> Fields(GraphQLDocument document, GraphQLSelectionSet? selection)
    {
        foreach (var item in selection?.Selections ?? [])
        {
            switch (item)
            {
                case GraphQLField field:
                    yield return field;
                    break;
                case GraphQLInlineFragment inline:
                    foreach (var field in Fields(document, inline.SelectionSet))
                    {
                        yield return field;
                    }

                    break;
                case GraphQLFragmentSpread spread when document.FindFragmentDefinition(spread.FragmentName.Name.Value) is { } fragment:
                    foreach (var field in Fields(document, fragment.SelectionSet))
                    {
                        yield return field;
                    }

                    break;
            }
        }
    }
}
