using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Mail;

/// <summary>A message the site sent: confirmation and password links go to the address the user gave.</summary>
public sealed record OutboxMessage(string Id, DateTimeOffset SentAt, string To, string Subject, string Text, string? Link);

/// <summary>
/// Where the site's mail goes when no mail server is configured: one JSON file per message under
/// <c>{data}/outbox</c>, listed for administrators at <c>/admin/outbox</c>, so confirmation and password links work
/// offline. The console only says that a message is waiting, never its link (a link is a credential).
/// </summary>
public sealed partial class MailOutbox(string folder, TimeProvider time, ILogger<MailOutbox> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Folder { get; } = folder;

    public async Task<OutboxMessage> SendAsync(string to, string subject, string text, string? link)
    {
        Directory.CreateDirectory(Folder);
        var at = time.GetUtcNow();
        var message = new OutboxMessage($"{at:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}", at, to, subject, text, link);
        var path = Path.Combine(Folder, message.Id + ".json");
        await File.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(message, Json));
        File.Move(path + ".tmp", path);
        Log.Queued(logger, to, subject);
        return message;
    }

    /// <summary>Newest first; <paramref name="to"/> filters by recipient.</summary>
    public IReadOnlyList<OutboxMessage> List(string? to = null, int take = 100)
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }

        return Directory.EnumerateFiles(Folder, "*.json")
            .OrderDescending(StringComparer.Ordinal)
            .Select(path => JsonSerializer.Deserialize<OutboxMessage>(File.ReadAllText(path), Json)!)
            .Where(m => to is null || string.Equals(m.To, to, StringComparison.OrdinalIgnoreCase))
            .Take(take)
            .ToList();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Mail to {To} ('{Subject}') is in the outbox: /admin/outbox")]
        public static partial void Queued(ILogger logger, string to, string subject);
    }
}

/// <summary>Identity's mail (confirmation and password-reset links) through the outbox.</summary>
internal sealed class OutboxEmailSender(MailOutbox outbox) : IEmailSender<SiteUser>
{
    public Task SendConfirmationLinkAsync(SiteUser user, string email, string confirmationLink)
        => outbox.SendAsync(email, "Confirm your email", $"Hello {user.FirstName}, confirm your email to finish setting up your account (and link your Shopify customer): {confirmationLink}", confirmationLink);

    public Task SendPasswordResetLinkAsync(SiteUser user, string email, string resetLink)
        => outbox.SendAsync(email, "Set your password", $"Hello {user.FirstName}, set a password for your account here: {resetLink}. If you did not ask for it, ignore this message.", resetLink);

    public Task SendPasswordResetCodeAsync(SiteUser user, string email, string resetCode)
        => outbox.SendAsync(email, "Your password reset code", $"Hello {user.FirstName}, your password reset code is {resetCode}.", null);
}
