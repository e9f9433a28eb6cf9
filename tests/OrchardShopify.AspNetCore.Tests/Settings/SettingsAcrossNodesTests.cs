using Microsoft.Data.Sqlite;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Settings;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.AspNetCore.Tests.Settings;

public sealed class SettingsAcrossNodesTests
{
    [Fact]
    public async Task A_setting_saved_on_one_node_reaches_the_other_nodes_sharing_the_database()
    {
        var folder = Path.Combine(Path.GetTempPath(), "orchardshopify-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var connection = $"Data Source={Path.Combine(folder, "sync.db")}";
        static void Fast(Dictionary<string, string?> s) => s["Shopify:Settings:RefreshInterval"] = "00:00:00.100";
        try
        {
            await using var first = new SyncNode(ShopifyStorageProvider.Sqlite, connection, configure: Fast);
            await using var second = new SyncNode(ShopifyStorageProvider.Sqlite, connection, configure: Fast);
            await first.StartAsync(workers: true);
            await second.StartAsync(workers: true);
            Assert.Equal(UserMatchStrategy.EmailOrPhone, second.Stores.Options.MatchStrategy);

            await first.Get<ShopifySettingsService>().SaveAsync(new Dictionary<string, string?> { ["MatchStrategy"] = "LinkOnly", ["Stores:uk:Enabled"] = "false" }, CancellationToken.None);

            Assert.Equal(UserMatchStrategy.LinkOnly, first.Stores.Options.MatchStrategy);
            Assert.Empty(first.Stores.Stores);
            await TestSite.EventuallyAsync(() => Task.FromResult(second.Stores.Options.MatchStrategy == UserMatchStrategy.LinkOnly), "the second node applies the saved strategy");
            Assert.Null(second.Stores.FindByShopDomain(TestSite.UkDomain));

            await first.StopAsync();
            await second.StopAsync();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
