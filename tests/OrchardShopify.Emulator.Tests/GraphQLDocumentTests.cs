using System.Net;
using OrchardShopify.Emulator.Tests.Infrastructure;

namespace OrchardShopify.Emulator.Tests;

/// <summary>GraphQL documents as clients write them, read by GraphQL.NET's parser through the Admin API endpoint.</summary>
public sealed class GraphQLDocumentTests
{
    [Fact]
    public async Task Operation_with_variables_defaults_aliases_and_every_literal_kind_is_read()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 3 });
        using var client = new AdminClient(emulator);
        var created = await client.CreateCustomerAsync(new { email = "ada.literal@example.com", firstName = "Ada" });

        var data = await client.DataAsync(""""
            # leading comment
            query Find($first: Int = 10, $flag: Boolean = true) {
              list: customers(first: $first, query: "email:\"ada.literal@example.com\"", reverse: false, sortKey: UPDATED_AT) {
                nodes { id firstName @include(if: $flag) }
              }
              other: customersCount(query: """
                  email:ada.literal@example.com
              """, limit: 5) { count precision }
            }
            """");

        var node = Assert.Single(data["list"]!["nodes"]!.AsArray());
        Assert.Equal(created["id"]!.GetValue<string>(), node!["id"]!.GetValue<string>());
        Assert.Equal("Ada", node["firstName"]!.GetValue<string>());
        Assert.Equal(1, data["other"]!["count"]!.GetValue<int>());
        Assert.Equal("EXACT", data["other"]!["precision"]!.GetValue<string>());
    }

    [Fact]
    public async Task Named_and_inline_fragments_apply_by_type_condition()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1 });
        using var client = new AdminClient(emulator);
        var created = await client.CreateCustomerAsync(new { email = "frag@example.com", firstName = "Frag", note = "noted", tags = new[] { "vip" } });

        var data = await client.DataAsync(
            """
            query($id: ID!) { customer(id: $id) { ...Basics ... on Customer { note } ... @include(if: true) { tags } ... on Node { legacy: id } } }
            fragment Basics on Customer { id firstName }
            """,
            new { id = created["id"]!.GetValue<string>() });

        var customer = data["customer"]!;
        Assert.Equal(created["id"]!.GetValue<string>(), customer["id"]!.GetValue<string>());
        Assert.Equal(created["id"]!.GetValue<string>(), customer["legacy"]!.GetValue<string>());
        Assert.Equal("Frag", customer["firstName"]!.GetValue<string>());
        Assert.Equal("noted", customer["note"]!.GetValue<string>());
        Assert.Equal(["vip"], customer["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    [Theory]
    [InlineData("{ customers(first: 2 { id } }", 1, 22)]
    [InlineData("query {\n  customer(id: \"1\") {\n    id\n  \n}", 5, 2)]
    // GraphQL.NET's parser points where graphql-js does: the end of an unterminated string, the digit after a leading 0.
    [InlineData("{ a(x: \"unterminated) }", 1, 24)]
    [InlineData("{ a(x: 01) }", 1, 9)]
    public async Task Malformed_documents_fail_with_the_location_of_the_problem(string source, int line, int column)
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1 });
        using var client = new AdminClient(emulator);

        var response = await client.SendAsync(source);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Null(response.Data);
        var location = Assert.Single(response.Errors![0]!["locations"]!.AsArray())!;
        Assert.Equal((line, column), (location["line"]!.GetValue<int>(), location["column"]!.GetValue<int>()));
        Assert.StartsWith("Parse error", response.FirstErrorMessage, StringComparison.Ordinal);
        Assert.Contains($"[{line}, {column}]", response.FirstErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unicode_escapes_and_commas_are_read()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1 });
        using var client = new AdminClient(emulator);

        var data = await client.DataAsync("mutation { customerCreate(input: {firstName: \"caf\\u00e9\",,, lastName: \"Lex\"}) { customer { firstName lastName } userErrors { message } } }");

        Assert.Equal("café", data["customerCreate"]!["customer"]!["firstName"]!.GetValue<string>());
        Assert.Equal("Lex", data["customerCreate"]!["customer"]!["lastName"]!.GetValue<string>());
    }
}
