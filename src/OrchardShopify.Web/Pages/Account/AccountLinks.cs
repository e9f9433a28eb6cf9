using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Pages.Account;

/// <summary>The confirmation and set-password links the site mails, with Identity's one-time tokens.</summary>
internal static class AccountLinks
{
    public static async Task SendConfirmationAsync(UserManager<SiteUser> users, IEmailSender<SiteUser> mail, IUrlHelper url, string scheme, SiteUser user)
    {
        var token = await users.GenerateEmailConfirmationTokenAsync(user);
        var link = url.Page("/Account/ConfirmEmail", pageHandler: null, values: new { userId = user.Id, code = Encode(token) }, protocol: scheme)!;
        await mail.SendConfirmationLinkAsync(user, user.Email!, link);
    }

    public static async Task SendSetPasswordAsync(UserManager<SiteUser> users, IEmailSender<SiteUser> mail, IUrlHelper url, string scheme, SiteUser user)
    {
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var link = url.Page("/Account/ResetPassword", pageHandler: null, values: new { userId = user.Id, code = Encode(token) }, protocol: scheme)!;
        await mail.SendPasswordResetLinkAsync(user, user.Email!, link);
    }

    public static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    public static string Decode(string code)
    {
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return "";
        }
    }
}
