namespace OrchardShopify.AspNetCore.Tests.Support;

/// <summary>One site (and one SQLite sync database) per test class.</summary>
public sealed class SiteFixture : IAsyncLifetime
{
    internal TestSite Site { get; private set; } = null!;

    public async Task InitializeAsync() => Site = await TestSite.StartAsync();

    public async Task DisposeAsync() => await Site.DisposeAsync();
}
