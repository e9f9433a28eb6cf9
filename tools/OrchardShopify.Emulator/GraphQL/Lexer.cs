using System.Globalization;
using System.Text;

namespace OrchardShopify.Emulator.GraphQL;

public enum TokenKind
{
    EndOfDocument,
    Punctuator,
    Name,
    IntLiteral,
    FloatLiteral,
    StringLiteral,
}

public readonly record struct Token(TokenKind Kind, string Text, SourceLocation Location)
{
    public override string ToString() => Kind == TokenKind.EndOfDocument ? "end of document" : $"\"{Text}\" ({Kind.ToString().ToUpperInvariant()})";
}

/// <summary>Turns a GraphQL executable document into tokens, skipping whitespace, commas and comments.</summary>
public sealed class Lexer
{
    private readonly string _source;
    private int _position;
    private int _line = 1;
    private int _lineStart;

    public Lexer(string source)
    {
        _source = source;
    }

    public static IReadOnlyList<Token> Tokenize(string source)
    {
        var lexer = new Lexer(source);
        var tokens = new List<Token>();
        Token token;
        do
        {
            token = lexer.Next();
            tokens.Add(token);
        }
        while (token.Kind != TokenKind.EndOfDocument);

        return tokens;
    }

    public Token Next()
    {
        SkipIgnored();
        var location = new SourceLocation(_line, _position - _lineStart + 1);
        if (_position >= _source.Length)
        {
            return new Token(TokenKind.EndOfDocument, string.Empty, location);
        }

        var c = _source[_position];
        switch (c)
        {
            case '!' or '$' or '&' or '(' or ')' or ':' or '=' or '@' or '[' or ']' or '{' or '|' or '}':
                _position++;
                return new Token(TokenKind.Punctuator, c.ToString(), location);
            case '.':
                if (string.CompareOrdinal(_source, _position, "...", 0, 3) == 0)
                {
                    _position += 3;
                    return new Token(TokenKind.Punctuator, "...", location);
                }

                throw Error($"Unexpected character \".\"", location);
            case '"':
                return ReadString(location);
        }

        if (c == '_' || char.IsAsciiLetter(c))
        {
            var start = _position;
            while (_position < _source.Length && (_source[_position] == '_' || char.IsAsciiLetterOrDigit(_source[_position])))
            {
                _position++;
            }

            return new Token(TokenKind.Name, _source[start.._position], location);
        }

        if (c == '-' || char.IsAsciiDigit(c))
        {
            return ReadNumber(location);
        }

        throw Error($"Unexpected character \"{c}\"", location);
    }

