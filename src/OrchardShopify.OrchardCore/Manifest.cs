using OrchardCore.Modules.Manifest;
using OrchardShopify.OrchardCore;

[assembly: Module(
    Name = "Shopify customer sync",
    Author = "OrchardShopify contributors",
    Website = "https://github.com/orchardshopify/orchardshopify",
    Version = "1.0.0",
    Description = "Keeps Shopify customers and Orchard Core users in sync.",
    Category = "Commerce")]

[assembly: Feature(
    Id = ShopifySyncConstants.Features.Sync,
    Name = "Shopify customer sync",
    Category = "Commerce",
    Description = "Receives Shopify customer webhooks, links or creates users, and pushes user changes back to Shopify.",
    Dependencies =
    [
        "OrchardCore.Users",
        "OrchardCore.Settings",
    ])]

[assembly: Feature(
    Id = ShopifySyncConstants.Features.Liquid,
    Name = "Shopify Liquid tags",
    Category = "Commerce",
    Description = "Liquid tags that show the signed-in user's Shopify customer, orders and addresses.",
    Dependencies =
    [
        ShopifySyncConstants.Features.Sync,
        "OrchardCore.Liquid",
    ])]
