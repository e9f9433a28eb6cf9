namespace OrchardShopify.Web.Tests.Support;

/// <summary>A test that drives Debian's Chromium; skipped, with the reason, only when that browser is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!File.Exists(ChromiumPath))
        {
            Skip = $"{ChromiumPath} is not installed (apt-get install -y chromium); .ci/run installs it, so these browser tests run in CI.";
        }
    }
}
