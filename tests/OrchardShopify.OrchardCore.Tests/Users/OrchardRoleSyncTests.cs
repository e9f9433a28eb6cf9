using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OrchardCore.Users;
using OrchardCore.Users.Models;
using OrchardShopify.Core.Customers;
using OrchardShopify.OrchardCore.Tests.Support;

namespace OrchardShopify.OrchardCore.Tests.Users;

/// <summary>The module's roles for Shopify tags, on real Orchard Core user services (a tenant without the Roles feature).</summary>
public sealed class OrchardRoleSyncTests : IAsyncLifetime
{
    private OrchardUsersTenant _tenant = null!;

    public async Task InitializeAsync() => _tenant = await OrchardUsersTenant.StartAsync();

    public async Task DisposeAsync() => await _tenant.DisposeAsync();

    [Fact]
    public async Task A_role_the_tenant_lacks_is_reported_missing_and_a_held_mapped_role_is_removed_while_others_stay()
    {
        var created = await _tenant.Directory.CreateAsync(new CustomerProfile("Ada", "Lovelace", "ada@example.com", null), emailConfirmed: true, CancellationToken.None);
        var userId = created.User!.Id;
        await _tenant.RequestAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<IUser>>();
            var user = (User)(await users.FindByIdAsync(userId))!;
            user.RoleNames.Add("Wholesale");
            user.RoleNames.Add("Editor");
            Assert.True((await users.UpdateAsync(user)).Succeeded);
        });

        var change = await _tenant.Directory.ChangeRolesAsync(userId, ["VIP"], ["wholesale"], CancellationToken.None);

        Assert.Equal(["VIP"], change.MissingRoles);
        Assert.Equal(["Wholesale"], change.Removed);
        Assert.Empty(change.Added);
        Assert.Equal(["Editor"], (await _tenant.Directory.FindByIdAsync(userId, CancellationToken.None))!.Roles);
    }
}
