using System.Text.Json.Nodes;

namespace OrchardShopify.Emulator.GraphQL;

public sealed record GraphQLError(
    string Message,
    IReadOnlyList<SourceLocation>? Locations = null,
    IReadOnlyList<object>? Path = null,
    IReadOnlyDictionary<string, JsonNode?>? Extensions = null)
{
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["message"] = Message };
        if (Locations is { Count: > 0 })
        {
            var locations = new JsonArray();
            foreach (var location in Locations)
            {
                locations.Add(new JsonObject { ["line"] = location.Line, ["column"] = location.Column });
            }

            json["locations"] = locations;
        }

        if (Path is { Count: > 0 })
        {
            var path = new JsonArray();
            foreach (var segment in Path)
            {
                path.Add(segment is int index ? JsonValue.Create(index) : JsonValue.Create(segment.ToString()));
            }

            json["path"] = path;
        }

        if (Extensions is { Count: > 0 })
        {
            var extensions = new JsonObject();
            foreach (var (key, value) in Extensions)
            {
                extensions[key] = value?.DeepClone();
            }

            json["extensions"] = extensions;
        }

        return json;
    }
}

public sealed class GraphQLException : Exception
{
    public GraphQLException(GraphQLError error)
        : base(error.Message)
    {
        Error = error;
    }

    public GraphQLException(string message, SourceLocation? location = null, string? code = null)
        : this(new GraphQLError(
            message,
            location is { } l ? [l] : null,
            Extensions: code is null ? null : new Dictionary<string, JsonNode?> { ["code"] = code }))
    {
    }

    public GraphQLError Error { get; }
}
