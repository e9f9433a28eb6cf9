namespace OrchardShopify.Emulator.Customers;

/// <summary>Normalizes phone input to E.164 the way Shopify accepts it; 10-digit national numbers are read as NANP.</summary>
public static class PhoneNumbers
{
    public static bool TryNormalize(string? input, out string e164)
    {
        e164 = string.Empty;
        if (string.IsNullOrWhiteSpace(input))
        {
            return false;
        }

        var trimmed = input.Trim();
        var international = trimmed.StartsWith('+');
        var digits = new System.Text.StringBuilder();
        foreach (var c in international ? trimmed[1..] : trimmed)
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')'))
            {
                return false;
            }
        }

        var number = digits.ToString();
        if (!international && number.StartsWith("00", StringComparison.Ordinal))
        {
            international = true;
            number = number[2..];
        }

        if (!international)
        {
            if (number.Length == 11 && number[0] == '1')
            {
                number = number[1..];
            }

            if (number.Length != 10)
            {
                return false;
            }

            number = "1" + number;
        }

        if (number.Length is < 8 or > 15 || number[0] == '0')
        {
            return false;
        }

        if (number[0] == '1' && !IsValidNanp(number[1..]))
        {
            return false;
        }

        e164 = "+" + number;
        return true;
    }

    private static bool IsValidNanp(string national) =>
        national.Length == 10 && national[0] is >= '2' and <= '9' && national[3] is >= '2' and <= '9';
}
