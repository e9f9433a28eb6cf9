using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Tests.Users;

/// <summary>
/// Two writers creating a user with one email at once (another node, an import of another store): the second's insert is
/// refused by the user name's unique index after its own look-up found nobody. The sync reports the email as taken, as
/// when the look-up finds the user, so the inbound rules link that user instead of failing the customer.
/// </summary>
public sealed class UserCreationRaceTests
{
    [Fact]
    public async Task A_user_created_by_another_writer_between_the_look_up_and_the_insert_is_reported_as_taken_and_stays_the_only_one()
    {
        const string email = "grace.race@example.com";
        var other = new IdentityUser { UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant(), EmailConfirmed = true };
        await using var site = await TestSite.StartAsync(configureServices: services =>
            services.AddScoped<IUserValidator<IdentityUser>>(provider => new OtherWriterFirst(provider.GetRequiredService<IServiceScopeFactory>(), other)));

        var result = await site.Services.GetRequiredService<IUserDirectory>().CreateAsync(new CustomerProfile("Grace", "Hopper", email, null), emailConfirmed: true, CancellationToken.None);

        Assert.Equal((true, null, null), (result.EmailTaken, result.User, result.Error));
        var holders = await site.WithUsersAsync(users => users.Users.Where(u => u.NormalizedEmail == other.NormalizedEmail).Select(u => u.Id).ToListAsync());
        Assert.Equal([other.Id], holders);
    }

    /// <summary>
    /// Site code run as the sync's user is validated, standing in for another writer: the first time, it stores
    /// <paramref name="other"/> with the same email through a store of its own, and then accepts the sync's user.
    /// </summary>
    private sealed class OtherWriterFirst(IServiceScopeFactory scopes, IdentityUser other) : IUserValidator<IdentityUser>
    {
        public async Task<IdentityResult> ValidateAsync(UserManager<IdentityUser> manager, IdentityUser user)
        {
            if (!ReferenceEquals(user, other) && user.Email == other.Email)
            {
                await using var scope = scopes.CreateAsyncScope();
                var store = scope.ServiceProvider.GetRequiredService<IUserStore<IdentityUser>>();
                if (await store.FindByIdAsync(other.Id, CancellationToken.None) is null)
                {
                    Assert.True((await store.CreateAsync(other, CancellationToken.None)).Succeeded);
                }
            }

            return IdentityResult.Success;
        }
    }
}
