using System.IO.Compression;
using System.Text.Json.Nodes;
using GraphQLParser.AST;
using OrchardShopify.Emulator.Schema;
using OrchardShopify.Emulator.Tests.Infrastructure;

namespace OrchardShopify.Emulator.Tests;

/// <summary>The emulator's SDL is a subset of Shopify's published Admin API schema (2026-10): same names, same types.</summary>
public sealed class SchemaSubsetTests
{
    [ShopifySchemaFact]
    public void Every_type_field_argument_and_enum_value_of_the_emulator_exists_in_Shopifys_schema_with_the_same_type()
    {
        var path = ShopifySchemaFactAttribute.Find();
        Assert.True(path is not null, "Shopify's Admin API schema is missing: CI unpacks it with bash tools/graphql-schema-check/run.sh before the tests.");

        var problems = SchemaSubset.Compare(AdminSchema.Sdl(), Load(path!));

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void The_comparison_names_a_wrong_field_type_an_unknown_argument_and_an_unknown_enum_value()
    {
        var official = JsonNode.Parse("""
            {"__schema":{"queryType":{"name":"QueryRoot"},"mutationType":null,"types":[
              {"kind":"OBJECT","name":"QueryRoot","interfaces":[],"fields":[
                {"name":"customer","args":[{"name":"id","type":{"kind":"NON_NULL","name":null,"ofType":{"kind":"SCALAR","name":"ID","ofType":null}}}],
                 "type":{"kind":"OBJECT","name":"Customer","ofType":null}}]},
              {"kind":"OBJECT","name":"Customer","interfaces":[],"fields":[
                {"name":"id","args":[],"type":{"kind":"NON_NULL","name":null,"ofType":{"kind":"SCALAR","name":"ID","ofType":null}}},
                {"name":"state","args":[],"type":{"kind":"NON_NULL","name":null,"ofType":{"kind":"ENUM","name":"CustomerState","ofType":null}}}]},
              {"kind":"ENUM","name":"CustomerState","enumValues":[{"name":"ENABLED"},{"name":"DISABLED"}]}]}}
            """)!.AsObject();
        const string sdl = """
            schema { query: QueryRoot }
            type QueryRoot { customer(id: ID!, legacy: Boolean): Customer }
            type Customer { id: String state: CustomerState! shoeSize: Int }
            enum CustomerState { ENABLED ARCHIVED }
            """;

        var problems = SchemaSubset.Compare(sdl, official);

        Assert.Contains("QueryRoot.customer(legacy): no such argument in Shopify's schema", problems);
        Assert.Contains("Customer.id: String here, ID! in Shopify's schema", problems);
        Assert.Contains("Customer.shoeSize: no such field in Shopify's schema", problems);
        Assert.Contains("CustomerState.ARCHIVED: no such enum value in Shopify's schema", problems);
        Assert.Equal(4, problems.Count);
    }

    private static JsonObject Load(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        var root = JsonNode.Parse(gzip)!.AsObject();
        return root["data"] as JsonObject ?? root;
    }
}

/// <summary>Compares an SDL with an introspection result (the shape Shopify publishes) and lists every difference of the SDL.</summary>
internal static class SchemaSubset
{
    public static List<string> Compare(string sdl, JsonObject introspection)
    {
        var schema = introspection["__schema"]!;
        var official = schema["types"]!.AsArray().Select(t => t!.AsObject()).ToDictionary(t => t["name"]!.GetValue<string>(), StringComparer.Ordinal);
        var document = GraphQLParser.Parser.Parse(sdl);
        var problems = new List<string>();

        foreach (var definition in document.Definitions)
        {
            switch (definition)
            {
                case GraphQLSchemaDefinition roots:
                    foreach (var root in roots.OperationTypes)
                    {
                        var expected = root.Operation switch
                        {
                            OperationType.Query => schema["queryType"]?["name"]?.GetValue<string>(),
                            OperationType.Mutation => schema["mutationType"]?["name"]?.GetValue<string>(),
                            _ => schema["subscriptionType"]?["name"]?.GetValue<string>(),
                        };
                        if (root.Type!.Name.StringValue != expected)
                        {
                            problems.Add($"schema {root.Operation}: {root.Type!.Name.StringValue} here, {expected ?? "none"} in Shopify's schema");
                        }
                    }

                    break;
                case GraphQLObjectTypeDefinition type:
                    CompareFields(type.Name.StringValue, "OBJECT", type.Fields?.Items ?? [], official, problems);
                    foreach (var implemented in type.Interfaces?.Items ?? [])
                    {
                        if (official.TryGetValue(type.Name.StringValue, out var o) && !(o["interfaces"]?.AsArray() ?? []).Any(i => i!["name"]!.GetValue<string>() == implemented.Name.StringValue))
                        {
                            problems.Add($"{type.Name.StringValue} implements {implemented.Name.StringValue}: not in Shopify's schema");
                        }
                    }

                    break;
                case GraphQLInterfaceTypeDefinition type:
                    CompareFields(type.Name.StringValue, "INTERFACE", type.Fields?.Items ?? [], official, problems);
                    break;
                case GraphQLInputObjectTypeDefinition type when Find(type.Name.StringValue, "INPUT_OBJECT", official, problems) is { } input:
                    var inputFields = (input["inputFields"]?.AsArray() ?? []).ToDictionary(f => f!["name"]!.GetValue<string>(), f => f!.AsObject(), StringComparer.Ordinal);
                    foreach (var field in type.Fields?.Items ?? [])
                    {
                        var name = $"{type.Name.StringValue}.{field.Name.StringValue}";
                        if (!inputFields.TryGetValue(field.Name.StringValue, out var theirs))
                        {
                            problems.Add($"{name}: no such input field in Shopify's schema");
                        }
                        else if (Print(field.Type) != Print(theirs["type"]!))
                        {
                            problems.Add($"{name}: {Print(field.Type)} here, {Print(theirs["type"]!)} in Shopify's schema");
                        }
                    }

                    break;
                case GraphQLEnumTypeDefinition type when Find(type.Name.StringValue, "ENUM", official, problems) is { } enumeration:
                    var values = (enumeration["enumValues"]?.AsArray() ?? []).Select(v => v!["name"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
                    foreach (var value in type.Values?.Items ?? [])
                    {
                        if (!values.Contains(value.Name.StringValue))
                        {
                            problems.Add($"{type.Name.StringValue}.{value.Name.StringValue}: no such enum value in Shopify's schema");
                        }
                    }

                    break;
                case GraphQLUnionTypeDefinition type when Find(type.Name.StringValue, "UNION", official, problems) is { } union:
                    var members = (union["possibleTypes"]?.AsArray() ?? []).Select(v => v!["name"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
                    foreach (var member in type.Types?.Items ?? [])
                    {
                        if (!members.Contains(member.Name.StringValue))
                        {
                            problems.Add($"{type.Name.StringValue} | {member.Name.StringValue}: not a member in Shopify's schema");
                        }
                    }

                    break;
                case GraphQLScalarTypeDefinition type:
                    Find(type.Name.StringValue, "SCALAR", official, problems);
                    break;
            }
        }

        return problems;
    }

    private static JsonObject? Find(string name, string kind, Dictionary<string, JsonObject> official, List<string> problems)
    {
        if (!official.TryGetValue(name, out var type))
        {
            problems.Add($"{name}: no such type in Shopify's schema");
            return null;
        }

        if (type["kind"]!.GetValue<string>() != kind)
        {
            problems.Add($"{name}: {kind} here, {type["kind"]!.GetValue<string>()} in Shopify's schema");
            return null;
        }

        return type;
    }

    private static void CompareFields(string typeName, string kind, List<GraphQLFieldDefinition> fields, Dictionary<string, JsonObject> official, List<string> problems)
    {
        if (Find(typeName, kind, official, problems) is not { } type)
        {
            return;
        }

        var theirs = (type["fields"]?.AsArray() ?? []).ToDictionary(f => f!["name"]!.GetValue<string>(), f => f!.AsObject(), StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var name = $"{typeName}.{field.Name.StringValue}";
            if (!theirs.TryGetValue(field.Name.StringValue, out var their))
            {
                problems.Add($"{name}: no such field in Shopify's schema");
                continue;
            }

            if (Print(field.Type) != Print(their["type"]!))
            {
                problems.Add($"{name}: {Print(field.Type)} here, {Print(their["type"]!)} in Shopify's schema");
            }

            var arguments = (their["args"]?.AsArray() ?? []).ToDictionary(a => a!["name"]!.GetValue<string>(), a => a!.AsObject(), StringComparer.Ordinal);
            foreach (var argument in field.Arguments?.Items ?? [])
            {
                var argumentName = $"{name}({argument.Name.StringValue})";
                if (!arguments.TryGetValue(argument.Name.StringValue, out var theirArgument))
                {
                    problems.Add($"{argumentName}: no such argument in Shopify's schema");
                }
                else if (Print(argument.Type) != Print(theirArgument["type"]!))
                {
                    problems.Add($"{argumentName}: {Print(argument.Type)} here, {Print(theirArgument["type"]!)} in Shopify's schema");
                }
            }
        }
    }

    private static string Print(GraphQLType type) => type switch
    {
        GraphQLNonNullType nonNull => Print(nonNull.Type) + "!",
        GraphQLListType list => "[" + Print(list.Type) + "]",
        GraphQLNamedType named => named.Name.StringValue,
        _ => "?",
    };

    private static string Print(JsonNode type) => type["kind"]!.GetValue<string>() switch
    {
        "NON_NULL" => Print(type["ofType"]!) + "!",
        "LIST" => "[" + Print(type["ofType"]!) + "]",
        _ => type["name"]!.GetValue<string>(),
    };
}
