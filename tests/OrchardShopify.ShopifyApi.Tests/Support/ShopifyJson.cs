namespace OrchardShopify.ShopifyApi.Tests.Support;

/// <summary>Real-shaped Admin API 2026-10 objects.</summary>
internal static class ShopifyJson
{
    public static string Customer(long id, string? first, string? last, string? email, string? phone, string updatedAt = "2026-10-14T08:15:27Z") =>
        $$"""
        {"id":"gid://shopify/Customer/{{id}}","firstName":{{Str(first)}},"lastName":{{Str(last)}},"updatedAt":"{{updatedAt}}","defaultEmailAddress":{{(email is null ? "null" : $"{{\"emailAddress\":\"{email}\"}}")}},"defaultPhoneNumber":{{(phone is null ? "null" : $"{{\"phoneNumber\":\"{phone}\"}}")}}}
        """;

    public static string Str(string? value) => value is null ? "null" : $"\"{value}\"";
}
