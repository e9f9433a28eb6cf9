using System.Globalization;

namespace OrchardShopify.Emulator.GraphQL;

/// <summary>Recursive-descent parser for GraphQL executable documents (operations and fragments).</summary>
public sealed class Parser
{
    private readonly IReadOnlyList<Token> _tokens;
    private int _index;

    private Parser(IReadOnlyList<Token> tokens)
    {
        _tokens = tokens;
    }

    private Token Current => _tokens[_index];

    public static GraphQLDocument Parse(string source)
    {
        var parser = new Parser(Lexer.Tokenize(source));
        return parser.ParseDocument();
    }

    private GraphQLDocument ParseDocument()
    {
        var operations = new List<OperationDefinition>();
        var fragments = new Dictionary<string, FragmentDefinition>(StringComparer.Ordinal);
        if (Current.Kind == TokenKind.EndOfDocument)
        {
            throw Unexpected();
        }

        while (Current.Kind != TokenKind.EndOfDocument)
        {
            if (Peek("{"))
            {
                var location = Current.Location;
                operations.Add(new OperationDefinition(OperationType.Query, null, [], [], ParseSelectionSet(), location));
            }
            else if (Current.Kind == TokenKind.Name && Current.Text is "query" or "mutation" or "subscription")
            {
                operations.Add(ParseOperation());
            }
            else if (Current.Kind == TokenKind.Name && Current.Text == "fragment")
            {
                var fragment = ParseFragmentDefinition();
                if (!fragments.TryAdd(fragment.Name, fragment))
                {
                    throw new GraphQLException($"There can be only one fragment named \"{fragment.Name}\"", fragment.Location, "PARSE_ERROR");
                }
            }
            else
            {
                throw Unexpected();
            }
        }

        return new GraphQLDocument(operations, fragments);
    }

    private OperationDefinition ParseOperation()
    {
        var token = Advance();
        var type = token.Text switch
        {
            "query" => OperationType.Query,
            "mutation" => OperationType.Mutation,
            _ => OperationType.Subscription,
        };
        string? name = Current.Kind == TokenKind.Name ? Advance().Text : null;
        var variables = new List<VariableDefinition>();
        if (Skip("("))
        {
            do
            {
                var location = Current.Location;
                Expect("$");
                var variableName = ExpectName();
                Expect(":");
                var variableType = ParseType();
                ValueNode? defaultValue = Skip("=") ? ParseValue(constant: true) : null;
                ParseDirectives();
                variables.Add(new VariableDefinition(variableName, variableType, defaultValue, location));
            }
            while (!Skip(")"));
        }

        var directives = ParseDirectives();
        return new OperationDefinition(type, name, variables, directives, ParseSelectionSet(), token.Location);
    }

    private FragmentDefinition ParseFragmentDefinition()
    {
        var token = Advance();
        if (Current.Kind == TokenKind.Name && Current.Text == "on")
        {
            throw Unexpected();
        }

        var name = ExpectName();
        ExpectKeyword("on");
        var typeCondition = ExpectName();
        var directives = ParseDirectives();
        return new FragmentDefinition(name, typeCondition, directives, ParseSelectionSet(), token.Location);
    }

    private TypeReference ParseType()
    {
        TypeReference type;
        if (Skip("["))
        {
            var item = ParseType();
            Expect("]");
            type = new TypeReference(null, item, false);
        }
        else
        {
            type = new TypeReference(ExpectName(), null, false);
        }

        return Skip("!") ? type with { NonNull = true } : type;
    }

    private List<Selection> ParseSelectionSet()
    {
        Expect("{");
        var selections = new List<Selection>();
        do
        {
            selections.Add(ParseSelection());
        }
        while (!Skip("}"));

        return selections;
    }

