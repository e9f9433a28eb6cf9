using System.Text.RegularExpressions;
using OrchardShopify.Testing.Hosting.Sites;

namespace OrchardShopify.Reliability.Tests.Support;

/// <summary>Fails when a configured secret, a webhook signature or a delivery body shows up in text the site produced.</summary>
internal static partial class SecretScan
{
    // Fields every customer body has and no log line needs: their presence means a payload was written out.
    private static readonly string[] PayloadMarkers = ["\"admin_graphql_api_id\":", "\"verified_email\":", "\"tax_exemptions\":"];

    /// <param name="texts">Log messages, rendered exceptions, response bodies, stored errors.</param>
    /// <param name="signatures">The <c>X-Shopify-Hmac-Sha256</c> values that were sent.</param>
    public static void AssertClean(IEnumerable<string?> texts, IEnumerable<string>? signatures = null, IEnumerable<string>? moreSecrets = null)
    {
        var secrets = SyncSite.Secrets.Concat(moreSecrets ?? []).ToList();
        var sent = (signatures ?? []).ToHashSet(StringComparer.Ordinal);
        var scanned = 0;
        foreach (var text in texts)
        {
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            scanned++;
            foreach (var secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"A secret appears in: {text}");
            }

            foreach (var marker in PayloadMarkers)
            {
                Assert.False(text.Contains(marker, StringComparison.Ordinal), $"A delivery body appears in: {text}");
            }

            foreach (Match token in Base64Token().Matches(text))
            {
                Assert.False(sent.Contains(token.Value), $"A webhook signature appears in: {text}");
            }
        }

        Assert.True(scanned > 0, "There was nothing to scan.");
    }

    [GeneratedRegex("[A-Za-z0-9+/]{43}=")]
    private static partial Regex Base64Token();
}
