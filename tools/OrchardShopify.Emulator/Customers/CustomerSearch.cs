using System.Globalization;

namespace OrchardShopify.Emulator.Customers;

/// <summary>
/// Shopify's search syntax as far as a customer sync uses it: <c>field:value</c> terms joined by spaces/AND,
/// comparators on dates (<c>updated_at:&gt;'2024-01-01T00:00:00Z'</c>), quoted values, and free text.
/// </summary>
public static class CustomerSearch
{
    public static Func<Customer, bool> Compile(string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return _ => true;
        }

        var predicates = Tokenize(query)
            .Where(t => !string.Equals(t, "AND", StringComparison.Ordinal))
            .Select(CompileTerm)
            .ToList();
        return customer => predicates.All(p => p(customer));
    }

    private static Func<Customer, bool> CompileTerm(string term)
    {
        var negate = term.StartsWith('-') || term.StartsWith("NOT ", StringComparison.Ordinal);
        if (negate)
        {
            term = term.StartsWith('-') ? term[1..] : term[4..];
        }

        Func<Customer, bool> predicate;
        var colon = term.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            var text = Unquote(term);
            predicate = c => Contains(c.FirstName, text) || Contains(c.LastName, text) || Contains(c.Email, text) || Contains(c.Phone, text) || Contains(c.DisplayName, text);
        }
        else
        {
            var field = term[..colon].ToLowerInvariant();
            var rest = term[(colon + 1)..];
            var comparator = rest.StartsWith(">=", StringComparison.Ordinal) || rest.StartsWith("<=", StringComparison.Ordinal) ? rest[..2]
                : rest.StartsWith('>') || rest.StartsWith('<') ? rest[..1] : string.Empty;
            var value = Unquote(rest[comparator.Length..]);
            predicate = field switch
            {
                "email" => value == "*" ? c => c.Email is not null : c => string.Equals(c.Email, value, StringComparison.OrdinalIgnoreCase),
                "phone" => value == "*" ? c => c.Phone is not null : PhoneMatcher(value),
                "first_name" => c => string.Equals(c.FirstName, value, StringComparison.OrdinalIgnoreCase),
                "last_name" => c => string.Equals(c.LastName, value, StringComparison.OrdinalIgnoreCase),
                "state" or "customer_account_status" => c => string.Equals(c.State, value, StringComparison.OrdinalIgnoreCase),
                "tag" => c => c.Tags.Contains(value, StringComparer.OrdinalIgnoreCase),
                "id" => CompareNumber(c => c.Id, comparator, value),
                "orders_count" or "number_of_orders" => CompareNumber(c => c.Orders.Length, comparator, value),
                "updated_at" => CompareDate(c => c.UpdatedAt, comparator, value),
                "created_at" => CompareDate(c => c.CreatedAt, comparator, value),
                "country" => c => c.Addresses.Any(a => string.Equals(a.CountryCode, value, StringComparison.OrdinalIgnoreCase) || string.Equals(a.Country, value, StringComparison.OrdinalIgnoreCase)),
                // Unknown fields fall back to free text over the whole term, like Shopify's lenient search.
                _ => c => Contains(c.DisplayName, value) || Contains(c.Email, value),
            };
        }

        return negate ? c => !predicate(c) : predicate;
    }

    private static Func<Customer, bool> PhoneMatcher(string value)
    {
        if (ShopifyPhone.TryNormalize(value, out var e164))
        {
            return c => c.Phone == e164;
        }

        var digits = new string(value.Where(char.IsAsciiDigit).ToArray());
        return c => c.Phone is not null && digits.Length > 0 && c.Phone.EndsWith(digits, StringComparison.Ordinal);
    }

    private static Func<Customer, bool> CompareNumber(Func<Customer, long> selector, string comparator, string value)
    {
        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var target))
        {
            return _ => false;
        }

        return c => Compare(selector(c).CompareTo(target), comparator);
    }

    private static Func<Customer, bool> CompareDate(Func<Customer, DateTimeOffset> selector, string comparator, string value)
    {
        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var target))
        {
            return _ => false;
        }

        if (comparator.Length == 0 && value.Length <= 10)
        {
            return c => selector(c).UtcDateTime.Date == target.UtcDateTime.Date;
        }

        return c => Compare(selector(c).CompareTo(target), comparator);
    }

    private static bool Compare(int comparison, string comparator) => comparator switch
    {
        ">" => comparison > 0,
        ">=" => comparison >= 0,
        "<" => comparison < 0,
        "<=" => comparison <= 0,
        _ => comparison == 0,
    };

    private static bool Contains(string? haystack, string needle) =>
        haystack is not null && haystack.Contains(needle, StringComparison.OrdinalIgnoreCase);

    private static string Unquote(string value)
    {
        value = value.Trim();
        return value.Length >= 2 && (value[0] is '\'' or '"') && value[^1] == value[0] ? value[1..^1] : value;
    }

    private static IEnumerable<string> Tokenize(string query)
    {
        var current = new System.Text.StringBuilder();
        char? quote = null;
        foreach (var c in query)
        {
            if (quote is not null)
            {
                current.Append(c);
                if (c == quote)
                {
                    quote = null;
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                current.Append(c);
            }
            else if (char.IsWhiteSpace(c))
            {
                if (current.Length > 0)
                {
                    yield return current.ToString();
                    current.Clear();
                }
            }
            else
            {
                current.Append(c);
            }
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }
}
