using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Settings;
using OrchardShopify.AspNetCore.Tests.Support;

namespace OrchardShopify.AspNetCore.Tests.Settings;

public sealed class SettingsApiTests
{
    private const string RotatedSecret = "rotated-webhook-secret-7f3a91";

    [Fact]
    public async Task Saved_settings_apply_to_the_next_webhook_without_a_restart()
    {
        await using var site = await TestSite.StartAsync();

        var saved = await PutAsync(site, new { createUsersFromShopify = false });
        Assert.False(saved.GetProperty("createUsersFromShopify").GetBoolean());
        Assert.Contains("CreateUsersFromShopify", saved.GetProperty("savedOnSite").EnumerateArray().Select(k => k.GetString()));

        await ApplyAsync(site, "wh-settings-off");
        Assert.Equal("skipped", (await site.ItemsWithWebhookIdAsync("wh-settings-off")).Single().Outcome);
        Assert.Null(await site.WithUsersAsync(users => users.FindByEmailAsync(SteveLastnameson.Email)));

        var restored = await PutAsync(site, new { createUsersFromShopify = (bool?)null });
        Assert.True(restored.GetProperty("createUsersFromShopify").GetBoolean());
        Assert.Empty(restored.GetProperty("savedOnSite").EnumerateArray());

        await ApplyAsync(site, "wh-settings-on");
        Assert.Equal("created", (await site.ItemsWithWebhookIdAsync("wh-settings-on")).Single().Outcome);
        Assert.NotNull(await site.WithUsersAsync(users => users.FindByEmailAsync(SteveLastnameson.Email)));
    }