    private void SkipIgnored()
    {
        while (_position < _source.Length)
        {
            var c = _source[_position];
            if (c == '\n')
            {
                _position++;
                _line++;
                _lineStart = _position;
            }
            else if (c == '\r')
            {
                _position++;
                if (_position < _source.Length && _source[_position] == '\n')
                {
                    _position++;
                }

                _line++;
                _lineStart = _position;
            }
            else if (c is ' ' or '\t' or ',' or '\uFEFF')
            {
                _position++;
            }
            else if (c == '#')
            {
                while (_position < _source.Length && _source[_position] is not ('\n' or '\r'))
                {
                    _position++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private Token ReadNumber(SourceLocation location)
    {
        var start = _position;
        var isFloat = false;
        if (_source[_position] == '-')
        {
            _position++;
        }

        if (_position >= _source.Length || !char.IsAsciiDigit(_source[_position]))
        {
            throw Error("Invalid number, expected digit", location);
        }

        if (_source[_position] == '0' && _position + 1 < _source.Length && char.IsAsciiDigit(_source[_position + 1]))
        {
            throw Error("Invalid number, unexpected digit after 0", location);
        }

        ReadDigits();
        if (_position < _source.Length && _source[_position] == '.')
        {
            isFloat = true;
            _position++;
            RequireDigits(location);
        }

        if (_position < _source.Length && _source[_position] is 'e' or 'E')
        {
            isFloat = true;
            _position++;
            if (_position < _source.Length && _source[_position] is '+' or '-')
            {
                _position++;
            }

            RequireDigits(location);
        }

        if (_position < _source.Length && (_source[_position] == '_' || char.IsAsciiLetter(_source[_position]) || _source[_position] == '.'))
        {
            throw Error($"Invalid number, unexpected character \"{_source[_position]}\"", location);
        }

        return new Token(isFloat ? TokenKind.FloatLiteral : TokenKind.IntLiteral, _source[start.._position], location);
    }

    private void RequireDigits(SourceLocation location)
    {
        if (_position >= _source.Length || !char.IsAsciiDigit(_source[_position]))
        {
            throw Error("Invalid number, expected digit", location);
        }

        ReadDigits();
    }

    private void ReadDigits()
    {
        while (_position < _source.Length && char.IsAsciiDigit(_source[_position]))
        {
            _position++;
        }
    }

    private Token ReadString(SourceLocation location)
    {
        if (string.CompareOrdinal(_source, _position, "\"\"\"", 0, 3) == 0)
        {
            return ReadBlockString(location);
        }

        _position++;
        var builder = new StringBuilder();
        while (_position < _source.Length)
        {
            var c = _source[_position];
            if (c == '"')
            {
                _position++;
                return new Token(TokenKind.StringLiteral, builder.ToString(), location);
            }

            if (c is '\n' or '\r')
            {
                break;
            }

            if (c == '\\')
            {
                _position++;
                if (_position >= _source.Length)
                {
                    break;
                }

                var escaped = _source[_position];
                switch (escaped)
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'b': builder.Append('\b'); break;
                    case 'f': builder.Append('\f'); break;
                    case 'n': builder.Append('\n'); break;
                    case 'r': builder.Append('\r'); break;
                    case 't': builder.Append('\t'); break;
                    case 'u':
                        if (_position + 4 >= _source.Length
                            || !int.TryParse(_source.AsSpan(_position + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                        {
                            throw Error("Invalid unicode escape sequence", new SourceLocation(_line, _position - _lineStart));
                        }

                        builder.Append((char)code);
                        _position += 4;
                        break;
                    default:
                        throw Error($"Invalid escape sequence \"\\{escaped}\"", new SourceLocation(_line, _position - _lineStart));
                }

                _position++;
                continue;
            }

            builder.Append(c);
            _position++;
        }

        throw Error("Unterminated string", location);
    }

    private Token ReadBlockString(SourceLocation location)
    {
        _position += 3;
        var builder = new StringBuilder();
        while (_position < _source.Length)
        {
            if (string.CompareOrdinal(_source, _position, "\"\"\"", 0, 3) == 0)
            {
                _position += 3;
                return new Token(TokenKind.StringLiteral, DedentBlockString(builder.ToString()), location);
            }

            if (string.CompareOrdinal(_source, _position, "\\\"\"\"", 0, 4) == 0)
            {
                builder.Append("\"\"\"");
                _position += 4;
                continue;
            }

            var c = _source[_position];
            if (c == '\n')
            {
                _line++;
                _lineStart = _position + 1;
            }

            builder.Append(c);
            _position++;
        }

        throw Error("Unterminated string", location);
    }

    private static string DedentBlockString(string raw)
    {
        var lines = raw.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int? common = null;
        for (var i = 1; i < lines.Length; i++)
        {
            var indent = lines[i].Length - lines[i].TrimStart(' ', '\t').Length;
            if (indent < lines[i].Length && (common is null || indent < common))
            {
                common = indent;
            }
        }

        if (common is > 0)
        {
            for (var i = 1; i < lines.Length; i++)
            {
                lines[i] = lines[i].Length >= common ? lines[i][common.Value..] : string.Empty;
            }
        }

        var list = lines.ToList();
        while (list.Count > 0 && string.IsNullOrWhiteSpace(list[0]))
        {
            list.RemoveAt(0);
        }

        while (list.Count > 0 && string.IsNullOrWhiteSpace(list[^1]))
        {
            list.RemoveAt(list.Count - 1);
        }

        return string.Join('\n', list);
    }

    private static GraphQLException Error(string message, SourceLocation location) =>
        new($"Syntax error: {message} at [{location.Line}, {location.Column}]", location, "PARSE_ERROR");
}
