using System.Globalization;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Customers;

namespace OrchardShopify.AspNetCore.Tests.Support;

/// <summary>A site that pushes user changes to Shopify.</summary>
public sealed class OutboundSiteFixture : IAsyncLifetime
{
    internal TestSite Site { get; private set; } = null!;

    public async Task InitializeAsync() => Site = await TestSite.StartAsync(s => s["Shopify:UpdateUsersInShopify"] = "true");

    public async Task DisposeAsync() => await Site.DisposeAsync();
}

internal static class SteveLastnameson
{
    public const long CustomerId = 1073339470;
    public const string Email = "steve.lastnameson@example.com";

    public static readonly byte[] CreatePayload = TestSite.Payload("customers-create-steve-lastnameson.json");

    /// <summary>Shopify has Steve, and his customers/create webhook has been applied on the site.</summary>
    public static async Task<string> ArriveAsync(TestSite site, string webhookId)
    {
        site.Shopify.Seed(CustomerId, new CustomerProfile("Steve", "Lastnameson", Email, "+15142546011"), DateTimeOffset.Parse("2025-07-01T14:37:24-04:00", CultureInfo.InvariantCulture));
        using var response = await site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", CreatePayload, webhookId);
        response.EnsureSuccessStatusCode();
        await TestSite.EventuallyAsync(async () => (await site.ItemsWithWebhookIdAsync(webhookId)).Single().Status == WorkStatus.Succeeded, "Steve's delivery is applied");
        return (await site.WithUsersAsync(users => users.FindByEmailAsync(Email)))!.Id;
    }
}
