using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OrchardCore.Entities;
using OrchardCore.Users;
using OrchardCore.Users.Models;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;
using OrchardShopify.OrchardCore.Tests.Support;
using OrchardShopify.OrchardCore.Users;

namespace OrchardShopify.OrchardCore.Tests.Users;

/// <summary>The user directory over Orchard Core's real UserManager&lt;IUser&gt; and user store, on YesSql and SQLite.</summary>
public sealed class OrchardUserDirectoryTests : IAsyncLifetime
{
    private OrchardUsersTenant _tenant = null!;

    public async Task InitializeAsync() => _tenant = await OrchardUsersTenant.StartAsync();

    public async Task DisposeAsync() => await _tenant.DisposeAsync();

    [Fact]
    public async Task Created_user_is_found_by_id_email_and_phone_with_its_names()
    {
        var created = await CreateBySyncAsync(new CustomerProfile("Ada", "Lovelace", "Ada@Example.com", "+16135551212"));

        var byId = await _tenant.Directory.FindByIdAsync(created.Id, CancellationToken.None);
        var byEmail = await _tenant.Directory.FindByEmailAsync("ada@example.com", CancellationToken.None);
        var byPhone = await _tenant.Directory.FindByPhoneAsync("+16135551212", CancellationToken.None);

        Assert.Equal(("Ada", "Lovelace", "Ada@Example.com", "+16135551212"), (byId!.FirstName, byId.LastName, byId.Email, byId.Phone));
        Assert.Equal(created.Id, byEmail!.Id);
        Assert.Equal(created.Id, byPhone!.Id);
    }

    [Fact]
    public async Task New_user_names_follow_orchard_core_rules_and_are_made_unique()
    {
        var first = await CreateBySyncAsync(new CustomerProfile(null, null, "ada+x@y.com", null));
        var second = await CreateBySyncAsync(new CustomerProfile(null, null, "ada@x+y.com", null));

        Assert.Equal("ada+x+y.com", await _tenant.UserNameAsync(first.Id));
        Assert.Equal("ada+x+y.com-2", await _tenant.UserNameAsync(second.Id));
    }

    [Fact]
    public async Task Enabling_the_feature_indexes_users_saved_before_it()
    {
        var user = await CreateBySyncAsync(new CustomerProfile("Fay", null, "fay@example.com", "+442079460123"));
        await _tenant.Directory.SetShopifyIdAsync(user.Id, "uk", 9001, CancellationToken.None);
        await _tenant.ExecuteSqlAsync("DELETE FROM ShopifyUserPhoneIndex; DELETE FROM ShopifyCustomerLinkIndex;");
        Assert.Null(await _tenant.Directory.FindByPhoneAsync("+442079460123", CancellationToken.None));

        await _tenant.RequestAsync(services => ShopifyUserMigrations.IndexExistingUsersAsync(services.GetRequiredService<YesSql.ISession>()));

        Assert.Equal(user.Id, (await _tenant.Directory.FindByPhoneAsync("+442079460123", CancellationToken.None))!.Id);
        Assert.Equal(user.Id, await _tenant.Directory.FindUserIdByCustomerAsync("uk", 9001, CancellationToken.None));
    }

    [Fact]
    public async Task Creating_a_second_user_with_the_same_email_reports_it_taken()
    {
        await CreateBySyncAsync(new CustomerProfile("Ada", null, "ada@example.com", null));

        var second = await _tenant.Directory.CreateAsync(new CustomerProfile("Other", null, "ADA@example.com", null), emailConfirmed: false, CancellationToken.None);

        Assert.True(second.EmailTaken);
        Assert.Null(second.User);
    }

