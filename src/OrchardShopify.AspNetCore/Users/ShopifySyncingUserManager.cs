using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Users;

/// <summary>
/// The host's <see cref="UserManager{TUser}"/>, which also schedules a Shopify push after every successful
/// create or update (every Identity write ends in <see cref="UpdateUserAsync"/>). Writes made by the sync
/// itself run inside <see cref="SyncWriteScope"/> and are not pushed back. A failure to schedule never fails
/// the user's save; it is logged.
/// </summary>
public partial class ShopifySyncingUserManager<TUser> : UserManager<TUser>
    where TUser : class
{
    private readonly OutboundPushScheduler _scheduler;

    public ShopifySyncingUserManager(
        IUserStore<TUser> store,
        IOptions<IdentityOptions> optionsAccessor,
        IPasswordHasher<TUser> passwordHasher,
        IEnumerable<IUserValidator<TUser>> userValidators,
        IEnumerable<IPasswordValidator<TUser>> passwordValidators,
        ILookupNormalizer keyNormalizer,
        IdentityErrorDescriber errors,
        IServiceProvider services,
        ILogger<UserManager<TUser>> logger)
        : base(store, optionsAccessor, passwordHasher, userValidators, passwordValidators, keyNormalizer, errors, services, logger)
    {
        _scheduler = services.GetRequiredService<OutboundPushScheduler>();
    }

    public override async Task<IdentityResult> CreateAsync(TUser user)
    {
        var result = await base.CreateAsync(user);
        if (result.Succeeded)
        {
            await ScheduleAsync(user);
        }

        return result;
    }

    protected override async Task<IdentityResult> UpdateUserAsync(TUser user)
    {
        var result = await base.UpdateUserAsync(user);
        if (result.Succeeded)
        {
            await ScheduleAsync(user);
        }

        return result;
    }

    private async Task ScheduleAsync(TUser user)
    {
        if (SyncWriteScope.IsActive)
        {
            return;
        }

        try
        {
            await _scheduler.UserChangedAsync(await GetUserIdAsync(user), CancellationToken);
        }
#pragma warning disable CA1031 // Saving the user matters more than scheduling its push; the failure is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ScheduleFailed(Logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Scheduling the Shopify push of a changed user failed")]
        public static partial void ScheduleFailed(ILogger logger, Exception exception);
    }
}
