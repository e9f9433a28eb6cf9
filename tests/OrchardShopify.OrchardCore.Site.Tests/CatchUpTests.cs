using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OrchardCore.Users;
using OrchardCore.Users.Indexes;
using OrchardCore.Users.Models;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.OrchardCore.Site.Tests.Support;
using YesSql;

namespace OrchardShopify.OrchardCore.Site.Tests;

/// <summary>
/// A tenant whose scheduled catch-up runs every 2 seconds (<c>OrchardCore:OrchardShopify:CatchUp:Interval</c>), with
/// creation from Shopify on and the emulated store <c>uk</c>: changes made in Shopify that no webhook brought.
/// </summary>
public sealed class CatchUpSiteFixture : OrchardSiteFixture
{
    protected override void ConfigureShopify(IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings[Section + ":CreateUsersFromShopify"] = "true";
        settings[Section + ":CatchUp:Interval"] = "00:00:02";
        AddStore(settings, "uk", UkDomain, UkSecret);
    }
}

/// <summary>
/// The scheduled catch-up in a real Orchard Core tenant: it reads the customers Shopify changed since its watermark and
/// applies them to Orchard Core's users with the inbound rules of webhooks (Orchard Core's user store, one customer at a
/// time), without a single webhook delivered.
/// </summary>
public sealed class CatchUpTests(CatchUpSiteFixture site) : SiteTest<CatchUpSiteFixture>(site), IClassFixture<CatchUpSiteFixture>
{
    [Fact]
    public async Task Customers_changed_in_shopify_without_a_webhook_reach_the_users_and_an_unconfirmed_email_is_not_linked()
    {
        // Ada has an account whose email she confirmed; Bob signed up but never confirmed his.
        var adaId = await Site.CreateMemberAsync("ada.catchup", "ada.catchup@example.com", "Ada-pass-1!");
        var bobId = await Site.InTenantAsync(async services =>
        {
            var user = new User { UserName = "bob.catchup", Email = "bob.catchup@example.com", EmailConfirmed = false };
            var result = await services.GetRequiredService<UserManager<IUser>>().CreateAsync(user, "Bob-pass-1!");
            Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
            return user.UserId;
        });

        // Changes made in the Shopify admin: nothing is delivered to the site.
        var shop = Site.Emulator.Shops[OrchardSiteFixture.UkDomain];
        var (grace, graceErrors, _) = shop.Create(new Dictionary<string, object?> { ["firstName"] = "Grace", ["lastName"] = "Hopper", ["email"] = "grace.catchup@example.com" });
        var (ada, adaErrors, _) = shop.Create(new Dictionary<string, object?> { ["firstName"] = "Ada", ["lastName"] = "Lovelace", ["email"] = "ada.catchup@example.com" });
        var (bob, bobErrors, _) = shop.Create(new Dictionary<string, object?> { ["firstName"] = "Robert", ["lastName"] = "Impostor", ["email"] = "bob.catchup@example.com" });
        Assert.Empty(graceErrors.Concat(adaErrors).Concat(bobErrors));

        // Grace matches nobody: a user is created for her and linked, with her name and her verified email.
        var created = await OrchardSiteFixture.EventuallyAsync(
            () => Site.FindUserByEmailAsync("grace.catchup@example.com"),
            u => u?.Properties["ShopifyUserPart"]?["shopify_id"] is not null,
            "the user the catch-up creates for Grace");
        Assert.Equal(grace!.Id, (long)created!.Properties["ShopifyUserPart"]!["shopify_id"]!);
        Assert.Equal(("Grace", "Hopper"), ((string?)created.Properties["ShopifyUserPart"]!["FirstName"], (string?)created.Properties["ShopifyUserPart"]!["LastName"]));
        Assert.True(created.EmailConfirmed);

        // Ada's account is linked to her customer; she keeps her own account, user name and password.
        var linked = await OrchardSiteFixture.EventuallyAsync(
            () => Site.FindUserByEmailAsync("ada.catchup@example.com"),
            u => u?.Properties["ShopifyUserPart"]?["shopify_id"] is not null,
            "Ada's account linked by the catch-up");
        Assert.Equal(adaId, linked!.UserId);
        Assert.Equal("ada.catchup", linked.UserName);
        Assert.Equal(ada!.Id, (long)linked.Properties["ShopifyUserPart"]!["shopify_id"]!);
        Assert.True(await Site.InTenantAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<IUser>>();
            return await users.CheckPasswordAsync((await users.FindByIdAsync(adaId))!, "Ada-pass-1!");
        }));

        // Bob never confirmed his email: the customer with it is not linked to his account, and no second account is made.
        var skipped = await OrchardSiteFixture.EventuallyAsync(
            () => Site.InTenantAsync(async services => (await services.GetRequiredService<ShopifySyncAdmin>()
                .GetLogAsync(new SyncLogQuery(Topic: "catchup/customers", Outcome: "skipped", Take: 100), CancellationToken.None))
                .Where(e => e.CustomerId == bob!.Id).ToList()),
            entries => entries.Count > 0,
            "the catch-up's skip of Bob's customer");
        Assert.Contains("confirm", skipped[0].Detail ?? string.Empty, StringComparison.OrdinalIgnoreCase);
        var bobUser = await Site.FindUserByEmailAsync("bob.catchup@example.com");
        Assert.Equal(bobId, bobUser!.UserId);
        Assert.Null(bobUser.Properties["ShopifyUserPart"]?["shopify_id"]);
        Assert.Equal(1, await Site.InTenantAsync(services => services.GetRequiredService<ISession>()
            .Query<User, UserIndex>(u => u.NormalizedEmail == "BOB.CATCHUP@EXAMPLE.COM").CountAsync()));

        // Grace's name changes in Shopify later: the next run writes it to her user.
        var (_, renameErrors, _) = shop.Update(grace.Id, new Dictionary<string, object?> { ["lastName"] = "Hopper-Murray" });
        Assert.Empty(renameErrors);
        await OrchardSiteFixture.EventuallyAsync(
            () => Site.FindUserByEmailAsync("grace.catchup@example.com"),
            u => (string?)u?.Properties["ShopifyUserPart"]?["LastName"] == "Hopper-Murray",
            "Grace's new last name brought by the catch-up");

        // Each run is in the sync log with its outcome.
        var runs = await Site.InTenantAsync(async services => await services.GetRequiredService<ShopifySyncAdmin>()
            .GetLogAsync(new SyncLogQuery(Topic: "catchup/run", Take: 100), CancellationToken.None));
        Assert.NotEmpty(runs);
        Assert.All(runs, r => Assert.Equal("succeeded", r.Outcome));
    }
}