    [Fact]
    public async Task Linking_writes_shopify_ids_on_the_user_and_the_link_index_unlinking_removes_them()
    {
        var user = await CreateBySyncAsync(new CustomerProfile("Bob", "Smith", "bob@example.com", null));

        await _tenant.Directory.SetShopifyIdAsync(user.Id, "uk", 706405506930370084, CancellationToken.None);
        var linked = await _tenant.Directory.FindByIdAsync(user.Id, CancellationToken.None);
        var found = await _tenant.Directory.FindUserIdByCustomerAsync("uk", 706405506930370084, CancellationToken.None);
        await _tenant.Directory.SetShopifyIdAsync(user.Id, "uk", null, CancellationToken.None);
        var unlinked = await _tenant.Directory.FindByIdAsync(user.Id, CancellationToken.None);

        Assert.Equal(706405506930370084, linked!.ShopifyIds["uk"]);
        Assert.Equal(user.Id, found);
        Assert.Empty(unlinked!.ShopifyIds);
        Assert.Null(await _tenant.Directory.FindUserIdByCustomerAsync("uk", 706405506930370084, CancellationToken.None));
    }

    [Fact]
    public async Task Single_store_link_is_shopify_id_and_found_with_an_empty_store()
    {
        var user = await CreateBySyncAsync(new CustomerProfile(null, null, "cy@example.com", null));

        await _tenant.Directory.SetShopifyIdAsync(user.Id, null, 5503, CancellationToken.None);

        Assert.Equal(5503, (await _tenant.Directory.FindByIdAsync(user.Id, CancellationToken.None))!.ShopifyId);
        Assert.Equal(user.Id, await _tenant.Directory.FindUserIdByCustomerAsync(null, 5503, CancellationToken.None));
    }

    [Fact]
    public async Task Profile_update_writes_only_the_given_fields()
    {
        var user = await CreateBySyncAsync(new CustomerProfile("Di", "Prince", "di@example.com", "+14155550100"));

        await _tenant.Directory.UpdateProfileAsync(user.Id, new CustomerProfile("Diana", "Ignored", "ignored@example.com", null), ProfileFields.FirstName | ProfileFields.Phone, CancellationToken.None);
        var updated = await _tenant.Directory.FindByIdAsync(user.Id, CancellationToken.None);

        Assert.Equal(("Diana", "Prince", "di@example.com", (string?)null), (updated!.FirstName, updated.LastName, updated.Email, updated.Phone));
        Assert.Null(await _tenant.Directory.FindByPhoneAsync("+14155550100", CancellationToken.None));
    }

    [Fact]
    public async Task An_email_or_phone_the_sync_writes_from_shopify_is_no_longer_confirmed_and_the_user_name_is_never_a_name()
    {
        var user = await CreateBySyncAsync(new CustomerProfile(null, null, "vera@example.com", "+442079460111"));
        await EditAsync(user.Id, u =>
        {
            u.EmailConfirmed = true;
            u.PhoneNumberConfirmed = true;
        });

        // The same values again change nothing; new ones from Shopify were never confirmed on this site.
        await _tenant.Directory.UpdateProfileAsync(user.Id, new CustomerProfile(null, null, "VERA@example.com", "+442079460111"), ProfileFields.Email | ProfileFields.Phone, CancellationToken.None);
        var same = (await _tenant.Directory.FindByIdAsync(user.Id, CancellationToken.None))!;
        Assert.Equal((true, true), (same.EmailConfirmed, same.PhoneConfirmed));

        await _tenant.Directory.UpdateProfileAsync(user.Id, new CustomerProfile(null, null, "vera.new@example.com", "+442079460222"), ProfileFields.Email | ProfileFields.Phone, CancellationToken.None);
        var changed = (await _tenant.Directory.FindByIdAsync(user.Id, CancellationToken.None))!;
        Assert.Equal(("vera.new@example.com", "+442079460222"), (changed.Email, changed.Phone));
        Assert.Equal((false, false), (changed.EmailConfirmed, changed.PhoneConfirmed));
        Assert.Null(await _tenant.Directory.FindByPhoneAsync("+442079460111", CancellationToken.None));

        // Orchard Core's user name (vera+example.com) is an account handle: the sync never takes it for a display name.
        Assert.Null(changed.DisplayName);
    }

