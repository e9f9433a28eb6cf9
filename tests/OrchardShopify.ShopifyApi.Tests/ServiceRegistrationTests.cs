using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.ShopifyApi.Tests;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public void Registration_resolves_the_port_and_shares_one_bucket_registry()
    {
        using var provider = new ServiceCollection().AddLogging().AddShopifyAdminApi(o => o.MaxAttempts = 3).BuildServiceProvider();

        Assert.IsType<ShopifyCustomerClient>(provider.GetRequiredService<IShopifyCustomerApi>());
        Assert.NotNull(provider.GetRequiredService<BulkCustomerExport>());
        Assert.NotNull(provider.GetRequiredService<WebhookSubscriptionClient>());
        Assert.Same(provider.GetRequiredService<ThrottleBucketRegistry>(), provider.GetRequiredService<ThrottleBucketRegistry>());
    }
}
