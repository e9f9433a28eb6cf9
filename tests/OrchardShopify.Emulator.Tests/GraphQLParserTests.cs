using OrchardShopify.Emulator.GraphQL;

namespace OrchardShopify.Emulator.Tests;

public sealed class GraphQLParserTests
{
    [Fact]
    public void Operation_with_variables_defaults_aliases_and_every_literal_kind_is_parsed()
    {
        var document = Parser.Parse(""""
            # leading comment
            query Find($first: Int = 10, $ids: [ID!]!, $flag: Boolean = true) {
              list: customers(first: $first, query: "email:\"a@b.c\"", reverse: false, sortKey: UPDATED_AT) {
                nodes { id }
              }
              other: thing(f: -1.5e3, n: null, l: [1, 2], o: {a: {b: "x"}}, s: """
                  block
                    string
              """)
            }
            """");

        var operation = Assert.Single(document.Operations);
        Assert.Equal("Find", operation.Name);
        Assert.Equal(OperationType.Query, operation.Type);
        Assert.Equal(["first", "ids", "flag"], operation.Variables.Select(v => v.Name));
        Assert.Equal("10", Assert.IsType<IntValue>(operation.Variables[0].DefaultValue).Text);
        Assert.Equal("[ID!]!", operation.Variables[1].Type.ToString());
        var list = Assert.IsType<FieldSelection>(operation.SelectionSet[0]);
        Assert.Equal(("list", "customers"), (list.Alias, list.Name));
        Assert.Equal("email:\"a@b.c\"", Assert.IsType<StringValue>(list.Arguments[1].Value).Value);
        Assert.Equal("UPDATED_AT", Assert.IsType<EnumValue>(list.Arguments[3].Value).Name);
        var other = Assert.IsType<FieldSelection>(operation.SelectionSet[1]);
        Assert.Equal("-1.5e3", Assert.IsType<FloatValue>(other.Arguments[0].Value).Text);
        Assert.IsType<NullValue>(other.Arguments[1].Value);
        Assert.Equal(2, Assert.IsType<ListValue>(other.Arguments[2].Value).Items.Count);
        Assert.IsType<ObjectValue>(Assert.IsType<ObjectValue>(other.Arguments[3].Value).Fields[0].Value);
        Assert.Equal("block\n  string", Assert.IsType<StringValue>(other.Arguments[4].Value).Value);
    }

    [Fact]
    public void Named_and_inline_fragments_are_parsed_with_type_conditions()
    {
        var document = Parser.Parse("""
            { customer(id: "x") { ...Basics ... on Customer { note } ... @include(if: true) { tags } } }
            fragment Basics on Customer { id firstName }
            """);

        Assert.Equal("Customer", document.Fragments["Basics"].TypeCondition);
        var customer = Assert.IsType<FieldSelection>(document.Operations[0].SelectionSet[0]);
        Assert.Equal("Basics", Assert.IsType<FragmentSpread>(customer.SelectionSet![0]).Name);
        Assert.Equal("Customer", Assert.IsType<InlineFragment>(customer.SelectionSet[1]).TypeCondition);
        var untyped = Assert.IsType<InlineFragment>(customer.SelectionSet[2]);
        Assert.Null(untyped.TypeCondition);
        Assert.Equal("include", Assert.Single(untyped.Directives).Name);
    }

    [Theory]
    [InlineData("{ customers(first: 2 { id } }", 1, 22)]
    [InlineData("query {\n  customer(id: \"1\") {\n    id\n  \n}", 5, 2)]
    [InlineData("{ a(x: \"unterminated) }", 1, 8)]
    [InlineData("{ a(x: 01) }", 1, 8)]
    public void Malformed_documents_fail_with_the_location_of_the_problem(string source, int line, int column)
    {
        var exception = Assert.Throws<GraphQLException>(() => Parser.Parse(source));

        var location = Assert.Single(exception.Error.Locations!);
        Assert.Equal((line, column), (location.Line, location.Column));
        Assert.Contains($"[{line}, {column}]", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unicode_escapes_and_commas_are_handled_by_the_lexer()
    {
        var document = Parser.Parse("{ a(x: \"caf\\u00e9\",,, y: 1) }");

        var field = Assert.IsType<FieldSelection>(document.Operations[0].SelectionSet[0]);
        Assert.Equal("café", Assert.IsType<StringValue>(field.Arguments[0].Value).Value);
        Assert.Equal(2, field.Arguments.Count);
    }
}
