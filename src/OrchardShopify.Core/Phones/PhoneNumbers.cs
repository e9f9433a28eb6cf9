namespace OrchardShopify.Core.Phones;

/// <summary>
/// Normalizes phone numbers to E.164 (<c>+16135551212</c>) the way Shopify accepts them:
/// <c>6135551212</c>, <c>+16135551212</c>, <c>(613)555-1212</c>, <c>+1 613-555-1212</c>, <c>0044 20 7946 0958</c>.
/// </summary>
public static class PhoneNumbers
{
    /// <param name="defaultCallingCode">Country calling code assumed for national numbers ("1", "44", …).</param>
    public static bool TryNormalize(string? input, string defaultCallingCode, out string e164)
    {
        e164 = "";
        if (string.IsNullOrWhiteSpace(input))
        {
            return false;
        }

        Span<char> digits = stackalloc char[32];
        var count = 0;
        var international = false;
        var text = input.AsSpan().Trim();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= '0' and <= '9')
            {
                if (count == digits.Length)
                {
                    return false;
                }

                digits[count++] = c;
            }
            else if (c == '+' && count == 0 && !international)
            {
                international = true;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')' or '/' or '\u00a0'))
            {
                // Letters, extensions and stray symbols are not dialable as given.
                return false;
            }
        }

        var number = digits[..count];
        if (!international && number.StartsWith("00"))
        {
            international = true;
            number = number[2..];
        }

        string candidate;
        if (international)
        {
            candidate = new string(number);
        }
        else if (defaultCallingCode == "1")
        {
            candidate = number.Length switch
            {
                10 => "1" + new string(number),
                11 when number[0] == '1' => new string(number),
                _ => "",
            };
        }
        else
        {
            // National numbers outside the NANP drop their trunk prefix 0.
            var national = number.Length > 0 && number[0] == '0' ? number[1..] : number;
            candidate = national.Length == 0 ? "" : defaultCallingCode + new string(national);
        }

        if (!IsPlausibleE164Digits(candidate))
        {
            return false;
        }

        e164 = "+" + candidate;
        return true;
    }

    /// <summary>The E.164 form, or null when the input is empty or not a dialable number.</summary>
    public static string? NormalizeOrNull(string? input, string defaultCallingCode)
        => TryNormalize(input, defaultCallingCode, out var e164) ? e164 : null;

    private static bool IsPlausibleE164Digits(string digits)
    {
        if (digits.Length is < 7 or > 15 || digits[0] == '0')
        {
            return false;
        }

        if (digits[0] == '1')
        {
            // NANP: +1 NPA NXX XXXX, where area code and exchange start with 2-9.
            return digits.Length == 11 && digits[1] >= '2' && digits[4] >= '2';
        }

        return true;
    }
}