    private Selection ParseSelection()
    {
        var location = Current.Location;
        if (Skip("..."))
        {
            if (Current.Kind == TokenKind.Name && Current.Text != "on")
            {
                var fragmentName = Advance().Text;
                return new FragmentSpread(fragmentName, ParseDirectives(), location);
            }

            string? typeCondition = null;
            if (Current.Kind == TokenKind.Name && Current.Text == "on")
            {
                Advance();
                typeCondition = ExpectName();
            }

            var directives = ParseDirectives();
            return new InlineFragment(typeCondition, directives, ParseSelectionSet(), location);
        }

        var nameOrAlias = ExpectName();
        string? alias = null;
        var name = nameOrAlias;
        if (Skip(":"))
        {
            alias = nameOrAlias;
            name = ExpectName();
        }

        var arguments = ParseArguments(constant: false);
        var fieldDirectives = ParseDirectives();
        var selectionSet = Peek("{") ? ParseSelectionSet() : null;
        return new FieldSelection(alias, name, arguments, fieldDirectives, selectionSet, location);
    }

    private List<Argument> ParseArguments(bool constant)
    {
        var arguments = new List<Argument>();
        if (!Skip("("))
        {
            return arguments;
        }

        do
        {
            var location = Current.Location;
            var name = ExpectName();
            Expect(":");
            arguments.Add(new Argument(name, ParseValue(constant), location));
        }
        while (!Skip(")"));

        return arguments;
    }

    private List<Directive> ParseDirectives()
    {
        var directives = new List<Directive>();
        while (Peek("@"))
        {
            var location = Advance().Location;
            directives.Add(new Directive(ExpectName(), ParseArguments(constant: false), location));
        }

        return directives;
    }

    private ValueNode ParseValue(bool constant)
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Punctuator when token.Text == "$" && !constant:
                Advance();
                return new VariableValue(ExpectName(), token.Location);
            case TokenKind.Punctuator when token.Text == "[":
                Advance();
                var items = new List<ValueNode>();
                while (!Skip("]"))
                {
                    items.Add(ParseValue(constant));
                }

                return new ListValue(items, token.Location);
            case TokenKind.Punctuator when token.Text == "{":
                Advance();
                var fields = new List<ObjectField>();
                while (!Skip("}"))
                {
                    var fieldLocation = Current.Location;
                    var name = ExpectName();
                    Expect(":");
                    fields.Add(new ObjectField(name, ParseValue(constant), fieldLocation));
                }

                return new ObjectValue(fields, token.Location);
            case TokenKind.IntLiteral:
                Advance();
                return new IntValue(token.Text, token.Location);
            case TokenKind.FloatLiteral:
                Advance();
                return new FloatValue(token.Text, token.Location);
            case TokenKind.StringLiteral:
                Advance();
                return new StringValue(token.Text, token.Location);
            case TokenKind.Name:
                Advance();
                return token.Text switch
                {
                    "true" => new BooleanValue(true, token.Location),
                    "false" => new BooleanValue(false, token.Location),
                    "null" => new NullValue(token.Location),
                    _ => new EnumValue(token.Text, token.Location),
                };
            default:
                throw Unexpected();
        }
    }

    private bool Peek(string punctuator) => Current.Kind == TokenKind.Punctuator && Current.Text == punctuator;

    private bool Skip(string punctuator)
    {
        if (!Peek(punctuator))
        {
            return false;
        }

        _index++;
        return true;
    }

    private Token Advance()
    {
        var token = Current;
        if (token.Kind != TokenKind.EndOfDocument)
        {
            _index++;
        }

        return token;
    }

    private void Expect(string punctuator)
    {
        if (!Skip(punctuator))
        {
            throw Unexpected($"expected \"{punctuator}\"");
        }
    }

    private void ExpectKeyword(string keyword)
    {
        if (Current.Kind != TokenKind.Name || Current.Text != keyword)
        {
            throw Unexpected($"expected \"{keyword}\"");
        }

        _index++;
    }

    private string ExpectName()
    {
        if (Current.Kind != TokenKind.Name)
        {
            throw Unexpected("expected a name");
        }

        return Advance().Text;
    }

    private GraphQLException Unexpected(string? expectation = null)
    {
        var token = Current;
        var suffix = expectation is null ? string.Empty : $", {expectation}";
        return new GraphQLException(
            string.Create(CultureInfo.InvariantCulture, $"Parse error on {token}{suffix} at [{token.Location.Line}, {token.Location.Column}]"),
            token.Location,
            "PARSE_ERROR");
    }
}
