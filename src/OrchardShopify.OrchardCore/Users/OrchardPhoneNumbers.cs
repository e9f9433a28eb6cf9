using PhoneNumbers;

namespace OrchardShopify.OrchardCore.Users;

/// <summary>
/// The phone numbers Orchard Core's user editor accepts: an international number that libphonenumber calls valid
/// (Orchard Core's own <c>PhoneNumberValidator</c>). Shopify accepts some numbers that fail it (the fictional
/// +44 7700 900xxx range, for one); the sync does not write those into <c>User.PhoneNumber</c>, where they would stop the
/// administrator from saving the user.
/// </summary>
internal static class OrchardPhoneNumbers
{
    public static bool Accepts(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return false;
        }

        var util = PhoneNumberUtil.GetInstance();
        try
        {
            return util.IsValidNumber(util.Parse(phone, null));
        }
        catch (NumberParseException)
        {
            return false;
        }
    }
}
