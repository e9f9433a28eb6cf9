using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;
using OrchardShopify.Testing;

namespace OrchardShopify.Core.Tests.Sync;

/// <summary>Tag roles applied by the engine on inbound changes, through a recording <see cref="IUserRoleSync"/>.</summary>
public sealed class TagRoleSyncTests
{
    private static readonly byte[] SteveCreate = SyncHarness.Payload("customers-create-steve-lastnameson.json");

    private static byte[] Steve(string tags, string updatedAt)
    {
        var node = JsonNode.Parse(SteveCreate)!.AsObject();
        node["tags"] = tags;
        node["updated_at"] = updatedAt;
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    [Fact]
    public async Task A_tag_added_in_Shopify_grants_the_role_removing_it_revokes_it_and_an_unmapped_role_stays()
    {
        var roles = new RecordingRoles("Wholesale");
        using var harness = SyncHarness.SingleStore(
            o => o.TagRoles.Add(new TagRoleMapping { Tag = "wholesale", Role = "Wholesale" }),
            b => b.Services.AddSingleton<IUserRoleSync>(roles));

        roles.Users = harness.Users;

        await harness.DeliverAsync("customers/create", Steve("", "2025-07-01T14:37:24-04:00"));
        var userId = Assert.Single(harness.Users.All).Id;
        await harness.Users.EditByHostAsync(userId, u => u with { Roles = ["Editor"] });
        Assert.Empty(roles.Calls);

        await harness.DeliverAsync("customers/update", Steve("wholesale", "2025-07-02T09:00:00-04:00"));
        Assert.Equal(["Editor", "Wholesale"], harness.Users.Get(userId).Roles);

        await harness.DeliverAsync("customers/update", Steve("", "2025-07-03T09:00:00-04:00"));
        Assert.Equal(["Editor"], harness.Users.Get(userId).Roles);
        Assert.All(roles.Calls, c => Assert.DoesNotContain("Editor", c.Remove));
        Assert.Empty(harness.Queue.Pending);
    }

    [Fact]
    public async Task A_role_goes_with_the_last_link_whose_tags_grant_it_and_the_user_stays()
    {
        var roles = new RecordingRoles("Wholesale");
        using var harness = SyncHarness.MultiStore(
            o => o.TagRoles.Add(new TagRoleMapping { Tag = "wholesale", Role = "Wholesale" }),
            b => b.Services.AddSingleton<IUserRoleSync>(roles));
        roles.Users = harness.Users;
        await harness.DeliverAsync("customers/create", Steve("wholesale", "2025-07-01T14:37:24-04:00"), store: "uk");
        await harness.DeliverAsync("customers/create", Steve("wholesale", "2025-07-01T14:37:24-04:00"), store: "us");
        var userId = Assert.Single(harness.Users.All).Id;
        Assert.Equal(["Wholesale"], harness.Users.Get(userId).Roles);
        var steveId = JsonNode.Parse(SteveCreate)!["id"]!.GetValue<long>();
        var delete = Encoding.UTF8.GetBytes($$"""{"id":{{steveId}}}""");

        var uk = await harness.DeliverAsync("customers/delete", delete, store: "uk");
        Assert.Equal(InboundOutcome.Unlinked, uk.Outcome);
        Assert.Equal(["Wholesale"], harness.Users.Get(userId).Roles);

        var us = await harness.DeliverAsync("customers/delete", delete, store: "us");
        Assert.Equal(InboundOutcome.Unlinked, us.Outcome);
        Assert.Empty(harness.Users.Get(userId).Roles);
        Assert.Equal(userId, Assert.Single(harness.Users.All).Id);
        Assert.Empty(harness.Queue.Pending);
    }

    [Fact]
    public async Task A_role_the_site_lacks_is_warned_about_once_and_nothing_is_thrown()
    {
        var roles = new RecordingRoles();
        using var harness = SyncHarness.SingleStore(
            o => o.TagRoles.Add(new TagRoleMapping { Tag = "wholesale", Role = "Wholesale" }),
            b => b.Services.AddSingleton<IUserRoleSync>(roles));
        roles.Users = harness.Users;

        var first = await harness.DeliverAsync("customers/create", Steve("wholesale", "2025-07-01T14:37:24-04:00"));
        var second = await harness.DeliverAsync("customers/update", Steve("wholesale, vip", "2025-07-02T09:00:00-04:00"));

        Assert.Equal((InboundOutcome.Created, InboundOutcome.Unchanged), (first.Outcome, second.Outcome));
        Assert.Equal(2, roles.Calls.Count);
        var warning = Assert.Single(harness.Logs.GetSnapshot(), r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Contains("'Wholesale', which this site does not have", warning.Message, StringComparison.Ordinal);
    }

    /// <summary>A host's roles kept on the in-memory users; only the roles it was given exist.</summary>
    private sealed class RecordingRoles(params string[] existing) : IUserRoleSync
    {
        public InMemoryUserDirectory? Users { get; set; }

        public List<(IReadOnlyCollection<string> Add, IReadOnlyCollection<string> Remove)> Calls { get; } = [];

        public async Task<UserRoleChange> ChangeRolesAsync(string userId, IReadOnlyCollection<string> add, IReadOnlyCollection<string> remove, CancellationToken cancellationToken)
        {
            Calls.Add((add, remove));
            var held = Users!.Get(userId).Roles;
            var added = add.Where(r => existing.Contains(r) && !held.Contains(r)).ToList();
            var removed = remove.Where(held.Contains).ToList();
            await Users.EditByHostAsync(userId, u => u with { Roles = [.. held.Except(removed), .. added] });
            return new UserRoleChange(added, removed, [.. add.Where(r => !existing.Contains(r))]);
        }
    }
}
