using OrchardCore.Data.Migration;
using YesSql.Sql;

namespace OrchardShopify.OrchardCore.Users;

public sealed class ShopifyUserMigrations : DataMigration
{
    public async Task<int> CreateAsync()
    {
        await SchemaBuilder.CreateMapIndexTableAsync<ShopifyCustomerLinkIndex>(table => table
            .Column<string>(nameof(ShopifyCustomerLinkIndex.StoreHandle), column => column.WithLength(50))
            .Column<long>(nameof(ShopifyCustomerLinkIndex.CustomerId))
            .Column<string>(nameof(ShopifyCustomerLinkIndex.UserId), column => column.WithLength(255)));

        await SchemaBuilder.AlterIndexTableAsync<ShopifyCustomerLinkIndex>(table => table
            .CreateIndex("IDX_ShopifyCustomerLinkIndex_Customer", "DocumentId", nameof(ShopifyCustomerLinkIndex.StoreHandle), nameof(ShopifyCustomerLinkIndex.CustomerId)));

        await SchemaBuilder.CreateMapIndexTableAsync<ShopifyUserPhoneIndex>(table => table
            .Column<string>(nameof(ShopifyUserPhoneIndex.Phone), column => column.WithLength(20))
            .Column<string>(nameof(ShopifyUserPhoneIndex.UserId), column => column.WithLength(255)));

        await SchemaBuilder.AlterIndexTableAsync<ShopifyUserPhoneIndex>(table => table
            .CreateIndex("IDX_ShopifyUserPhoneIndex_Phone", "DocumentId", nameof(ShopifyUserPhoneIndex.Phone)));

        return 1;
    }
}
