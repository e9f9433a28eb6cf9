using Microsoft.Extensions.Options;
using OrchardCore.Entities;
using OrchardCore.Users.Models;
using OrchardShopify.Core.Configuration;
using E164 = OrchardShopify.Core.Phones.PhoneNormalizer;
using YesSql.Indexes;

namespace OrchardShopify.OrchardCore.Users;

/// <summary>One row per Shopify customer a user is linked to. <see cref="StoreHandle"/> is empty for <c>shopify_id</c> (single-store mode).</summary>
public sealed class ShopifyCustomerLinkIndex : MapIndex
{
    public string StoreHandle { get; set; } = "";

    public long CustomerId { get; set; }

    public string UserId { get; set; } = "";
}

/// <summary>Users by phone number in E.164, for matching a customer by phone without scanning users.</summary>
public sealed class ShopifyUserPhoneIndex : MapIndex
{
    public string Phone { get; set; } = "";

    public string UserId { get; set; } = "";
}

internal sealed class ShopifyUserIndexProvider : IndexProvider<User>
{
    private readonly IOptionsMonitor<ShopifySyncOptions> _options;

    public ShopifyUserIndexProvider(IOptionsMonitor<ShopifySyncOptions> options)
    {
        _options = options;
    }

    public override void Describe(DescribeContext<User> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.For<ShopifyCustomerLinkIndex>()
            .Map(user =>
            {
                var part = user.As<ShopifyUserPart>();
                var rows = part.ShopifyIds
                    .Select(pair => new ShopifyCustomerLinkIndex { StoreHandle = pair.Key, CustomerId = pair.Value, UserId = user.UserId })
                    .ToList();
                if (part.ShopifyId is { } id)
                {
                    rows.Add(new ShopifyCustomerLinkIndex { StoreHandle = "", CustomerId = id, UserId = user.UserId });
                }

                return rows;
            });

        context.For<ShopifyUserPhoneIndex>()
            .Map(user => E164.TryNormalize(user.PhoneNumber, DefaultRegion(), out var phone)
                ? [new ShopifyUserPhoneIndex { Phone = phone, UserId = user.UserId }]
                : Enumerable.Empty<ShopifyUserPhoneIndex>());
    }

    private string DefaultRegion()
    {
        try
        {
            return E164.DefaultRegionOf(_options.CurrentValue);
        }
        catch (OptionsValidationException)
        {
            // Users are saved before the sync is configured; the default region still indexes their phones.
            return E164.DefaultRegionOf(new ShopifySyncOptions());
        }
    }
}