    [Fact]
    public async Task Writes_by_the_sync_schedule_no_push_and_an_edit_through_user_manager_schedules_one()
    {
        var user = await CreateBySyncAsync(new CustomerProfile("Ed", "Stone", "ed@example.com", null));
        using (SyncWriteScope.Begin())
        {
            await _tenant.Directory.SetShopifyIdAsync(user.Id, "uk", 42, CancellationToken.None);
            await _tenant.Directory.UpdateProfileAsync(user.Id, new CustomerProfile("Eddie", null, null, null), ProfileFields.FirstName, CancellationToken.None);
        }

        var afterSyncWrites = _tenant.Pushes.Count;

        // An administrator edits the user in Orchard Core: UserManager.UpdateAsync raises the user events.
        await _tenant.RequestAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<IUser>>();
            var orchardUser = (User)(await users.FindByIdAsync(user.Id))!;
            orchardUser.Alter<ShopifyUserPart>(part => part.LastName = "Stone-Smith");
            var result = await users.UpdateAsync(orchardUser);
            Assert.True(result.Succeeded);
        });

        Assert.Equal(0, afterSyncWrites);
        var push = Assert.Single(_tenant.Pushes.Pending);
        Assert.Equal((user.Id, "uk"), (push.UserId, push.StoreHandle));
        Assert.Equal("Stone-Smith", (await _tenant.Directory.FindByIdAsync(user.Id, CancellationToken.None))!.LastName);
    }

    /// <summary>A user the sync creates for a customer; Shopify verified the email unless <paramref name="emailConfirmed"/> says not.</summary>
    [Fact]
    public async Task Confirmations_and_roles_reach_the_sync_so_unconfirmed_users_and_administrators_are_not_pushed()
    {
        var user = await CreateBySyncAsync(new CustomerProfile("Una", "Confirmed", "una@example.com", "+442079460111"), emailConfirmed: false);
        var created = (await _tenant.Directory.FindByIdAsync(user.Id, CancellationToken.None))!;
        Assert.Equal((false, false), (created.EmailConfirmed, created.PhoneConfirmed));

        // Edited in Orchard Core while the email is unconfirmed: no push.
        await EditAsync(user.Id, u => u.Alter<ShopifyUserPart>(part => part.LastName = "Unconfirmed"));
        Assert.Empty(_tenant.Pushes.Pending);

        // Made an administrator, then confirmed: still no push (staff), and the directory reports both.
        await EditAsync(user.Id, u =>
        {
            u.RoleNames.Add("Administrator");
            u.EmailConfirmed = true;
            u.PhoneNumberConfirmed = true;
        });
        var admin = (await _tenant.Directory.FindByIdAsync(user.Id, CancellationToken.None))!;
        Assert.Equal((true, true), (admin.EmailConfirmed, admin.PhoneConfirmed));
        Assert.Equal(["Administrator"], admin.Roles);
        Assert.Empty(_tenant.Pushes.Pending);

        // No longer staff: the next edit is pushed.
        await EditAsync(user.Id, u => u.RoleNames.Clear());
        Assert.Equal(user.Id, Assert.Single(_tenant.Pushes.Pending).UserId);
    }

    private Task EditAsync(string userId, Action<User> edit) => _tenant.RequestAsync(async services =>
    {
        var users = services.GetRequiredService<UserManager<IUser>>();
        var orchardUser = (User)(await users.FindByIdAsync(userId))!;
        edit(orchardUser);
        Assert.True((await users.UpdateAsync(orchardUser)).Succeeded);
    });

    private async Task<SyncUser> CreateBySyncAsync(CustomerProfile profile, bool emailConfirmed = true)
    {
        using (SyncWriteScope.Begin())
        {
            var result = await _tenant.Directory.CreateAsync(profile, emailConfirmed, CancellationToken.None);
            Assert.True(result.User is not null, result.Error);
            return result.User!;
        }
    }
}
