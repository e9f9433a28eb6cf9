using System.Text;
using System.Text.Json.Nodes;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.Core.Tests.Sync;

/// <summary>Who can claim a customer: only identities the host verified are linked or pushed, staff never are.</summary>
public sealed class IdentityVerificationTests
{
    private const long Steve = 1073339470;
    private const string SteveEmail = "steve.lastnameson@example.com";
    private const string StevePhone = "+15142546011";
    private static readonly byte[] SteveCreate = SyncHarness.Payload("customers-create-steve-lastnameson.json");
    private static readonly CustomerProfile Theo = new("Theo", "Johnson", "theo@example.com", "+447400900004");

    private static byte[] Edit(byte[] body, Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(body)!.AsObject();
        edit(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private static SyncHarness Outbound(Action<ShopifySyncOptions>? configure = null) => SyncHarness.SingleStore(o =>
    {
        o.UpdateUsersInShopify = true;
        configure?.Invoke(o);
    });

    [Fact]
    public async Task A_user_who_registered_with_someones_email_but_did_not_confirm_it_is_not_linked_until_confirming()
    {
        using var harness = SyncHarness.SingleStore();
        var squatter = await harness.Users.AddByHostAsync(SteveEmail, displayName: "Not Steve", emailConfirmed: false);

        var created = await harness.DeliverAsync("customers/create", SteveCreate);
        var updated = await harness.DeliverAsync("customers/update", Edit(SteveCreate, o => o["updated_at"] = "2025-07-02T10:00:00-04:00"));

        foreach (var result in new[] { created, updated })
        {
            Assert.Equal(InboundOutcome.Skipped, result.Outcome);
            Assert.Equal(InboundSkipReasons.UnverifiedIdentity, result.Reason);
        }

        Assert.Empty(harness.Links.All);
        var untouched = Assert.Single(harness.Users.All);
        Assert.Equal((squatter.Id, null, null, null, (long?)null), (untouched.Id, untouched.FirstName, untouched.LastName, untouched.Phone, untouched.ShopifyId));

        // The owner of the address confirms it: the next update links.
        await harness.Users.EditByHostAsync(squatter.Id, u => u with { EmailConfirmed = true });
        var linked = await harness.DeliverAsync("customers/update", Edit(SteveCreate, o => o["updated_at"] = "2025-07-03T10:00:00-04:00"));

        Assert.Equal(InboundOutcome.Linked, linked.Outcome);
        Assert.Equal((Steve, squatter.Id), (Assert.Single(harness.Links.All).CustomerId, Assert.Single(harness.Users.All).Id));
        Assert.Equal(Steve, harness.Users.Get(squatter.Id).ShopifyId);
    }

    [Fact]
    public async Task A_customer_whose_phone_belongs_to_a_user_who_did_not_confirm_it_is_not_linked_to_that_user()
    {
        using var harness = SyncHarness.SingleStore();
        var phoneHolder = await harness.Users.AddByHostAsync("someone.else@example.com", phone: StevePhone, phoneConfirmed: false);

        var result = await harness.DeliverAsync("customers/create", SteveCreate);

        Assert.Equal(InboundOutcome.Created, result.Outcome);
        Assert.NotEqual(phoneHolder.Id, result.UserId);
        Assert.Equal(result.UserId, Assert.Single(harness.Links.All).UserId);
        var holder = harness.Users.Get(phoneHolder.Id);
        Assert.Null(holder.ShopifyId);
        Assert.Equal(("someone.else@example.com", null, null), (holder.Email, holder.FirstName, holder.LastName));
    }

    [Fact]
    public async Task A_customer_whose_phone_belongs_to_a_user_who_confirmed_it_is_linked_to_that_user()
    {
        using var harness = SyncHarness.SingleStore();
        var phoneHolder = await harness.Users.AddByHostAsync("someone.else@example.com", phone: StevePhone);

        var result = await harness.DeliverAsync("customers/create", SteveCreate);

        Assert.Equal((InboundOutcome.Linked, phoneHolder.Id), (result.Outcome, result.UserId));
        Assert.Equal(Steve, harness.Users.Get(phoneHolder.Id).ShopifyId);
    }

    [Fact]
    public async Task A_user_created_from_shopify_has_a_confirmed_email_exactly_when_shopify_verified_it()
    {
        using var harness = SyncHarness.SingleStore();

        var verified = await harness.DeliverAsync("customers/create", SteveCreate);
        var unverified = await harness.DeliverAsync("customers/create", Edit(SteveCreate, o =>
        {
            o["id"] = 1073339471;
            o["email"] = "other@example.com";
            o["phone"] = null;
            o["verified_email"] = false;
        }));

        Assert.True(harness.Users.Get(verified.UserId!).EmailConfirmed);
        Assert.False(harness.Users.Get(unverified.UserId!).EmailConfirmed);
    }

    [Fact]
    public async Task An_existing_link_is_never_moved_to_another_user_by_a_match()
    {
        using var harness = SyncHarness.SingleStore();
        var steve = await harness.DeliverAsync("customers/create", SteveCreate);
        var other = await harness.Users.AddByHostAsync("new.address@example.com", displayName: "Other User");

        // The customer now carries the other user's (confirmed) email.
        var result = await harness.DeliverAsync("customers/update", Edit(SteveCreate, o =>
        {
            o["email"] = "new.address@example.com";
            o["updated_at"] = "2025-07-02T10:00:00-04:00";
        }));

        Assert.Equal(steve.UserId, result.UserId);
        var link = Assert.Single(harness.Links.All);
        Assert.Equal((Steve, steve.UserId), (link.CustomerId, link.UserId));
        Assert.Null(harness.Users.Get(other.Id).ShopifyId);

        // A second customer with the linked user's email does not take the user over either.
        var second = await harness.DeliverAsync("customers/create", Edit(SteveCreate, o =>
        {
            o["id"] = 1073339472;
            o["phone"] = null;
        }));

        Assert.Equal((InboundOutcome.Skipped, InboundSkipReasons.UserLinkedToOtherCustomer), (second.Outcome, second.Reason));
        Assert.Equal((Steve, steve.UserId), (Assert.Single(harness.Links.All).CustomerId, Assert.Single(harness.Links.All).UserId));
        Assert.Equal(Steve, harness.Users.Get(steve.UserId!).ShopifyId);
    }

    [Fact]
    public async Task A_user_who_did_not_confirm_the_email_is_not_pushed_until_confirming()
    {
        using var harness = Outbound();
        var customer = harness.Shopify.Seed("uk", Theo);
        var user = await harness.Users.AddByHostAsync(Theo.Email!, first: "Mallory", last: "Attacker", emailConfirmed: false);

        Assert.Empty(await harness.RunOutboundAsync());

        // A push already queued (or asked for by an administrator) is refused too.
        var forced = await harness.Job.RunAsync(new OutboundPush(user.Id, "uk", harness.Time.GetUtcNow(), Deliberate: true), CancellationToken.None);
        Assert.Equal(OutboundOutcome.Skipped, forced.Outcome);
        Assert.Contains("not confirmed", forced.Detail, StringComparison.Ordinal);
        Assert.Equal(Theo, Assert.Single(harness.Shopify.In("uk")).Profile);
        Assert.Empty(harness.Links.All);
        Assert.DoesNotContain(harness.Shopify.Calls, c => c.StartsWith("find-email", StringComparison.Ordinal));

        await harness.Users.EditByHostAsync(user.Id, u => u with { EmailConfirmed = true });
        var result = Assert.Single(await harness.RunOutboundAsync());

        Assert.Equal((OutboundOutcome.Linked, customer.Id), (result.Outcome, result.CustomerId));
        Assert.Equal(customer.Id, harness.Users.Get(user.Id).ShopifyId);
    }

    [Fact]
    public async Task Turning_the_requirement_off_links_and_pushes_unconfirmed_identities()
    {
        using var harness = Outbound(o => o.RequireVerifiedIdentity = false);
        await harness.Users.AddByHostAsync("ada@example.com", first: "Ada", last: "Lovelace", emailConfirmed: false);

        var result = Assert.Single(await harness.RunOutboundAsync());

        Assert.Equal(OutboundOutcome.Created, result.Outcome);
        Assert.Equal("ada@example.com", Assert.Single(harness.Shopify.In("uk")).Profile.Email);
    }

    [Fact]
    public async Task An_administrator_is_never_pushed_not_even_when_sent_deliberately()
    {
        using var harness = Outbound();
        var admin = await harness.Users.AddByHostAsync("admin@example.com", first: "Site", last: "Administrator", roles: ["Administrator"]);

        Assert.Empty(await harness.RunOutboundAsync());
        await harness.Users.EditByHostAsync(admin.Id, u => u with { LastName = "Admin" });
        Assert.Empty(await harness.RunOutboundAsync());

        var sent = await harness.Job.RunAsync(new OutboundPush(admin.Id, "uk", harness.Time.GetUtcNow(), Deliberate: true), CancellationToken.None);

        Assert.Equal(OutboundOutcome.Skipped, sent.Outcome);
        Assert.Contains("'Administrator'", sent.Detail, StringComparison.Ordinal);
        Assert.Empty(harness.Shopify.In("uk"));
        Assert.Empty(harness.Shopify.Calls);
        Assert.Empty(harness.Links.All);
    }

    [Fact]
    public async Task Excluded_roles_are_configurable()
    {
        using var harness = Outbound(o => o.ExcludedRoles = "Staff, Editor");
        await harness.Users.AddByHostAsync("editor@example.com", first: "Ed", last: "Itor", roles: ["editor"]);
        await harness.Users.AddByHostAsync("admin@example.com", first: "Site", last: "Administrator", roles: ["Administrator"]);

        var result = Assert.Single(await harness.RunOutboundAsync());

        Assert.Equal(OutboundOutcome.Created, result.Outcome);
        Assert.Equal("admin@example.com", Assert.Single(harness.Shopify.In("uk")).Profile.Email);
    }

    [Fact]
    public async Task First_link_leaves_shopifys_names_and_phone_unchanged_and_a_user_name_never_becomes_the_first_name()
    {
        using var harness = Outbound();
        var customer = harness.Shopify.Seed("uk", Theo);

        // "theo" registered on the site with the customer's email: a user name, no last name, no phone.
        var user = await harness.Users.AddByHostAsync(Theo.Email!, displayName: "theo");
        var result = Assert.Single(await harness.RunOutboundAsync());

        Assert.Equal((OutboundOutcome.Linked, customer.Id), (result.Outcome, result.CustomerId));
        Assert.Equal(Theo, Assert.Single(harness.Shopify.In("uk")).Profile);
        Assert.Empty(harness.Shopify.Updates);

        // An unrelated save (a password change) sends nothing either.
        await harness.Users.EditByHostAsync(user.Id, u => u);
        Assert.All(await harness.RunOutboundAsync(), r => Assert.Equal(OutboundOutcome.Unchanged, r.Outcome));
        Assert.Equal(Theo, Assert.Single(harness.Shopify.In("uk")).Profile);
        Assert.Empty(harness.Shopify.Updates);
    }

    [Fact]
    public async Task A_user_name_made_from_the_email_is_not_sent_as_a_name_even_where_shopify_has_none()
    {
        using var harness = Outbound();
        var customer = harness.Shopify.Seed("uk", Theo with { FirstName = null });
        await harness.Users.AddByHostAsync(Theo.Email!, displayName: "theo");
        await harness.Users.AddByHostAsync("ada@example.com", displayName: "ADA");

        var results = await harness.RunOutboundAsync();

        Assert.Equal([OutboundOutcome.Linked, OutboundOutcome.Created], results.Select(r => r.Outcome));
        Assert.Equal(Theo with { FirstName = null }, harness.Shopify.In("uk").Single(c => c.Id == customer.Id).Profile);
        Assert.Equal(new CustomerProfile(null, null, "ada@example.com", null), harness.Shopify.In("uk").Single(c => c.Id != customer.Id).Profile);
    }

    [Fact]
    public async Task First_link_keeps_shopifys_values_fills_its_blanks_and_later_sends_only_what_the_user_changed()
    {
        using var harness = Outbound();
        var customer = harness.Shopify.Seed("uk", new CustomerProfile("Theo", "Johnson", "theo@example.com", null));
        var user = await harness.Users.AddByHostAsync(Theo.Email!, first: "Teddy", last: "J", phone: "+447400900004");

        var result = Assert.Single(await harness.RunOutboundAsync());

        Assert.Equal(OutboundOutcome.Linked, result.Outcome);
        Assert.Equal(Theo, Assert.Single(harness.Shopify.In("uk")).Profile);
        Assert.Equal((customer.Id, ProfileFields.Phone), Assert.Single(harness.Shopify.Updates));

        // Later the user changes the last name on the site: that change alone is sent.
        await harness.Users.EditByHostAsync(user.Id, u => u with { LastName = "Johnson-Smith" });
        var later = Assert.Single(await harness.RunOutboundAsync());

        Assert.Equal(OutboundOutcome.Updated, later.Outcome);
        Assert.Equal(ProfileFields.LastName, harness.Shopify.Updates[^1].Fields);
        Assert.Equal(Theo with { LastName = "Johnson-Smith" }, Assert.Single(harness.Shopify.In("uk")).Profile);
    }

    [Fact]
    public async Task A_linked_users_push_never_sends_an_empty_value_over_shopifys()
    {
        using var harness = Outbound();
        var user = await harness.Users.AddByHostAsync(Theo.Email!, first: Theo.FirstName, last: Theo.LastName, phone: Theo.Phone);
        await harness.RunOutboundAsync();

        await harness.Users.EditByHostAsync(user.Id, u => u with { Phone = null, LastName = "" });
        var results = await harness.RunOutboundAsync();

        Assert.All(results, r => Assert.Equal(OutboundOutcome.Unchanged, r.Outcome));
        Assert.Empty(harness.Shopify.Updates);
        Assert.Equal(Theo, Assert.Single(harness.Shopify.In("uk")).Profile);
    }

    [Theory]
    [InlineData("customers/delete")]
    [InlineData("customers/redact")]
    public async Task A_customer_shopify_deleted_stays_deleted_until_the_user_is_sent_deliberately(string topic)
    {
        using var harness = Outbound();
        var user = await harness.Users.AddByHostAsync(Theo.Email!, first: Theo.FirstName, last: Theo.LastName, phone: Theo.Phone);
        var created = Assert.Single(await harness.RunOutboundAsync());
        var customerId = created.CustomerId!.Value;

        // The merchant deletes the customer; another customer with the same email still exists in the store.
        harness.Shopify.DeleteInAdmin("uk", customerId);
        var lookalike = harness.Shopify.Seed("uk", Theo with { FirstName = "T." });
        var body = topic == "customers/delete"
            ? Edit(SyncHarness.Payload("customers-delete.json"), o => o["id"] = customerId)
            : Edit(SyncHarness.Payload("customers-redact.json"), o => o["customer"]!["id"] = customerId);
        var unlinked = await harness.DeliverAsync(topic, body);

        Assert.Equal(user.Id, unlinked.UserId);
        Assert.Empty(harness.Links.All);
        Assert.Null(harness.Users.Get(user.Id).ShopifyId);

        // An ordinary save (a password change, a name change) creates no customer and matches none.
        harness.Shopify.ClearCalls();
        await harness.Users.EditByHostAsync(user.Id, u => u);
        await harness.Users.EditByHostAsync(user.Id, u => u with { FirstName = "Theodore" });
        Assert.Empty(await harness.RunOutboundAsync());
        var queuedBefore = await harness.Job.RunAsync(new OutboundPush(user.Id, "uk", harness.Time.GetUtcNow()), CancellationToken.None);

        Assert.Equal(OutboundOutcome.Skipped, queuedBefore.Outcome);
        Assert.Contains("deliberately", queuedBefore.Detail, StringComparison.Ordinal);
        Assert.Equal([lookalike], harness.Shopify.In("uk"));
        Assert.Empty(harness.Shopify.Calls);
        Assert.Empty(harness.Links.All);

        // An administrator sends the user: that links (or creates) again, and ordinary saves push again afterwards.
        var sent = await harness.Job.RunAsync(new OutboundPush(user.Id, "uk", harness.Time.GetUtcNow(), Deliberate: true), CancellationToken.None);

        Assert.Equal((OutboundOutcome.Linked, lookalike.Id), (sent.Outcome, sent.CustomerId));
        Assert.Equal((lookalike.Id, user.Id), (Assert.Single(harness.Links.All).CustomerId, Assert.Single(harness.Links.All).UserId));
        Assert.Null(await harness.Links.FindDeletedForUserAsync("uk", user.Id, CancellationToken.None));
    }
}
