using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrchardCore.DisplayManagement.Handlers;
using OrchardCore.Entities;
using OrchardCore.Users;
using OrchardCore.Users.Models;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;
using OrchardShopify.OrchardCore.Drivers;
using OrchardShopify.OrchardCore.Settings;
using OrchardShopify.OrchardCore.Tests.Support;
using OrchardShopify.OrchardCore.Users;

namespace OrchardShopify.OrchardCore.Tests.Users;

/// <summary>
/// The Shopify section of the admin user editor saved as Orchard Core saves a user: the driver's UpdateEditorAsync
/// with the posted form (real MVC model binding), then <c>UserManager.UpdateAsync</c>, whose user events schedule
/// the push once the request commits; over Orchard Core's real user store on YesSql and SQLite.
/// </summary>
public sealed class UserEditorTests : IAsyncLifetime
{
    private const long CustomerId = 706405506930370084;

    /// <summary>The names the editor's inputs are rendered with (the driver's prefix: user model, then section).</summary>
    private const string Field = "User.ShopifyUserPart.";
    private OrchardUsersTenant _tenant = null!;

    public async Task InitializeAsync() => _tenant = await OrchardUsersTenant.StartAsync();

    public async Task DisposeAsync() => await _tenant.DisposeAsync();

    [Fact]
    public async Task Saving_a_linked_user_from_a_form_without_the_shopify_section_keeps_the_names_and_pushes_nothing()
    {
        var userId = await LinkedUserAsync("Ada", "Lovelace", "ada@example.com");

        // Orchard Core calls every user editor driver on Save, also when the posted form did not show this section.
        await SaveInAdminAsync(userId, new Dictionary<string, string>
        {
            ["User.UserName"] = "ada+example.com",
            ["User.Email"] = "ada@example.com",
            ["User.IsEnabled"] = "true",
        });

        var user = await _tenant.Directory.FindByIdAsync(userId, CancellationToken.None);
        Assert.Equal(("Ada", "Lovelace"), (user!.FirstName, user.LastName));
        Assert.Equal(0, _tenant.Pushes.Count);
    }

    [Fact]
    public async Task Untouched_save_of_a_linked_user_changes_nothing_in_shopify()
    {
        var userId = await LinkedUserAsync("Ada", "Lovelace", "ada@example.com");

        await SaveInAdminAsync(userId, new Dictionary<string, string>
        {
            ["User.Email"] = "ada@example.com",
            [Field + "FirstName"] = "Ada",
            [Field + "LastName"] = "Lovelace",
        });

        var user = await _tenant.Directory.FindByIdAsync(userId, CancellationToken.None);
        Assert.Equal(("Ada", "Lovelace"), (user!.FirstName, user.LastName));
        Assert.Equal(0, _tenant.Pushes.Count);
    }

    [Fact]
    public async Task A_name_the_administrator_empties_in_the_editor_is_cleared_and_a_push_is_queued()
    {
        var userId = await LinkedUserAsync("Ada", "Lovelace", "ada@example.com");

        await SaveInAdminAsync(userId, new Dictionary<string, string>
        {
            [Field + "FirstName"] = "Augusta Ada",
            [Field + "LastName"] = "",
        });

        var user = await _tenant.Directory.FindByIdAsync(userId, CancellationToken.None);
        Assert.Equal(("Augusta Ada", (string?)null), (user!.FirstName, user.LastName));
        var push = Assert.Single(_tenant.Pushes.Pending);
        Assert.Equal((userId, "uk"), (push.UserId, push.StoreHandle));
    }

    [Fact]
    public async Task A_form_that_posts_only_one_name_field_changes_only_that_name()
    {
        var userId = await LinkedUserAsync("Ada", "Lovelace", "ada@example.com");

        await SaveInAdminAsync(userId, new Dictionary<string, string> { [Field + "LastName"] = "King" });

        var user = await _tenant.Directory.FindByIdAsync(userId, CancellationToken.None);
        Assert.Equal(("Ada", "King"), (user!.FirstName, user.LastName));
    }

    /// <summary>A user the sync created from a Shopify customer and linked, in step with Shopify (as after a webhook).</summary>
    private async Task<string> LinkedUserAsync(string first, string last, string email)
    {
        SyncUser user;
        using (SyncWriteScope.Begin())
        {
            var created = await _tenant.Directory.CreateAsync(new CustomerProfile(first, last, email, null), emailConfirmed: true, CancellationToken.None);
            Assert.True(created.User is not null, created.Error);
            user = created.User!;
            await _tenant.Directory.SetShopifyIdAsync(user.Id, "uk", CustomerId, CancellationToken.None);
        }

        var options = _tenant.Services.GetRequiredService<StoreRegistry>().Options;
        var synced = OutboundProfile.Of((await _tenant.Directory.FindByIdAsync(user.Id, CancellationToken.None))!, options);
        var links = _tenant.Services.GetRequiredService<ICustomerLinkStore>();
        var attempt = await links.TryAddAsync(new CustomerLink("uk", CustomerId, user.Id, DateTimeOffset.UtcNow, SyncedProfile: synced), CancellationToken.None);
        Assert.True(attempt.Added);
        return user.Id;
    }

    /// <summary>The admin's Save: the Shopify editor driver binds the post, then Orchard Core updates the user.</summary>
    private async Task SaveInAdminAsync(string userId, Dictionary<string, string> form)
    {
        using var post = new AdminFormPost(form);
        await _tenant.RequestAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<IUser>>();
            var user = (User)(await users.FindByIdAsync(userId))!;
            IDisplayDriver<User> driver = new ShopifyUserPartDisplayDriver(post.Accessor, new ShopifySyncReadiness(services.GetRequiredService<IOptionsMonitor<ShopifySyncOptions>>()));
            var context = new UpdateEditorContext(null!, "", false, "", null!, null!, post.Updater);
            await driver.UpdateEditorAsync(user, context);
            Assert.True(post.Updater.ModelState.IsValid);
            Assert.True((await users.UpdateAsync(user)).Succeeded);
        });
    }
}
