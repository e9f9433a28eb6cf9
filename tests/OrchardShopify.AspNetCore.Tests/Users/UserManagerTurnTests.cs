using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;

namespace OrchardShopify.AspNetCore.Tests.Users;

/// <summary>
/// The sync's user manager on SQLite: a site's save takes a turn at the write lock (after an import's transaction, say),
/// except inside a transaction the site began on its users' context, whose lock the turn's holder may be waiting for:
/// that save, and the push it schedules, go ahead without one.
/// </summary>
public sealed class UserManagerTurnTests
{
    [Fact]
    public async Task A_delete_waits_for_the_turn_held_elsewhere_and_a_save_inside_the_sites_own_transaction_does_not()
    {
        await using var site = await TestSite.StartAsync(s =>
        {
            s["Shopify:Queue:WorkersEnabled"] = "false";
            s["Shopify:UpdateUsersInShopify"] = "true";
        });
        var leaving = new IdentityUser { UserName = "leaving@example.com", Email = "leaving@example.com" };
        var staying = new IdentityUser { UserName = "staying@example.com", Email = "staying@example.com", EmailConfirmed = true };
        Assert.True((await site.WithUsersAsync(users => users.CreateAsync(leaving))).Succeeded);
        Assert.True((await site.WithUsersAsync(users => users.CreateAsync(staying))).Succeeded);

        // The turn is held, as an import's transaction holds it.
        var held = await site.Services.GetRequiredService<SyncDatabase>().TakeWriteTurnAsync(CancellationToken.None);
        var deleting = site.WithUsersAsync(async users => await users.DeleteAsync((await users.FindByIdAsync(leaving.Id))!));
        await Task.Delay(300);
        Assert.False(deleting.IsCompleted);
        Assert.NotNull(await site.WithUsersAsync(users => users.FindByIdAsync(leaving.Id)));

        // A save inside the site's own transaction takes no turn, nor does the push it schedules: both are stored at
        // once, well within the 5 s a turn is waited for.
        var queued = await site.WorkItemsAsync(q => q.Where(w => w.Kind == WorkKind.OutboundPush && w.UserId == staying.Id));
        Assert.Single(queued);
        await site.ExecuteSyncSqlAsync($"DELETE FROM shopify_work_items WHERE id = {queued[0].Id};");
        await using (var scope = site.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            var context = scope.ServiceProvider.GetRequiredService<TestIdentityDb>();
            await using var transaction = await context.Database.BeginTransactionAsync();
            var user = (await users.FindByIdAsync(staying.Id))!;
            var saved = await users.SetPhoneNumberAsync(user, "+15145550100").WaitAsync(TimeSpan.FromSeconds(3));
            Assert.True(saved.Succeeded);
            await transaction.CommitAsync();
        }

        Assert.Equal("+15145550100", (await site.WithUsersAsync(users => users.FindByIdAsync(staying.Id)))!.PhoneNumber);
        var pushed = Assert.Single(await site.WorkItemsAsync(q => q.Where(w => w.Kind == WorkKind.OutboundPush && w.UserId == staying.Id)));
        Assert.Equal(WorkStatus.Pending, pushed.Status);

        // Given up, the turn goes to the delete.
        held.Dispose();
        Assert.True((await deleting.WaitAsync(TimeSpan.FromSeconds(10))).Succeeded);
        Assert.Null(await site.WithUsersAsync(users => users.FindByIdAsync(leaving.Id)));
    }
}
