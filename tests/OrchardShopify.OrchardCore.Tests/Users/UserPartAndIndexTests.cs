using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using OrchardCore.Entities;
using OrchardCore.Users.Models;
using OrchardShopify.Core.Configuration;
using OrchardShopify.OrchardCore.Users;
using YesSql.Indexes;

namespace OrchardShopify.OrchardCore.Tests.Users;

public sealed class UserPartAndIndexTests
{
    [Fact]
    public void Part_keeps_the_statamic_names_shopify_id_and_shopify_ids_on_the_user()
    {
        var user = new User { UserId = "u1", UserName = "ada" };
        user.Put(new ShopifyUserPart { ShopifyId = 1001, ShopifyIds = new(StringComparer.OrdinalIgnoreCase) { ["uk"] = 2002 } });

        var json = (JsonObject)user.Properties[nameof(ShopifyUserPart)]!;

        Assert.Equal(1001, json["shopify_id"]!.GetValue<long>());
        Assert.Equal(2002, json["shopify_ids"]!["uk"]!.GetValue<long>());
        Assert.Equal(2002, user.As<ShopifyUserPart>().ShopifyIds["UK"]);
    }

    [Fact]
    public async Task Link_index_has_one_row_per_linked_store_and_an_empty_store_for_shopify_id()
    {
        var user = new User { UserId = "u1", UserName = "ada" };
        user.Put(new ShopifyUserPart { ShopifyId = 1001, ShopifyIds = new() { ["uk"] = 2002, ["us"] = 3003 } });

        var rows = (await MapAsync(user)).OfType<ShopifyCustomerLinkIndex>().OrderBy(r => r.CustomerId).ToList();

        Assert.Equal(
            [("", 1001L, "u1"), ("uk", 2002L, "u1"), ("us", 3003L, "u1")],
            rows.Select(r => (r.StoreHandle, r.CustomerId, r.UserId)));
    }

    [Fact]
    public async Task Phone_index_holds_the_number_in_e164_with_the_configured_calling_code()
    {
        var national = new User { UserId = "u1", UserName = "ada", PhoneNumber = "020 7946 0958" };
        var none = new User { UserId = "u2", UserName = "bob" };

        var rows = (await MapAsync(national, callingCode: "44")).OfType<ShopifyUserPhoneIndex>().ToList();
        var noRows = (await MapAsync(none, callingCode: "44")).OfType<ShopifyUserPhoneIndex>().ToList();

        Assert.Equal(("+442079460958", "u1"), (Assert.Single(rows).Phone, rows[0].UserId));
        Assert.Empty(noRows);
    }

    [Fact]
    public async Task Unlinked_user_has_no_link_rows()
    {
        var rows = await MapAsync(new User { UserId = "u3", UserName = "cy" });

        Assert.Empty(rows.OfType<ShopifyCustomerLinkIndex>());
    }

    private static async Task<List<IIndex>> MapAsync(User user, string callingCode = "1")
    {
        var options = new ShopifySyncOptions { DefaultCountryCallingCode = callingCode };
        options.Stores["uk"] = new StoreOptions { ShopDomain = "uk.myshopify.com", WebhookSecret = "s" };
        var provider = new ShopifyUserIndexProvider(new StaticMonitor(options));
        var context = new DescribeContext<User>();
        provider.Describe(context);
        var rows = new List<IIndex>();
        foreach (var descriptor in context.Describe(typeof(User)))
        {
            rows.AddRange((await descriptor.Map(user)).Where(i => i is not null));
        }

        return rows;
    }

    private sealed class StaticMonitor(ShopifySyncOptions value) : IOptionsMonitor<ShopifySyncOptions>
    {
        public ShopifySyncOptions CurrentValue => value;

        public ShopifySyncOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ShopifySyncOptions, string?> listener) => null;
    }
}
