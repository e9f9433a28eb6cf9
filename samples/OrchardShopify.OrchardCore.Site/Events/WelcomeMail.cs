using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OrchardCore.Environment.Shell;
using OrchardCore.Users;
using OrchardCore.Users.Models;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.OrchardCore.Site.Events;

/// <summary>
/// Welcomes a customer whom Shopify brought to the site: on <see cref="ShopifySyncEventKind.Created"/> it writes a welcome
/// mail to the new user's email. A site with a mail server sends it with Orchard Core's <c>IEmailService</c> (the
/// OrchardCore.Email feature); this sample has none, so the message is dropped as a text file into the tenant's
/// <c>App_Data/Sites/{tenant}/welcome-mail</c> folder. Registered per tenant in this site's <see cref="Startup"/>.
/// </summary>
public sealed class WelcomeMail(UserManager<IUser> users, ShellSettings shell, IOptions<ShellOptions> shellOptions) : IShopifySyncEventHandler
{
    public const string FolderName = "welcome-mail";

    public async Task HandleAsync(ShopifySyncEvent syncEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(syncEvent);
        if (syncEvent.Kind != ShopifySyncEventKind.Created || syncEvent.UserId is null
            || await users.FindByIdAsync(syncEvent.UserId) is not User { Email: { Length: > 0 } email } user)
        {
            return;
        }

        var options = shellOptions.Value;
        var folder = Path.Combine(options.ShellsApplicationDataPath, options.ShellsContainerName, shell.Name, FolderName);
        Directory.CreateDirectory(folder);
        var text = $"""
            To: {email}
            Subject: Welcome to our site

            Hello {user.UserName},

            your account on our site was created from your customer account in our shop ({syncEvent.StoreHandle}).
            Set a password with "Forgot your password?" on the sign-in page to sign in.

            User: {user.UserId}
            """;
        var path = Path.Combine(folder, $"{syncEvent.At:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(path, text, cancellationToken);
    }
}
