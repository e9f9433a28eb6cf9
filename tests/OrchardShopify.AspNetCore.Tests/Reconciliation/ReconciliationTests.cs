using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;

namespace OrchardShopify.AspNetCore.Tests.Reconciliation;

public sealed class ReconciliationTests
{
    private const string NewPhone = "+442079460555";

    [Fact]
    public async Task Every_kind_of_difference_is_reported_and_fixing_them_brings_Shopify_and_the_site_together()
    {
        await using var env = await EmulatorSite.StartAsync(12);
        var (leaving, errors, _) = env.Shop.Create(new Dictionary<string, object?> { ["firstName"] = "Leaving", ["email"] = "leaving@example.com" });
        Assert.Empty(errors);
        var seeded = env.Shop.Snapshot().Where(c => c.Id != leaving!.Id).ToList();
        var imported = await env.WaitForJobAsync($"/import/{(await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk")).GetProperty("id").GetString()}");
        Assert.Equal(13, imported.GetProperty("progress").GetProperty("created").GetInt64());

        // Shopify changes a name; the site changes a phone while pushing is off; Shopify gains and loses a customer;
        // a linked user is deleted on the site; a user is added on the site.
        var renamed = seeded[0];
        var rephoned = seeded[1];
        var deletedUserCustomer = seeded[2];
        Assert.Empty(env.Shop.Update(renamed.Id, new Dictionary<string, object?> { ["lastName"] = "Renamed-In-Shopify" }).Errors);
        var (arrived, _, _) = env.Shop.Create(new Dictionary<string, object?> { ["firstName"] = "Newcomer", ["lastName"] = "Shopper", ["email"] = "newcomer@example.com" });
        Assert.Empty(env.Shop.Delete(leaving!.Id).Errors);
        var rephonedUser = await UserAsync(env, rephoned.Email!);
        var leavingUser = await UserAsync(env, "leaving@example.com");
        var deletedUser = await UserAsync(env, deletedUserCustomer.Email!);
        await env.Site.WithUsersAsync(async users =>
        {
            Assert.True((await users.SetPhoneNumberAsync((await users.FindByIdAsync(rephonedUser))!, NewPhone)).Succeeded);
            Assert.True((await users.DeleteAsync((await users.FindByIdAsync(deletedUser))!)).Succeeded);
            return await users.CreateAsync(new IdentityUser { UserName = "lonely@example.com", Email = "lonely@example.com", EmailConfirmed = true });
        });
        await env.AdminJsonAsync(HttpMethod.Put, "/settings", new { updateUsersInShopify = true });

        var report = await ReconcileAsync(env);
        var counts = report.GetProperty("counts");
        Assert.Equal(13, counts.GetProperty("shopifyCustomers").GetInt64());
        Assert.Equal(11, counts.GetProperty("linkedCustomers").GetInt64());
        Assert.Equal(1, counts.GetProperty("customersWithoutUser").GetInt64());
        Assert.Equal(1, counts.GetProperty("linksToMissingCustomers").GetInt64());
        Assert.Equal(1, counts.GetProperty("linksToMissingUsers").GetInt64());
        Assert.Equal((13L, 12L, 1L), (counts.GetProperty("siteUsers").GetInt64(), counts.GetProperty("linkedUsers").GetInt64(), counts.GetProperty("unlinkedUsers").GetInt64()));
        Assert.Equal(2, counts.GetProperty("pairsWithDifferences").GetInt64());
        Assert.Equal((1L, 1L, 0L), (counts.GetProperty("fieldCounts").GetProperty("lastName").GetInt64(), counts.GetProperty("fieldCounts").GetProperty("phone").GetInt64(), counts.GetProperty("fieldCounts").GetProperty("email").GetInt64()));

        var differences = report.GetProperty("differences").EnumerateArray().ToList();
        var name = Single(differences, "fieldsDiffer", renamed.Id);
        Assert.Equal("applyShopify", name.GetProperty("suggested").GetString());
        var nameField = Assert.Single(name.GetProperty("fields").EnumerateArray());
        Assert.Equal(("lastName", "Renamed-In-Shopify", "shopify"), (nameField.GetProperty("field").GetString(), nameField.GetProperty("shopify").GetString(), nameField.GetProperty("changedOn").GetString()));
        var phone = Single(differences, "fieldsDiffer", rephoned.Id);
        Assert.Equal("pushSite", phone.GetProperty("suggested").GetString());
        Assert.Equal(("phone", NewPhone, "site"), (phone.GetProperty("fields")[0].GetProperty("field").GetString(), phone.GetProperty("fields")[0].GetProperty("site").GetString(), phone.GetProperty("fields")[0].GetProperty("changedOn").GetString()));
        Assert.Equal("import", Single(differences, "customerWithoutUser", arrived!.Id).GetProperty("suggested").GetString());
        Assert.Equal("removeLink", Single(differences, "linkToMissingCustomer", leaving.Id).GetProperty("suggested").GetString());
        Assert.Equal("removeLink", Single(differences, "linkToMissingUser", deletedUserCustomer.Id).GetProperty("suggested").GetString());
        var lonely = Assert.Single(differences, d => d.GetProperty("kind").GetString() == "userWithoutCustomer");
        Assert.Equal(("lonely@example.com", "pushSite"), (lonely.GetProperty("email").GetString(), lonely.GetProperty("suggested").GetString()));
        Assert.Equal(6, differences.Count);

        var results = await FixAllAsync(env, differences);
        Assert.Equal(["fixed", "fixed", "fixed", "fixed", "queued", "queued"], results.Order(StringComparer.Ordinal));

        await TestSite.EventuallyAsync(() => Task.FromResult(env.Shop.Find(rephoned.Id)?.Phone == NewPhone), "the site's phone reaches Shopify");
        await TestSite.EventuallyAsync(() => Task.FromResult(env.Shop.FindByEmail("lonely@example.com") is not null), "the lonely user becomes a Shopify customer");
        Assert.Equal("Renamed-In-Shopify", await ClaimAsync(env, await UserAsync(env, renamed.Email!), "family_name"));
        Assert.Equal(arrived.Id.ToString(CultureInfo.InvariantCulture), await ClaimAsync(env, await UserAsync(env, "newcomer@example.com"), "shopify_id"));
        Assert.Null(await ClaimAsync(env, leavingUser, "shopify_id"));
        Assert.Equal(0, await CountLinksAsync(env, l => l.CustomerId == leaving.Id || l.CustomerId == deletedUserCustomer.Id));

        // Removing those two links leaves the customer of the deleted user and the user of the deleted customer
        // unlinked; fixing them too makes the store agree with the site.
        var second = (await ReconcileAsync(env)).GetProperty("differences").EnumerateArray().ToList();
        Assert.Equal(
            [("customerWithoutUser", "import"), ("userWithoutCustomer", "pushSite")],
            second.Select(d => (d.GetProperty("kind").GetString()!, d.GetProperty("suggested").GetString()!)).Order());
        Assert.Equal(["fixed", "queued"], (await FixAllAsync(env, second)).Order(StringComparer.Ordinal));
        await TestSite.EventuallyAsync(() => Task.FromResult(env.Shop.FindByEmail("leaving@example.com") is not null), "the unlinked user is pushed again");
        await TestSite.EventuallyAsync(async () => await CountLinksAsync(env, l => true) == 15, "the pushed users are linked");

        var clean = await ReconcileAsync(env);
        Assert.Empty(clean.GetProperty("differences").EnumerateArray());
        Assert.Equal(15, clean.GetProperty("counts").GetProperty("linkedCustomers").GetInt64());
    }

    [Fact]
    public async Task A_fix_that_the_settings_forbid_or_that_is_no_longer_needed_is_refused_with_the_reason()
    {
        await using var env = await EmulatorSite.StartAsync(3);
        await env.WaitForJobAsync($"/import/{(await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk")).GetProperty("id").GetString()}");
        var customer = env.Shop.Snapshot()[0];
        var userId = await UserAsync(env, customer.Email!);
        await env.Site.WithUsersAsync(async users => await users.SetPhoneNumberAsync((await users.FindByIdAsync(userId))!, NewPhone));

        var pushOff = await FixAsync(env, new { kind = "fieldsDiffer", customerId = customer.Id });
        var forcedApply = await FixAsync(env, new { kind = "fieldsDiffer", customerId = customer.Id, direction = "applyShopify" });
        var again = await FixAsync(env, new { kind = "fieldsDiffer", customerId = customer.Id });
        var notMissing = await FixAsync(env, new { kind = "linkToMissingCustomer", customerId = customer.Id });

        Assert.Equal("refused", pushOff.GetProperty("outcome").GetString());
        Assert.Contains("UpdateUsersInShopify", pushOff.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("fixed", forcedApply.GetProperty("outcome").GetString());
        Assert.Equal(customer.Phone, await env.Site.WithUsersAsync(async users => (await users.FindByIdAsync(userId))!.PhoneNumber));
        Assert.Equal("nothing_to_do", again.GetProperty("outcome").GetString());
        Assert.Equal("refused", notMissing.GetProperty("outcome").GetString());
        Assert.Equal(3, await CountLinksAsync(env, l => true));
    }

    private static async Task<JsonElement> ReconcileAsync(EmulatorSite env)
    {
        var started = await env.AdminJsonAsync(HttpMethod.Post, "/reconcile?store=uk");
        var done = await env.WaitForJobAsync($"/reconcile/{started.GetProperty("id").GetString()}");
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        return done.GetProperty("report");
    }

    private static async Task<List<string>> FixAllAsync(EmulatorSite env, List<JsonElement> differences)
    {
        var items = differences.Select(d => new
        {
            kind = d.GetProperty("kind").GetString(),
            customerId = d.GetProperty("customerId").ValueKind == JsonValueKind.Null ? (long?)null : d.GetProperty("customerId").GetInt64(),
            userId = d.GetProperty("userId").GetString(),
        });
        var response = await env.AdminJsonAsync(HttpMethod.Post, "/reconcile/fix?store=uk", new { items });
        return [.. response.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("outcome").GetString()!)];
    }

    private static async Task<JsonElement> FixAsync(EmulatorSite env, object item)
        => (await env.AdminJsonAsync(HttpMethod.Post, "/reconcile/fix", new { items = new[] { item } })).GetProperty("results")[0];

    private static JsonElement Single(List<JsonElement> differences, string kind, long customerId)
        => Assert.Single(differences, d => d.GetProperty("kind").GetString() == kind && d.GetProperty("customerId").GetInt64() == customerId);

    private static async Task<string> UserAsync(EmulatorSite env, string email)
        => (await env.Site.WithUsersAsync(users => users.FindByEmailAsync(email)))!.Id;

    private static Task<string?> ClaimAsync(EmulatorSite env, string userId, string type)
        => env.Site.WithUsersAsync(async users => (await users.GetClaimsAsync((await users.FindByIdAsync(userId))!)).FirstOrDefault(c => c.Type == type)?.Value);

    private static async Task<int> CountLinksAsync(EmulatorSite env, System.Linq.Expressions.Expression<Func<CustomerLinkRow, bool>> filter)
    {
        await using var db = await env.Site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        return await db.Links.CountAsync(filter);
    }
}
