using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Tests.Support;

namespace OrchardShopify.AspNetCore.Tests.Users;

/// <summary>
/// Users the sync creates get time-ordered ids (version 7 GUIDs, as strings like Identity's own): their rows and the
/// indexes keyed by user id grow at one end instead of at random places, so a large import writes far fewer pages.
/// </summary>
public sealed class CreatedUserIdTests
{
    [Fact]
    public async Task A_user_created_from_a_webhook_has_a_version_7_id_of_its_creation_time()
    {
        await using var site = await TestSite.StartAsync();
        var before = DateTimeOffset.UtcNow;
        var userId = await SteveLastnameson.ArriveAsync(site, "wh-v7-create");

        var id = Guid.Parse(userId);
        Assert.Equal(7, id.Version);
        Assert.InRange(TimeOf(id), before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.NotNull(await site.WithUsersAsync(users => users.FindByIdAsync(userId)));
    }

    [Fact]
    public async Task Users_created_by_an_import_have_version_7_ids_of_the_import()
    {
        await using var env = await EmulatorSite.StartAsync(300);
        var before = DateTimeOffset.UtcNow;
        var import = await env.WaitForJobAsync($"/import/{(await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk")).GetProperty("id").GetString()}");
        Assert.Equal("succeeded", import.GetProperty("status").GetString());
        var after = DateTimeOffset.UtcNow;

        var ids = await env.Site.WithUsersAsync(users => users.Users.Select(u => u.Id).ToListAsync());
        Assert.Equal(300, ids.Count);
        Assert.All(ids.Select(Guid.Parse), id =>
        {
            Assert.Equal(7, id.Version);
            Assert.InRange(TimeOf(id), before.AddSeconds(-1), after.AddSeconds(1));
        });
    }

    [Fact]
    public async Task A_user_type_whose_ids_are_not_guids_keeps_its_own()
    {
        // The factory replaces only a GUID the user type made itself: an id of the host's own scheme stays.
        var factory = new OrchardShopify.AspNetCore.Users.IdentityUserFactory<MemberUser>(new OrchardShopify.AspNetCore.Users.DefaultIdentityProfileMapper<MemberUser>());
        var store = new Microsoft.AspNetCore.Identity.EntityFrameworkCore.UserOnlyStore<MemberUser>(new MemberDb());
        var user = await factory.NewUserAsync(store, "member@example.com", new OrchardShopify.Core.Customers.CustomerProfile("Mem", "Ber", "member@example.com", null), emailConfirmed: false, CancellationToken.None);
        Assert.StartsWith("member-", user.Id, StringComparison.Ordinal);
    }

    /// <summary>The 48-bit Unix millisecond timestamp a version 7 GUID starts with.</summary>
    private static DateTimeOffset TimeOf(Guid id)
    {
        var hex = id.ToString("N")[..12];
        return DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(hex, 16));
    }

    private sealed class MemberUser : IdentityUser
    {
        public MemberUser() => Id = "member-" + Guid.NewGuid().ToString("N")[..8];
    }

    private sealed class MemberDb : Microsoft.AspNetCore.Identity.EntityFrameworkCore.IdentityUserContext<MemberUser>;
}
