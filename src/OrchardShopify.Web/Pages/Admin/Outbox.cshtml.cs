using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.Web.Mail;

namespace OrchardShopify.Web.Pages.Admin;

public sealed class OutboxModel(MailOutbox outbox) : PageModel
{
    public string Folder => outbox.Folder;

    public IReadOnlyList<OutboxMessage> Messages { get; private set; } = [];

    public void OnGet(string? to) => Messages = outbox.List(to);
}
