using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrchardCore.Environment.Shell.Scope;
using OrchardCore.Users;
using OrchardCore.Users.Handlers;
using OrchardCore.Users.Models;
using OrchardShopify.Core.Sync;
using OrchardShopify.OrchardCore.Settings;

namespace OrchardShopify.OrchardCore.Users;

/// <summary>
/// Feeds user creations and changes to the outbound sync. The push is scheduled after the request's unit of
/// work commits, once per user per request (a handler that calls <c>UpdateAsync</c> inside <c>UpdatedAsync</c>
/// re-fires the events), and never for writes made by the sync itself (<see cref="EchoRules.IsSyncWrite"/>), which
/// would echo Shopify's own change back to it.
/// </summary>
internal sealed partial class ShopifyUserEventHandler : UserEventHandlerBase
{
    private readonly ILogger _logger;

    public ShopifyUserEventHandler(ILogger<ShopifyUserEventHandler> logger)
    {
        _logger = logger;
    }

    public override Task CreatedAsync(UserCreateContext context) => ScheduleAsync(context?.User);

    public override Task UpdatedAsync(UserUpdateContext context) => ScheduleAsync(context?.User);

    private Task ScheduleAsync(IUser? user)
    {
        if (EchoRules.IsSyncWrite || user is not User { UserId: { Length: > 0 } userId })
        {
            return Task.CompletedTask;
        }

        if (ShellScope.Current is null)
        {
            return PushAsync(ShellScope.Services, userId);
        }

        var scheduled = ShellScope.GetOrCreateFeature<ScheduledPushes>();
        if (scheduled.UserIds.Add(userId))
        {
            ShellScope.AddDeferredTask(scope => PushAsync(scope.ServiceProvider, userId));
        }

        return Task.CompletedTask;
    }

    private async Task PushAsync(IServiceProvider? services, string userId)
    {
        try
        {
            // Until the settings pass validation the sync does not run on the tenant: there is no store to push to,
            // and resolving the scheduler would fail on the invalid options.
            if (services?.GetService<ShopifySyncReadiness>() is { } readiness && readiness.Problems() is { Count: > 0 } problems)
            {
                Log.NotConfigured(_logger, userId, problems.Count);
                return;
            }

            if (services?.GetService<OutboundPushScheduler>() is { } scheduler)
            {
                await scheduler.UserChangedAsync(userId, CancellationToken.None);
            }
        }
#pragma warning disable CA1031 // Saving the user matters more than scheduling its push; the failure is logged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ScheduleFailed(_logger, ex, userId);
        }
    }

    private sealed class ScheduledPushes
    {
        public HashSet<string> UserIds { get; } = new(StringComparer.Ordinal);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Scheduling the Shopify push of user {UserId} failed")]
        public static partial void ScheduleFailed(ILogger logger, Exception exception, string userId);

        [LoggerMessage(Level = LogLevel.Debug, Message = "User {UserId} is not pushed to Shopify: the sync is not configured on this tenant ({Count} problems)")]
        public static partial void NotConfigured(ILogger logger, string userId, int count);
    }
}
