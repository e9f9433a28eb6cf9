using Microsoft.Extensions.DependencyInjection;
using OrchardCore.Data.Migration;
using OrchardCore.Environment.Shell.Scope;
using OrchardCore.Users.Indexes;
using OrchardCore.Users.Models;
using YesSql;
using YesSql.Sql;

namespace OrchardShopify.OrchardCore.Users;

internal sealed class ShopifyUserMigrations : DataMigration
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

        // Users saved before the feature was enabled have no rows yet; index them once this schema is committed.
        ShellScope.AddDeferredTask(scope => IndexExistingUsersAsync(scope.ServiceProvider.GetRequiredService<ISession>()));

        return 1;
    }

    /// <summary>Saves every user again, in pages, so the module's index providers map them.</summary>
    internal static async Task IndexExistingUsersAsync(ISession session)
    {
        const int PageSize = 200;
        for (var page = 0; ; page++)
        {
            var users = (await session.Query<User, UserIndex>().OrderBy(x => x.DocumentId).Skip(page * PageSize).Take(PageSize).ListAsync()).ToList();
            foreach (var user in users)
            {
                await session.SaveAsync(user);
            }

            await session.FlushAsync();
            if (users.Count < PageSize)
            {
                return;
            }
        }
    }
}
