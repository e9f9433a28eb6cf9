using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.Core.Tests.Sync;

public sealed class InboundSyncTests
{
    private static readonly byte[] SteveCreate = SyncHarness.Payload("customers-create-steve-lastnameson.json");

    private static byte[] Edit(byte[] body, Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(body)!.AsObject();
        edit(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    [Fact]
    public async Task Customer_create_creates_a_user_and_stores_shopify_id()
    {
        using var harness = SyncHarness.SingleStore();

        var result = await harness.DeliverAsync("customers/create", SteveCreate);

        Assert.Equal(InboundOutcome.Created, result.Outcome);
        var user = Assert.Single(harness.Users.All);
        Assert.Equal("steve.lastnameson@example.com", user.Email);
        Assert.Equal("Steve", user.FirstName);
        Assert.Equal("Lastnameson", user.LastName);
        Assert.Equal("+15142546011", user.Phone);
        Assert.Equal(1073339470L, user.ShopifyId);
        Assert.Empty(user.ShopifyIds);
        var link = Assert.Single(harness.Links.All);
        Assert.Equal(("uk", 1073339470L, user.Id), (link.StoreHandle, link.CustomerId, link.UserId));
    }

    [Fact]
    public async Task A_phone_libphonenumber_rejects_is_never_written_to_the_user_and_the_warning_names_the_customer()
    {
        using var harness = SyncHarness.SingleStore(o => o.DefaultRegion = "GB");

        var result = await harness.DeliverAsync("customers/create", Edit(SteveCreate, c => c["phone"] = "+44 7700 900123"));

        Assert.Equal(InboundOutcome.Created, result.Outcome);
        var user = Assert.Single(harness.Users.All);
        Assert.Equal("steve.lastnameson@example.com", user.Email);
        Assert.Null(user.Phone);
        var warning = Assert.Single(harness.Logs.GetSnapshot(), r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal(
            "Shopify customer 1073339470 in store uk has a phone that is not a valid number (libphonenumber, default region GB); it is read as no phone, never written to the user, and a linked user keeps its own",
            warning.Message);
        Assert.DoesNotContain("7700", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_linked_user_keeps_its_phone_when_shopify_holds_one_libphonenumber_rejects()
    {
        using var harness = SyncHarness.SingleStore(o => o.DefaultRegion = "US");
        await harness.DeliverAsync("customers/create", SteveCreate);
        Assert.Equal("+15142546011", Assert.Single(harness.Users.All).Phone);

        var result = await harness.DeliverAsync("customers/update", Edit(SteveCreate, c =>
        {
            c["first_name"] = "Steven";
            c["phone"] = "555-625-1199";
            c["updated_at"] = "2025-07-02T09:00:00-04:00";
        }));

        Assert.Equal(InboundOutcome.Updated, result.Outcome);
        var user = Assert.Single(harness.Users.All);
        Assert.Equal(("Steven", "+15142546011"), (user.FirstName, user.Phone));
        Assert.Equal(ProfileFields.FirstName, result.Changed);
    }

    [Theory]
    [InlineData("IT", "1")]
    [InlineData(null, "39")]
    public async Task A_national_phone_is_read_in_the_default_region_keeping_italys_leading_zero(string? region, string callingCode)
    {
        using var harness = SyncHarness.SingleStore(o => { o.DefaultRegion = region; o.DefaultCountryCallingCode = callingCode; });

        await harness.DeliverAsync("customers/create", Edit(SteveCreate, c => c["phone"] = "06 6982 1234"));

        Assert.Equal("+390669821234", Assert.Single(harness.Users.All).Phone);
        Assert.DoesNotContain(harness.Logs.GetSnapshot(), r => r.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task Delivery_applied_again_after_a_crash_between_link_and_user_write_restores_the_users_shopify_id()
    {
        using var harness = SyncHarness.SingleStore();
        var triggeredAt = harness.Time.GetUtcNow();
        await harness.DeliverAsync("customers/create", SteveCreate, webhookId: "wh-crash", triggeredAt: triggeredAt);
        var user = Assert.Single(harness.Users.All);

        // The process died after storing the link and before writing the id on the user; the inbox runs the delivery again.
        await harness.Users.EditByHostAsync(user.Id, u => u with { ShopifyId = null });
        await harness.DeliverAsync("customers/create", SteveCreate, webhookId: "wh-crash", triggeredAt: triggeredAt);

        Assert.Equal(1073339470L, harness.Users.Get(user.Id).ShopifyId);
        Assert.Single(harness.Links.All);
    }

    [Fact]
    public async Task Multi_store_mode_writes_shopify_ids_keyed_by_the_store_from_the_shop_domain()
    {
        using var harness = SyncHarness.MultiStore();
        var usBody = Edit(SteveCreate, c => c["id"] = 819222771040481239);

        await harness.DeliverAsync("customers/create", SteveCreate, store: "uk");
        await harness.DeliverAsync("customers/create", usBody, store: "us");

        var user = Assert.Single(harness.Users.All);
        Assert.Null(user.ShopifyId);
        Assert.Equal(1073339470L, user.ShopifyIds["uk"]);
        Assert.Equal(819222771040481239L, user.ShopifyIds["us"]);
        Assert.Equal(2, harness.Links.All.Count);
    }

    [Fact]
    public async Task An_existing_user_is_linked_by_email_case_insensitively_and_keeps_its_own_fields()
    {
        using var harness = SyncHarness.SingleStore();
        var existing = await harness.Users.AddByHostAsync("Steve.Lastnameson@Example.com", first: "Stephen", last: "L.");

        var result = await harness.DeliverAsync("customers/create", SteveCreate);

        Assert.Equal(InboundOutcome.Linked, result.Outcome);
        var user = Assert.Single(harness.Users.All);
        Assert.Equal(existing.Id, user.Id);
        Assert.Equal(1073339470L, user.ShopifyId);
        Assert.Equal("Stephen", user.FirstName);
        Assert.Equal("+15142546011", user.Phone);
    }

    [Fact]
    public async Task An_existing_user_is_linked_by_phone_in_e164_when_the_email_differs()
    {
        using var harness = SyncHarness.SingleStore();
        var existing = await harness.Users.AddByHostAsync("steve@personal.example", phone: "+15142546011");

        var result = await harness.DeliverAsync("customers/create", Edit(SteveCreate, c => c["phone"] = "(514) 254-6011"));

        Assert.Equal(InboundOutcome.Linked, result.Outcome);
        Assert.Equal(existing.Id, Assert.Single(harness.Users.All).Id);
    }

    [Fact]
    public async Task Email_strategy_does_not_match_by_phone()
    {
        using var harness = SyncHarness.SingleStore(o => o.MatchStrategy = UserMatchStrategy.Email);
        await harness.Users.AddByHostAsync("steve@personal.example", phone: "+15142546011");

        var result = await harness.DeliverAsync("customers/create", SteveCreate);

        Assert.Equal(InboundOutcome.Created, result.Outcome);
        Assert.Equal(2, harness.Users.All.Count);
    }

    [Fact]
    public async Task Link_only_strategy_never_matches_an_unlinked_user()
    {
        using var harness = SyncHarness.SingleStore(o => o.MatchStrategy = UserMatchStrategy.LinkOnly);
        var someone = await harness.Users.AddByHostAsync("steve.lastnameson@example.com", phone: "+15142546011");

        var result = await harness.DeliverAsync("customers/create", SteveCreate);

        Assert.Equal(InboundOutcome.Skipped, result.Outcome);
        Assert.Contains("LinkOnly", result.Detail, StringComparison.Ordinal);
        Assert.Null(Assert.Single(harness.Users.All).ShopifyId);
        Assert.Empty(harness.Links.All);
        Assert.Equal(someone.Id, harness.Users.All[0].Id);
    }

    [Fact]
    public async Task Link_only_strategy_creates_a_user_for_a_new_email()
    {
        using var harness = SyncHarness.SingleStore(o => o.MatchStrategy = UserMatchStrategy.LinkOnly);

        var result = await harness.DeliverAsync("customers/create", SteveCreate);

        Assert.Equal(InboundOutcome.Created, result.Outcome);
        Assert.Single(harness.Links.All);
    }

    [Fact]
    public async Task No_email_and_no_match_is_a_recorded_skip_and_no_user()
    {
        using var harness = SyncHarness.SingleStore();

        var result = await harness.DeliverAsync("customers/create", Edit(SteveCreate, c => { c["email"] = null; c["phone"] = null; }));

        Assert.Equal(InboundOutcome.Skipped, result.Outcome);
        Assert.Empty(harness.Users.All);
        Assert.Empty(harness.Links.All);
        var entry = Assert.Single(harness.Log.Entries);
        Assert.Equal("skipped", entry.Outcome);
        Assert.Contains("no email", entry.Detail, StringComparison.Ordinal);
        Assert.Equal(1073339470L, entry.CustomerId);
    }

    [Fact]
    public async Task Without_create_users_from_shopify_an_unmatched_customer_creates_nothing()
    {
        using var harness = SyncHarness.SingleStore(o => o.CreateUsersFromShopify = false);

        var result = await harness.DeliverAsync("customers/create", SteveCreate);

        Assert.Equal(InboundOutcome.Skipped, result.Outcome);
        Assert.Empty(harness.Users.All);
        Assert.Contains("CreateUsersFromShopify", Assert.Single(harness.Log.Entries).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_create_users_from_shopify_a_matching_user_is_still_linked()
    {
        using var harness = SyncHarness.SingleStore(o => o.CreateUsersFromShopify = false);
        await harness.Users.AddByHostAsync("steve.lastnameson@example.com");

        var result = await harness.DeliverAsync("customers/update", SteveCreate);

        Assert.Equal(InboundOutcome.Linked, result.Outcome);
        Assert.Equal(1073339470L, Assert.Single(harness.Users.All).ShopifyId);
    }

    [Fact]
    public async Task Update_refreshes_shopify_owned_fields_of_a_linked_user()
    {
        using var harness = SyncHarness.SingleStore();
        await harness.DeliverAsync("customers/create", SteveCreate);

        var result = await harness.DeliverAsync("customers/update", Edit(SteveCreate, c =>
        {
            c["first_name"] = "Steven";
            c["phone"] = "+1 514-254-6099";
            c["email"] = "new.address@example.com";
            c["updated_at"] = "2025-07-02T09:00:00-04:00";
        }));

        Assert.Equal(InboundOutcome.Updated, result.Outcome);
        var user = Assert.Single(harness.Users.All);
        Assert.Equal("Steven", user.FirstName);
        Assert.Equal("+15142546099", user.Phone);
        Assert.Equal("steve.lastnameson@example.com", user.Email);
    }

    [Fact]
    public async Task Email_is_refreshed_only_when_enabled_and_not_taken_by_another_user()
    {
        using var harness = SyncHarness.SingleStore(o => o.RefreshEmailFromShopify = true);
        await harness.DeliverAsync("customers/create", SteveCreate);
        await harness.Users.AddByHostAsync("taken@example.com");

        await harness.DeliverAsync("customers/update", Edit(SteveCreate, c => { c["email"] = "taken@example.com"; c["updated_at"] = "2025-07-02T09:00:00-04:00"; }));
        var afterTaken = harness.Users.All.Single(u => u.ShopifyId == 1073339470L).Email;
        await harness.DeliverAsync("customers/update", Edit(SteveCreate, c => { c["email"] = "free@example.com"; c["updated_at"] = "2025-07-03T09:00:00-04:00"; }));

        Assert.Equal("steve.lastnameson@example.com", afterTaken);
        Assert.Equal("free@example.com", harness.Users.All.Single(u => u.ShopifyId == 1073339470L).Email);
    }

    [Fact]
    public async Task Refresh_can_be_turned_off()
    {
        using var harness = SyncHarness.SingleStore(o => o.RefreshLinkedUserProfile = false);
        await harness.DeliverAsync("customers/create", SteveCreate);

        await harness.DeliverAsync("customers/update", Edit(SteveCreate, c => { c["first_name"] = "Steven"; c["updated_at"] = "2025-07-02T09:00:00-04:00"; }));

        Assert.Equal("Steve", Assert.Single(harness.Users.All).FirstName);
    }

    [Fact]
    public async Task An_older_update_arriving_after_a_newer_one_changes_nothing()
    {
        using var harness = SyncHarness.SingleStore();
        await harness.DeliverAsync("customers/create", SteveCreate);
        var newer = Edit(SteveCreate, c => { c["first_name"] = "Newer"; c["updated_at"] = "2025-07-03T10:00:00-04:00"; });
        var older = Edit(SteveCreate, c => { c["first_name"] = "Older"; c["updated_at"] = "2025-07-02T10:00:00-04:00"; });

        await harness.DeliverAsync("customers/update", newer);
        var updatesBefore = harness.Users.ProfileUpdates;
        var result = await harness.DeliverAsync("customers/update", older);

        Assert.Equal(InboundOutcome.Stale, result.Outcome);
        Assert.Equal("Newer", Assert.Single(harness.Users.All).FirstName);
        Assert.Equal(updatesBefore, harness.Users.ProfileUpdates);
    }

    [Fact]
    public async Task Same_second_updates_are_ordered_by_triggered_at()
    {
        using var harness = SyncHarness.SingleStore();
        var t0 = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        await harness.DeliverAsync("customers/create", SteveCreate, triggeredAt: t0);
        var second = Edit(SteveCreate, c => { c["first_name"] = "Second"; c["updated_at"] = "2025-07-03T10:00:00-04:00"; });
        var first = Edit(SteveCreate, c => { c["first_name"] = "First"; c["updated_at"] = "2025-07-03T10:00:00-04:00"; });

        await harness.DeliverAsync("customers/update", second, triggeredAt: t0.AddMilliseconds(900));
        var late = await harness.DeliverAsync("customers/update", first, triggeredAt: t0.AddMilliseconds(300));

        Assert.Equal(InboundOutcome.Stale, late.Outcome);
        Assert.Equal("Second", Assert.Single(harness.Users.All).FirstName);
    }

    [Fact]
    public async Task Duplicate_delivery_is_applied_once()
    {
        using var harness = SyncHarness.SingleStore();
        var update = Edit(SteveCreate, c => { c["last_name"] = "Renamed"; c["updated_at"] = "2025-07-02T10:00:00-04:00"; });
        await harness.DeliverAsync("customers/create", SteveCreate, webhookId: "create-1");
        await harness.DeliverAsync("customers/create", SteveCreate, webhookId: "create-1");

        var first = await harness.DeliverAsync("customers/update", update, webhookId: "update-1");
        var again = await harness.DeliverAsync("customers/update", update, webhookId: "update-1");

        Assert.Equal(1, harness.Users.Creates);
        Assert.Single(harness.Users.All);
        Assert.Single(harness.Links.All);
        Assert.Equal(InboundOutcome.Updated, first.Outcome);
        Assert.NotEqual(InboundOutcome.Updated, again.Outcome);
        Assert.Equal("Renamed", harness.Users.All[0].LastName);
    }

    [Fact]
    public async Task Two_concurrent_deliveries_for_one_new_customer_create_one_user()
    {
        for (var round = 0; round < 20; round++)
        {
            using var harness = SyncHarness.SingleStore();

            var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => Task.Run(() =>
                harness.DeliverAsync(i == 0 ? "customers/create" : "customers/update", SteveCreate, webhookId: $"wh-{round}-{i}"))));

            Assert.Single(harness.Users.All);
            Assert.Single(harness.Links.All);
            Assert.Contains(results, r => r.Outcome == InboundOutcome.Created);
        }
    }

    [Fact]
    public async Task Concurrent_deliveries_from_two_stores_for_one_new_email_converge_on_one_user()
    {
        for (var round = 0; round < 20; round++)
        {
            using var harness = SyncHarness.MultiStore();
            var usBody = Edit(SteveCreate, c => c["id"] = 819222771040481239);

            await Task.WhenAll(
                Task.Run(() => harness.DeliverAsync("customers/create", SteveCreate, store: "uk")),
                Task.Run(() => harness.DeliverAsync("customers/create", usBody, store: "us")));

            var user = Assert.Single(harness.Users.All);
            Assert.Equal(2, user.ShopifyIds.Count);
        }
    }

    [Fact]
    public async Task Delete_unlinks_and_never_deletes_the_user()
    {
        using var harness = SyncHarness.SingleStore();
        await harness.DeliverAsync("customers/create", SteveCreate);

        var result = await harness.DeliverAsync("customers/delete", SyncHarness.Payload("customers-delete.json"));

        Assert.Equal(InboundOutcome.Unlinked, result.Outcome);
        var user = Assert.Single(harness.Users.All);
        Assert.Null(user.ShopifyId);
        Assert.Empty(harness.Links.All);
    }

    [Fact]
    public async Task Multi_store_delete_leaves_the_other_stores_link_intact()
    {
        using var harness = SyncHarness.MultiStore();
        await harness.DeliverAsync("customers/create", SteveCreate, store: "uk");
        await harness.DeliverAsync("customers/create", Edit(SteveCreate, c => c["id"] = 819222771040481239), store: "us");

        await harness.DeliverAsync("customers/delete", SyncHarness.Payload("customers-delete.json"), store: "uk");

        var user = Assert.Single(harness.Users.All);
        Assert.False(user.ShopifyIds.ContainsKey("uk"));
        Assert.Equal(819222771040481239L, user.ShopifyIds["us"]);
        Assert.Equal("us", Assert.Single(harness.Links.All).StoreHandle);
    }

    [Fact]
    public async Task Delete_of_an_unknown_customer_changes_nothing()
    {
        using var harness = SyncHarness.SingleStore();
        await harness.Users.AddByHostAsync("someone@example.com");

        var result = await harness.DeliverAsync("customers/delete", SyncHarness.Payload("customers-delete.json"));

        Assert.Equal(InboundOutcome.Skipped, result.Outcome);
        Assert.Single(harness.Users.All);
    }

    [Fact]
    public async Task A_create_overtaken_by_its_customers_delete_creates_and_links_nobody()
    {
        using var harness = SyncHarness.SingleStore();

        // Shopify's retries keep no order: the delete of a customer arrives before its create.
        var delete = await harness.DeliverAsync("customers/delete", SyncHarness.Payload("customers-delete.json"));
        var create = await harness.DeliverAsync("customers/create", SteveCreate);

        Assert.Equal((InboundOutcome.Skipped, InboundSkipReasons.NotLinked), (delete.Outcome, delete.Reason));
        Assert.Equal((InboundOutcome.Skipped, InboundSkipReasons.CustomerDeleted, 1073339470L), (create.Outcome, create.Reason, create.CustomerId));
        Assert.Contains("Shopify deleted customer 1073339470", create.Detail, StringComparison.Ordinal);
        Assert.Empty(harness.Users.All);
        Assert.Empty(harness.Links.All);
        Assert.Equal("skipped", harness.Log.Entries[^1].Outcome);
    }

    [Fact]
    public async Task A_late_update_after_the_delete_does_not_link_the_user_again()
    {
        using var harness = SyncHarness.SingleStore();
        await harness.DeliverAsync("customers/create", SteveCreate);
        await harness.DeliverAsync("customers/delete", SyncHarness.Payload("customers-delete.json"));

        var late = await harness.DeliverAsync("customers/update", Edit(SteveCreate, c => { c["updated_at"] = "2025-07-09T00:00:00Z"; c["first_name"] = "Stephen"; }));

        Assert.Equal((InboundOutcome.Skipped, InboundSkipReasons.CustomerDeleted), (late.Outcome, late.Reason));
        var user = Assert.Single(harness.Users.All);
        Assert.Equal((null, "Steve"), (user.ShopifyId, user.FirstName));
        Assert.Empty(harness.Links.All);
    }

    [Fact]
    public async Task A_deletion_holds_back_only_that_store_and_not_the_customer_as_shopify_reports_it_now()
    {
        using var harness = SyncHarness.MultiStore();
        await harness.DeliverAsync("customers/delete", SyncHarness.Payload("customers-delete.json"), store: "uk");

        // Another store's customer with the same id is another customer.
        var us = await harness.DeliverAsync("customers/create", SteveCreate, store: "us");
        Assert.Equal(InboundOutcome.Created, us.Outcome);

        // An import or reconciliation reads the customer from Shopify: it exists there now, so it is applied.
        var state = await harness.Inbound.ApplyCustomerStateAsync(
            harness.Stores.FindByHandle("uk")!,
            new ShopifyCustomer(1073339470, new CustomerProfile("Steve", "Lastnameson", "steve.lastnameson@example.com", "+15142546011"), DateTimeOffset.Parse("2025-07-09T00:00:00Z", CultureInfo.InvariantCulture)),
            CustomerStateSource.Import,
            CustomerApplyMode.NewerOnly,
            CancellationToken.None);
        Assert.Equal(InboundOutcome.Linked, state.Outcome);
        Assert.Equal(1073339470L, Assert.Single(harness.Users.All).ShopifyIds["uk"]);
    }

    [Fact]
    public async Task Redact_unlinks_and_erases_the_stored_shopify_data_of_that_customer_only()
    {
        using var harness = SyncHarness.MultiStore();
        await harness.DeliverAsync("customers/create", SteveCreate, store: "uk");
        await harness.DeliverAsync("customers/create", Edit(SteveCreate, c => c["id"] = 819222771040481239), store: "us");

        var result = await harness.DeliverAsync("customers/redact", SyncHarness.Payload("customers-redact.json"), store: "uk");

        Assert.Equal(InboundOutcome.Redacted, result.Outcome);
        var user = Assert.Single(harness.Users.All);
        Assert.False(user.ShopifyIds.ContainsKey("uk"));
        Assert.True(user.ShopifyIds.ContainsKey("us"));
        Assert.DoesNotContain(harness.Links.All, l => l.StoreHandle == "uk");
        Assert.DoesNotContain(harness.Log.Entries, e => e.StoreHandle == "uk" && e.CustomerId == 1073339470L && e.Outcome != "redacted");
        Assert.Contains(harness.Log.Entries, e => e.StoreHandle == "us" && e.CustomerId == 819222771040481239L);
    }

    [Fact]
    public async Task Shop_redact_removes_every_link_of_that_store_and_its_log_but_keeps_users_and_other_stores()
    {
        using var harness = SyncHarness.MultiStore();
        await harness.DeliverAsync("customers/create", SteveCreate, store: "uk");
        await harness.DeliverAsync("customers/create", Edit(SteveCreate, c => { c["id"] = 42; c["email"] = "second@example.com"; c["phone"] = null; }), store: "uk");
        await harness.DeliverAsync("customers/create", Edit(SteveCreate, c => c["id"] = 819222771040481239), store: "us");

        var result = await harness.DeliverAsync("shop/redact", SyncHarness.Payload("shop-redact.json"), store: "uk");

        Assert.Equal(InboundOutcome.Redacted, result.Outcome);
        Assert.Equal(2, harness.Users.All.Count);
        Assert.All(harness.Users.All, u => Assert.False(u.ShopifyIds.ContainsKey("uk")));
        Assert.Equal(819222771040481239L, harness.Users.All.Single(u => u.Email == "steve.lastnameson@example.com").ShopifyIds["us"]);
        Assert.Equal("us", Assert.Single(harness.Links.All).StoreHandle);
        Assert.DoesNotContain(harness.Log.Entries, e => e.StoreHandle == "uk" && e.CustomerId is not null);
        Assert.Contains(harness.Log.Entries, e => e.StoreHandle == "us");
    }

    [Fact]
    public async Task Shop_redact_naming_another_shop_is_refused_and_erases_nothing()
    {
        using var harness = SyncHarness.MultiStore();
        await harness.DeliverAsync("customers/create", SteveCreate, store: "uk");

        var ex = await Assert.ThrowsAsync<CustomerPayloadException>(() => harness.DeliverAsync("shop/redact", SyncHarness.Payload("shop-redact.json"), store: "us"));

        Assert.Equal("shop_domain", ex.Path);
        Assert.Single(harness.Links.All);
    }

    [Fact]
    public async Task A_user_deleted_on_the_site_is_recreated_from_the_next_update()
    {
        using var harness = SyncHarness.SingleStore();
        await harness.DeliverAsync("customers/create", SteveCreate);
        var deleted = Assert.Single(harness.Users.All);
        harness.Users.DeleteByHost(deleted.Id);

        var result = await harness.DeliverAsync("customers/update", Edit(SteveCreate, c => c["updated_at"] = "2025-07-09T00:00:00Z"));

        Assert.Equal(InboundOutcome.Created, result.Outcome);
        var recreated = Assert.Single(harness.Users.All);
        Assert.NotEqual(deleted.Id, recreated.Id);
        Assert.Equal(recreated.Id, Assert.Single(harness.Links.All).UserId);
    }

    [Fact]
    public async Task A_user_already_linked_to_another_customer_is_not_relinked()
    {
        using var harness = SyncHarness.SingleStore();
        await harness.DeliverAsync("customers/create", SteveCreate);

        var result = await harness.DeliverAsync("customers/create", Edit(SteveCreate, c => c["id"] = 55));

        Assert.Equal(InboundOutcome.Skipped, result.Outcome);
        Assert.Equal(1073339470L, Assert.Single(harness.Links.All).CustomerId);
        Assert.Contains("already linked", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_payload_without_an_id_is_a_precise_permanent_error()
    {
        using var harness = SyncHarness.SingleStore();

        var ex = await Assert.ThrowsAsync<CustomerPayloadException>(() => harness.DeliverAsync("customers/create", Encoding.UTF8.GetBytes("""{"email":"x@example.com"}""")));

        Assert.Equal("id", ex.Path);
        Assert.Empty(harness.Users.All);
    }

    [Fact]
    public async Task Inbound_off_applies_nothing()
    {
        using var harness = SyncHarness.SingleStore(o => o.InboundEnabled = false);

        var result = await harness.DeliverAsync("customers/create", SteveCreate);

        Assert.Equal(InboundOutcome.Skipped, result.Outcome);
        Assert.Empty(harness.Users.All);
    }

    [Fact]
    public async Task Other_topics_are_ignored_and_recorded()
    {
        using var harness = SyncHarness.SingleStore();

        var result = await harness.DeliverAsync("orders/create", Encoding.UTF8.GetBytes("""{"id":1}"""));

        Assert.Equal(InboundOutcome.Ignored, result.Outcome);
        Assert.Empty(harness.Users.All);
        Assert.Equal("ignored", Assert.Single(harness.Log.Entries).Outcome);
    }
}