    [Fact]
    public async Task A_rotated_webhook_secret_applies_at_once_is_stored_encrypted_and_is_never_returned()
    {
        await using var site = await TestSite.StartAsync();

        using var put = await SendAsync(site, HttpMethod.Put, new { stores = new { uk = new { webhookSecret = RotatedSecret } } });
        var putText = await put.Content.ReadAsStringAsync();
        using var oldSecret = await site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", SteveLastnameson.CreatePayload, "wh-old-secret");
        using var newSecret = await site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", SteveLastnameson.CreatePayload, "wh-new-secret", secret: RotatedSecret);
        using var get = await SendAsync(site, HttpMethod.Get);
        var getText = await get.Content.ReadAsStringAsync();
        var others = new List<string>();
        foreach (var path in new[] { "deliveries", "links?store=uk", "statistics/deliveries", "import?store=uk", "reconcile?store=uk" })
        {
            using var other = new HttpRequestMessage(HttpMethod.Get, $"/!/shopify/admin/api/{path}");
            other.Headers.Add("X-Api-Key", TestSite.AdminKey);
            using var answer = await site.Http.SendAsync(other);
            others.Add(await answer.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldSecret.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newSecret.StatusCode);
        foreach (var text in others.Append(putText).Append(getText))
        {
            Assert.DoesNotContain(RotatedSecret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(TestSite.UkSecret, text, StringComparison.Ordinal);
            Assert.DoesNotContain("shpat_test_token", text, StringComparison.Ordinal);
        }

        var uk = JsonDocument.Parse(getText).RootElement.GetProperty("stores").GetProperty("uk");
        Assert.Equal(("set", "set", "not set"), (uk.GetProperty("webhookSecret").GetString(), uk.GetProperty("accessToken").GetString(), uk.GetProperty("previousWebhookSecret").GetString()));

        await using var db = await site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        var row = await db.Settings.AsNoTracking().SingleAsync(s => s.Key == "Stores:uk:WebhookSecret");
        Assert.True(row.IsSecret);
        Assert.DoesNotContain(RotatedSecret, row.Value!, StringComparison.Ordinal);
        Assert.Equal(RotatedSecret, site.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("OrchardShopify.Settings.v1").Unprotect(row.Value!));
    }

    [Fact]
    public async Task A_stores_values_typed_under_another_spelling_of_its_handle_are_saved_as_the_store_spells_it_and_changed_or_removed_under_either()
    {
        await using var site = await TestSite.StartAsync();

        // The configured store is "uk"; an administrator types "UK".
        var typedUpper = await PutAsync(site, new { stores = new { UK = new { apiVersion = "2025-07" } } });
        var changedLower = await PutAsync(site, new { stores = new { uk = new { apiVersion = "2025-10" } } });
        var changedUpper = await PutAsync(site, new { stores = new { UK = new { apiVersion = "2026-01" } } });

        Assert.Equal(["Stores:uk:ApiVersion"], typedUpper.GetProperty("savedOnSite").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal("2025-07", typedUpper.GetProperty("stores").GetProperty("uk").GetProperty("apiVersion").GetString());
        Assert.Equal("2025-10", changedLower.GetProperty("stores").GetProperty("uk").GetProperty("apiVersion").GetString());
        Assert.Equal("2026-01", changedUpper.GetProperty("stores").GetProperty("uk").GetProperty("apiVersion").GetString());

        // A row an earlier version saved under the other spelling is removed with the store's values.
        await using (var db = await site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None))
        {
            db.Settings.Add(new SettingRow { Key = "Stores:UK:ShopDomain", Value = "old-uk.myshopify.com", UpdatedAt = 1 });
            await db.SaveChangesAsync();
        }

        using var remove = new HttpRequestMessage(HttpMethod.Delete, "/!/shopify/admin/api/settings/stores/uk");
        remove.Headers.Add("X-Api-Key", TestSite.AdminKey);
        using var removed = await site.Http.SendAsync(remove);
        var removedText = await removed.Content.ReadAsStringAsync();
        Assert.True(removed.StatusCode == HttpStatusCode.OK, removedText);
        var after = JsonDocument.Parse(removedText).RootElement;
        Assert.Empty(after.GetProperty("savedOnSite").EnumerateArray());
        Assert.Equal(TestSite.UkDomain, after.GetProperty("stores").GetProperty("uk").GetProperty("shopDomain").GetString());
        await using (var db = await site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None))
        {
            Assert.Equal([SettingRow.RevisionKey], await db.Settings.AsNoTracking().Select(s => s.Key).ToListAsync());
        }
    }

    [Fact]
    public async Task A_default_phone_region_saved_on_the_site_reads_the_next_webhooks_national_number_and_a_wrong_one_is_refused()
    {
        await using var site = await TestSite.StartAsync();

        var wrong = await RefusedAsync(site, new { defaultRegion = "UK" });
        var saved = await PutAsync(site, new { defaultRegion = "it" });
        var node = System.Text.Json.Nodes.JsonNode.Parse(SteveLastnameson.CreatePayload)!;
        node["phone"] = "06 6982 1234";
        using var response = await site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", Encoding.UTF8.GetBytes(node.ToJsonString()), "wh-region");
        response.EnsureSuccessStatusCode();
        await TestSite.EventuallyAsync(async () => (await site.ItemsWithWebhookIdAsync("wh-region")).Single().Status == WorkStatus.Succeeded, "wh-region is applied");
        var user = await site.WithUsersAsync(users => users.FindByEmailAsync(SteveLastnameson.Email));

        Assert.Equal(["Shopify:DefaultRegion"], wrong);
        Assert.Equal(("IT", "IT", "1"), (saved.GetProperty("defaultRegion").GetString(), saved.GetProperty("phoneRegion").GetString(), saved.GetProperty("defaultCountryCallingCode").GetString()));
        Assert.Equal("+390669821234", user!.PhoneNumber);
    }

    [Fact]
    public async Task Invalid_settings_are_refused_with_every_key_at_fault_named_and_nothing_is_saved()
    {
        await using var site = await TestSite.StartAsync();

        var wrongValues = await RefusedAsync(site, new { matchStrategy = "Sometimes", createUsersFromShopify = "yes", bogus = 1 });
        var badDomain = await RefusedAsync(site, new { stores = new { uk = new { shopDomain = "https://uk.example.com/admin" } } });
        var secondStore = await RefusedAsync(site, new { stores = new { eu = new { shopDomain = "eu-demo.myshopify.com", webhookSecret = "eu-secret" } } });
        var badVersion = await RefusedAsync(site, new { apiVersion = "2026-13" });
        var view = JsonDocument.Parse(await (await SendAsync(site, HttpMethod.Get)).Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(["Shopify:Bogus", "Shopify:CreateUsersFromShopify", "Shopify:MatchStrategy"], wrongValues.Order(StringComparer.Ordinal));
        Assert.Equal(["Shopify:Stores:uk:ShopDomain"], badDomain);
        Assert.Equal(["Shopify:MultiStore"], secondStore);
        Assert.Equal(["Shopify:ApiVersion"], badVersion);
        Assert.Equal("emailOrPhone", view.GetProperty("matchStrategy").GetString());
        Assert.Empty(view.GetProperty("savedOnSite").EnumerateArray());
        Assert.Equal(["uk"], view.GetProperty("stores").EnumerateObject().Select(s => s.Name));
    }

    [Fact]
    public async Task Test_connection_reads_the_shop_and_reports_a_wrong_token_without_showing_it()
    {
        await using var env = await EmulatorSite.StartAsync(1);

        var ok = await env.AdminJsonAsync(HttpMethod.Post, "/stores/uk/test-connection");
        await env.AdminJsonAsync(HttpMethod.Put, "/settings", new { stores = new { uk = new { accessToken = "shpat_wrong_token_0042" } } });
        using var failedResponse = await env.AdminAsync(HttpMethod.Post, "/stores/uk/test-connection");
        var failedText = await failedResponse.Content.ReadAsStringAsync();
        var failed = JsonDocument.Parse(failedText).RootElement;

        Assert.True(ok.GetProperty("ok").GetBoolean());
        Assert.Equal(TestSite.UkDomain, ok.GetProperty("myshopifyDomain").GetString());
        Assert.False(string.IsNullOrEmpty(ok.GetProperty("shopName").GetString()));
        Assert.False(failed.GetProperty("ok").GetBoolean());
        Assert.Contains("access denied", failed.GetProperty("error").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("shpat_wrong_token_0042", failedText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registered_webhooks_bring_a_merchant_edit_to_the_site_once_its_secret_is_saved()
    {
        await using var env = await EmulatorSite.StartAsync(1);
        var callbackBase = env.Site.Http.BaseAddress!.AbsoluteUri;

        var first = await env.AdminJsonAsync(HttpMethod.Post, "/stores/uk/webhooks", new { callbackBaseUrl = callbackBase });
        var second = await env.AdminJsonAsync(HttpMethod.Post, "/stores/uk/webhooks", new { callbackBaseUrl = callbackBase });
        using var insecure = await env.AdminAsync(HttpMethod.Post, "/stores/uk/webhooks", new { callbackBaseUrl = "http://shop.example.com/" });
        await env.AdminJsonAsync(HttpMethod.Put, "/settings", new { stores = new { uk = new { webhookSecret = env.Emulator.Options.WebhookSecret } } });

        using (var created = await env.Site.Http.PostAsync(
            new Uri(env.Emulator.BaseUrl, $"_emulator/shops/{TestSite.UkDomain}/customers"),
            new StringContent("""{"first_name":"Grace","last_name":"Hopper","email":"grace.hopper@example.com"}""", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        await TestSite.EventuallyAsync(async () => await env.Site.WithUsersAsync(users => users.FindByEmailAsync("grace.hopper@example.com")) is not null, "the merchant's new customer arrives as a user");
        Assert.Equal(3, first.GetProperty("created").GetArrayLength());
        Assert.EndsWith("/!/shopify/webhook", first.GetProperty("callbackUrl").GetString(), StringComparison.Ordinal);
        Assert.Equal((0, 3), (second.GetProperty("created").GetArrayLength(), second.GetProperty("alreadyRegistered").GetArrayLength()));
        Assert.Equal(HttpStatusCode.BadRequest, insecure.StatusCode);
    }

    private static async Task ApplyAsync(TestSite site, string webhookId)
    {
        using var response = await site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", SteveLastnameson.CreatePayload, webhookId);
        response.EnsureSuccessStatusCode();
        await TestSite.EventuallyAsync(async () => (await site.ItemsWithWebhookIdAsync(webhookId)).Single().Status == WorkStatus.Succeeded, $"{webhookId} is applied");
    }

    private static Task<HttpResponseMessage> SendAsync(TestSite site, HttpMethod method, object? body = null)
    {
        var request = new HttpRequestMessage(method, "/!/shopify/admin/api/settings");
        request.Headers.Add("X-Api-Key", TestSite.AdminKey);
        if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body);
        }

        return site.Http.SendAsync(request);
    }

    private static async Task<JsonElement> PutAsync(TestSite site, object body)
    {
        using var response = await SendAsync(site, HttpMethod.Put, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<string[]> RefusedAsync(TestSite site, object body)
    {
        using var response = await SendAsync(site, HttpMethod.Put, body);
        var refusal = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_settings", refusal.GetProperty("error").GetString());
        return [.. refusal.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("key").GetString()!)];
    }
}
