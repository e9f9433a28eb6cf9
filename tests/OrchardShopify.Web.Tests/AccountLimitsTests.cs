using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Web.Hosting;
using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

/// <summary>A site of its own (demo mode, two registrations per window): scripted registrations and a lost administrator password.</summary>
public sealed partial class AccountLimitsTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orchardshopify-web-limits", Guid.NewGuid().ToString("N"));
    private RunningSite _site = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _site = await SiteFixture.StartSiteAsync(_folder, new Dictionary<string, string?>
        {
            ["Site:AdminPassword"] = "Admin-limits-pass-1",
            ["Site:Demo:CustomersPerShop"] = "0",
            ["Site:AccountRateLimit:PermitLimit"] = "2",
            ["Site:AccountRateLimit:Window"] = "01:00:00",
        });
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_script_posting_registrations_is_stopped_after_the_limit_and_creates_no_more_users()
    {
        using var client = NewClient();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            client.DefaultRequestHeaders.Remove("Cookie");
            using var form = await client.GetAsync("/account/register");
            var token = TokenPattern().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
            using var posted = await client.PostAsync("/account/register", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["FirstName"] = "Bot",
                ["LastName"] = $"Number{i}",
                ["Email"] = $"bot{i}@example.com",
                ["Password"] = "Bot-pass-12345",
                ["__RequestVerificationToken"] = token,
            }));
            answers.Add(posted.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], answers);
        await using var scope = _site.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<OrchardShopify.Web.Identity.SiteUser>>();
        Assert.NotNull(await users.FindByEmailAsync("bot1@example.com"));
        Assert.Null(await users.FindByEmailAsync("bot2@example.com"));
        Assert.Null(await users.FindByEmailAsync("bot4@example.com"));
    }

    [Fact]
    public async Task The_limit_counts_the_page_whatever_the_trailing_slash_or_the_case_of_its_address()
    {
        using var client = NewClient();
        var answers = new List<HttpStatusCode>();
        foreach (var (path, i) in new[] { "/account/register/", "/ACCOUNT/Register", "/account/register/", "/Account/Register/" }.Select((p, i) => (p, i)))
        {
            client.DefaultRequestHeaders.Remove("Cookie");
            using var form = await client.GetAsync("/account/register");
            var token = TokenPattern().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
            using var posted = await client.PostAsync(path, Registration($"slash{i}@example.com", token));
            answers.Add(posted.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], answers);
        await using var scope = _site.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<OrchardShopify.Web.Identity.SiteUser>>();
        Assert.NotNull(await users.FindByEmailAsync("slash1@example.com"));
        Assert.Null(await users.FindByEmailAsync("slash2@example.com"));
    }

    [Fact]
    public async Task Confirmation_mails_asked_again_and_again_stop_at_the_limit()
    {
        // A stranger registers with someone else's address, then asks for the confirmation mail in a loop.
        using var client = NewClient();
        using (var form = await client.GetAsync("/account/register"))
        {
            var token = TokenPattern().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
            using var registered = await client.PostAsync("/account/register", Registration("flooded@example.com", token));
            Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);
        }

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var account = await client.GetAsync("/account");
            var token = TokenPattern().Match(await account.Content.ReadAsStringAsync()).Groups[1].Value;
            using var resent = await client.PostAsync("/account?handler=ResendConfirmation", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
            answers.Add(resent.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], answers);
        Assert.Equal(2, _site.Services.GetRequiredService<OrchardShopify.Web.Mail.MailOutbox>().List("flooded@example.com").Count);
    }

    [Fact]
    public async Task A_lost_administrator_password_is_replaced_by_the_reset_command()
    {
        var output = new StringWriter();
        var code = await SiteApp.ResetAdminPasswordAsync([], output, new Dictionary<string, string?> { ["Site:DataPath"] = Path.Combine(_folder, "App_Data") });

        Assert.Equal(0, code);
        var password = NewPasswordPattern().Match(output.ToString()).Groups[1].Value;
        Assert.True(password.Length >= 20, output.ToString());
        Assert.Equal(HttpStatusCode.Redirect, await SignInAsync("admin@example.com", password));
        Assert.Equal(HttpStatusCode.OK, await SignInAsync("admin@example.com", "Admin-limits-pass-1"));

        var missing = new StringWriter();
        Assert.Equal(2, await SiteApp.ResetAdminPasswordAsync([], missing, new Dictionary<string, string?> { ["Site:DataPath"] = Path.Combine(_folder, "nowhere") }));
        Assert.Contains("No site database", missing.ToString(), StringComparison.Ordinal);
    }

    private async Task<HttpStatusCode> SignInAsync(string email, string password)
    {
        using var client = NewClient();
        using var form = await client.GetAsync("/account/sign-in");
        var token = TokenPattern().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value;
        using var posted = await client.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = password,
            ["__RequestVerificationToken"] = token,
        }));
        return posted.StatusCode;
    }

    private static FormUrlEncodedContent Registration(string email, string token) => new(new Dictionary<string, string>
    {
        ["FirstName"] = "Bot",
        ["LastName"] = "Script",
        ["Email"] = email,
        ["Password"] = "Bot-pass-12345",
        ["__RequestVerificationToken"] = token,
    });

    private HttpClient NewClient()
        => new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = _site.BaseUrl };

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("New password of [^:]+: (\\S+)")]
    private static partial Regex NewPasswordPattern();
}
