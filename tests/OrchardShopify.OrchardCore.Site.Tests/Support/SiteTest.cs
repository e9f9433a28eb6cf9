using Microsoft.Extensions.Logging;

namespace OrchardShopify.OrchardCore.Site.Tests.Support;

/// <summary>A test over a shared site: after each test, any entry logged at error level or above fails it.</summary>
public abstract class SiteTest<TFixture> : IDisposable
    where TFixture : OrchardSiteFixture
{
    protected SiteTest(TFixture site)
    {
        Site = site;
    }

    protected TFixture Site { get; }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        var errors = Site.Logs.GetSnapshot().Where(e => e.Level >= LogLevel.Error).ToList();
        if (errors.Count > 0)
        {
            Assert.Fail("The site logged errors:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => $"{e.Level} {e.Category}: {e.Message}{Environment.NewLine}{e.Exception}")));
        }
    }
}
