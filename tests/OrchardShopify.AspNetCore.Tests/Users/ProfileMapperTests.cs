using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Users;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Tests.Users;

/// <summary>A host that registers its own <see cref="IIdentityProfileMapper{TUser}"/> gets names where its user type keeps them.</summary>
public sealed class ProfileMapperTests
{
    [Fact]
    public async Task A_host_mapper_replaces_the_default_for_created_updated_and_read_users()
    {
        await using var site = await TestSite.StartAsync(configureServices: services => services.AddSingleton<IIdentityProfileMapper<IdentityUser>, MemberNameClaims>());

        var userId = await SteveLastnameson.ArriveAsync(site, "wh-mapper-create");

        var claims = await site.WithUsersAsync(async users => await users.GetClaimsAsync((await users.FindByIdAsync(userId))!));
        Assert.Equal("Steve", Assert.Single(claims, c => c.Type == MemberNameClaims.First).Value);
        Assert.Equal("Lastnameson", Assert.Single(claims, c => c.Type == MemberNameClaims.Last).Value);
        Assert.DoesNotContain(claims, c => c.Type is ShopifyUserClaims.GivenName or ShopifyUserClaims.FamilyName);

        // A newer last name from Shopify replaces the host's claim, and nothing else.
        var renamed = JsonNode.Parse(SteveLastnameson.CreatePayload)!.AsObject();
        renamed["last_name"] = "Lastnameson-Jones";
        renamed["updated_at"] = "2025-07-03T10:00:00-04:00";
        using (var response = await site.PostWebhookAsync("/!/shopify/webhook/customer/update", "customers/update", Encoding.UTF8.GetBytes(renamed.ToJsonString()), "wh-mapper-update"))
        {
            response.EnsureSuccessStatusCode();
        }

        await TestSite.EventuallyAsync(async () => (await site.ItemsWithWebhookIdAsync("wh-mapper-update")).Single().Status == WorkStatus.Succeeded, "the update is applied");
        claims = await site.WithUsersAsync(async users => await users.GetClaimsAsync((await users.FindByIdAsync(userId))!));
        Assert.Equal("Lastnameson-Jones", Assert.Single(claims, c => c.Type == MemberNameClaims.Last).Value);
        Assert.Equal("Steve", Assert.Single(claims, c => c.Type == MemberNameClaims.First).Value);
        Assert.DoesNotContain(claims, c => c.Type is ShopifyUserClaims.GivenName or ShopifyUserClaims.FamilyName);

        // The sync reads the names back through the host's mapper.
        var read = await site.Services.GetRequiredService<IUserDirectory>().FindByIdAsync(userId, CancellationToken.None);
        Assert.Equal(("Steve", "Lastnameson-Jones"), (read!.FirstName, read.LastName));
    }

    /// <summary>A host keeping both names in claims of its own.</summary>
    private sealed class MemberNameClaims : IIdentityProfileMapper<IdentityUser>
    {
        public const string First = "member:first";
        public const string Last = "member:last";

        public IdentityProfileNames ReadNames(IdentityUser user, IEnumerable<Claim> claims)
        {
            var list = claims.ToList();
            return new IdentityProfileNames(null, list.FirstOrDefault(c => c.Type == First)?.Value, list.FirstOrDefault(c => c.Type == Last)?.Value);
        }

        public bool WriteProperties(IdentityUser user, CustomerProfile profile, ProfileFields fields) => false;

        public IReadOnlyList<IdentityProfileClaim> ClaimsFor(CustomerProfile profile, ProfileFields fields)
        {
            var claims = new List<IdentityProfileClaim>();
            if (fields.HasFlag(ProfileFields.FirstName))
            {
                claims.Add(new IdentityProfileClaim(First, profile.FirstName));
            }

            if (fields.HasFlag(ProfileFields.LastName))
            {
                claims.Add(new IdentityProfileClaim(Last, profile.LastName));
            }

            return claims;
        }
    }
}
