using System.Net;
using OrchardShopify.Emulator.Tests.Infrastructure;

namespace OrchardShopify.Emulator.Tests;

public sealed class AdminApiProtocolTests
{
    [Fact]
    public async Task Wrong_or_missing_access_token_is_answered_401()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);

        var wrong = await client.SendAsync("{ shop { name } }", token: "shpat_wrong");
        var missing = await client.SendAsync("{ shop { name } }", token: string.Empty);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.Status);
        Assert.Contains("Invalid API key or access token", wrong.Body["errors"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_shop_is_answered_404()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);

        var response = await client.SendAsync("{ shop { name } }", shop: "nope.myshopify.com");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
    }

    [Fact]
    public async Task Unknown_operation_is_an_error_naming_it_and_returns_no_data()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);

        var response = await client.SendAsync("{ productVariants(first: 1) { nodes { id } } }");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Null(response.Data);
        Assert.Equal("Field 'productVariants' doesn't exist on type 'QueryRoot'", response.FirstErrorMessage);
        Assert.Equal("undefinedField", response.FirstErrorCode);
    }

    [Fact]
    public async Task Unknown_mutation_and_unknown_field_are_named_in_errors()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);

        var mutation = await client.SendAsync("mutation { customerMerge(customerOneId: \"a\", customerTwoId: \"b\") { job { id } } }");
        var field = await client.SendAsync("{ customers(first: 1) { nodes { id lifetimeValue } } }");

        Assert.Equal("Field 'customerMerge' doesn't exist on type 'Mutation'", mutation.FirstErrorMessage);
        Assert.Equal("Field 'lifetimeValue' doesn't exist on type 'Customer'", field.FirstErrorMessage);
        Assert.Equal(new[] { "customers", "nodes", "lifetimeValue" }, field.Errors![0]!["path"]!.AsArray().Select(p => p!.GetValue<string>()));
    }

    [Fact]
    public async Task Invalid_mutation_selection_does_not_create_anything()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        var before = emulator.Shops[Emulators.Uk].Count;

        var response = await client.SendAsync("mutation { customerCreate(input: {email: \"x@example.com\"}) { customer { bogus } } }");

        Assert.Contains("bogus", response.FirstErrorMessage, StringComparison.Ordinal);
        Assert.Equal(before, emulator.Shops[Emulators.Uk].Count);
    }

    [Fact]
    public async Task Malformed_document_is_a_parse_error_with_location()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);

        var response = await client.SendAsync("{\n  customers(first: 1) {\n    nodes { id\n}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Null(response.Data);
        Assert.StartsWith("Parse error", response.FirstErrorMessage, StringComparison.Ordinal);
        Assert.Equal(4, response.Errors![0]!["locations"]![0]!["line"]!.GetValue<int>());
    }

    [Fact]
    public async Task Variables_defaults_aliases_fragments_inline_fragments_and_typename_execute()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);

        var data = await client.DataAsync("""
            query Page($size: Int = 3, $withNote: Boolean!) {
              firstPage: customers(first: $size) {
                nodes { __typename ...Contact ... on Customer { note @include(if: $withNote) } }
              }
              total: customersCount { count }
            }
            fragment Contact on Customer { id mail: email defaultEmailAddress { emailAddress } }
            """, new { withNote = false });

        var nodes = data["firstPage"]!["nodes"]!.AsArray();
        Assert.Equal(3, nodes.Count);
        Assert.All(nodes, n =>
        {
            Assert.Equal("Customer", n!["__typename"]!.GetValue<string>());
            Assert.StartsWith("gid://shopify/Customer/", n["id"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(n["mail"]!.GetValue<string>(), n["defaultEmailAddress"]!["emailAddress"]!.GetValue<string>());
            Assert.False(n.AsObject().ContainsKey("note"));
        });
        Assert.Equal(20, data["total"]!["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Missing_required_argument_and_missing_variable_are_reported()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);

        var argument = await client.SendAsync("{ customer { id } }");
        var variable = await client.SendAsync("query($id: ID!) { customer(id: $id) { id } }");

        Assert.Equal("Field 'customer' is missing required arguments: id", argument.FirstErrorMessage);
        Assert.Equal("Variable $id of type ID! was provided invalid value", variable.FirstErrorMessage);
    }

    [Fact]
    public async Task Connections_demand_a_page_size_within_250()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);

        var none = await client.SendAsync("{ customers { nodes { id } } }");
        var tooMany = await client.SendAsync("{ customers(first: 251) { nodes { id } } }");

        Assert.Contains("first or last", none.FirstErrorMessage, StringComparison.Ordinal);
        Assert.Contains("250", tooMany.FirstErrorMessage, StringComparison.Ordinal);
    }
}
