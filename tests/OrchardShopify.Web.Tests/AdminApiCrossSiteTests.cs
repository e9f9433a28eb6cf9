using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

/// <summary>
/// An administrator signed in to the site visits a page of another origin on the same host (another port; a sibling
/// subdomain in production). That page tries to drive the admin JSON with the administrator's cookie, as an attacker
/// would: a text/plain form that starts an import, and a no-cors fetch that points the store's customer webhooks at
/// the attacker. Neither may change anything; the site's own pages, with their antiforgery token, still can.
/// </summary>
[Collection(SiteCollection.Name)]
public sealed class AdminApiCrossSiteTests(SiteFixture site)
{
    private const string UkShop = "uk-demo.myshopify.com";

    [BrowserFact]
    public async Task A_page_of_another_origin_cannot_start_an_import_or_steal_the_webhooks_with_the_administrators_cookie()
    {
        await using var attacker = await AttackerSite.StartAsync(site.BaseUrl);
        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        var subscriptionsBefore = Subscriptions();
        var importBefore = await NewestImportAsync(admin);

        var answers = new List<IResponse>();
        admin.Response += (_, response) =>
        {
            if (response.Url.Contains("/!/shopify/admin/api/", StringComparison.Ordinal))
            {
                lock (answers)
                {
                    answers.Add(response);
                }
            }
        };
        await admin.GotoAsync(attacker.Url.ToString());
        await SiteFixture.EventuallyAsync(() => Task.FromResult(Count(answers) == 2), "both forged requests were answered", seconds: 20);

        lock (answers)
        {
            var import = Assert.Single(answers, a => a.Url.Contains("/import", StringComparison.Ordinal));
            var webhooks = Assert.Single(answers, a => a.Url.Contains("/webhooks", StringComparison.Ordinal));
            Assert.Equal(403, import.Status);
            Assert.Equal(403, webhooks.Status);
        }

        Assert.Equal(subscriptionsBefore, Subscriptions());
        Assert.DoesNotContain(Subscriptions(), url => url.StartsWith(attacker.Url.ToString(), StringComparison.Ordinal));
        Assert.Equal(importBefore, await NewestImportAsync(admin));

        // The form's submission is a navigation of the page: its answer arrives before the page shows it, and a navigation
        // started in between would be interrupted by it.
        await SiteFixture.WaitForUrlAsync(admin, new Regex(Regex.Escape("/!/shopify/admin/api/import?store=uk") + "$"));

        // The site's own admin page: without the token refused, with it accepted; a callback elsewhere is still refused.
        await admin.GotoAsync("/admin");
        var withoutToken = await PostFromPageAsync(admin, "/!/shopify/admin/api/stores/uk/webhooks", "{}", token: false);
        Assert.Equal((400, "antiforgery_token_missing"), withoutToken);
        var elsewhere = await PostFromPageAsync(admin, "/!/shopify/admin/api/stores/uk/webhooks", JsonSerializer.Serialize(new { callbackBaseUrl = attacker.Url.ToString() }), token: true);
        Assert.Equal((400, "callback_not_this_site"), elsewhere);
        var own = await PostFromPageAsync(admin, "/!/shopify/admin/api/stores/uk/webhooks", "{}", token: true);
        Assert.Equal(200, own.Status);
        Assert.Equal(subscriptionsBefore, Subscriptions());
    }

    private static int Count(List<IResponse> answers)
    {
        lock (answers)
        {
            return answers.Count;
        }
    }

    private List<string> Subscriptions()
        => site.Emulator.State.Subscriptions.ForShop(UkShop).Select(s => $"{s.CallbackUrl} {s.Topic}").Order(StringComparer.Ordinal).ToList();

    private static async Task<string?> NewestImportAsync(IPage page)
    {
        var response = await page.Context.APIRequest.GetAsync("/!/shopify/admin/api/import?store=uk");
        if (response.Status == 404)
        {
            return null;
        }

        Assert.Equal(200, response.Status);
        return JsonDocument.Parse(await response.TextAsync()).RootElement.GetProperty("id").GetString();
    }

    private static async Task<(int Status, string? Error)> PostFromPageAsync(IPage page, string path, string body, bool token)
    {
        var answer = await page.EvaluateAsync<JsonElement>(
            """
            async ([path, body, withToken]) => {
              const headers = { "Content-Type": "application/json" };
              if (withToken) headers["RequestVerificationToken"] = document.querySelector("meta[name=request-verification-token]").content;
              const response = await fetch(path, { method: "POST", headers, body, credentials: "same-origin" });
              const text = await response.text();
              let error = null;
              try { error = JSON.parse(text).error ?? null; } catch { }
              return { status: response.status, error };
            }
            """,
            new object[] { path, body, token });
        return (answer.GetProperty("status").GetInt32(), answer.GetProperty("error").ValueKind == JsonValueKind.Null ? null : answer.GetProperty("error").GetString());
    }

    /// <summary>The attacker's page, served from another port of the same host.</summary>
    private sealed class AttackerSite : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private AttackerSite(WebApplication app, Uri url)
        {
            _app = app;
            Url = url;
        }

        public Uri Url { get; }

        public static async Task<AttackerSite> StartAsync(Uri target)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var site = target.ToString().TrimEnd('/');
            app.MapGet("/", (HttpContext http) =>
            {
                var self = $"{http.Request.Scheme}://{http.Request.Host}/";
                var html = $$"""
                    <!DOCTYPE html>
                    <html><body>
                    <form id="import" method="post" enctype="text/plain" action="{{site}}/!/shopify/admin/api/import?store=uk">
                      <input type="hidden" name='{"mode":"all","x":"' value='"}'>
                    </form>
                    <script>
                      fetch("{{site}}/!/shopify/admin/api/stores/uk/webhooks", {
                        method: "POST", mode: "no-cors", credentials: "include",
                        headers: { "Content-Type": "text/plain" },
                        body: JSON.stringify({ callbackBaseUrl: "{{self}}" })
                      }).catch(() => {}).finally(() => document.getElementById("import").submit());
                    </script>
                    </body></html>
                    """;
                return Results.Content(html, "text/html");
            });
            await app.StartAsync();
            var address = new Uri(app.Urls.First());
            return new AttackerSite(app, address);
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
