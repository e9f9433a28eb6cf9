using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.AspNetCore.Admin;

namespace OrchardShopify.Web.Pages.Admin;

/// <summary>One delivery or push: its headers, attempts, error and payload; replay.</summary>
public sealed class DeliveryModel(ShopifySyncAdmin admin) : PageModel
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [BindProperty(SupportsGet = true)]
    public long Id { get; set; }

    public SyncDeliveryDetail? Detail { get; private set; }

    /// <summary>The payload indented for reading (as sent when it is not valid JSON).</summary>
    public string? Payload { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Detail = await admin.GetDeliveryAsync(Id, cancellationToken);
        if (Detail is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        Payload = Detail.Payload is null ? null : Pretty(Detail.Payload);
        return Page();
    }

    public async Task<IActionResult> OnPostReplayAsync(CancellationToken cancellationToken)
    {
        var replayed = await admin.ReplayAsync(Id, cancellationToken);
        TempData["Message"] = replayed is null
            ? $"Item {Id} cannot be replayed: it does not exist or is being processed."
            : $"Item {Id} ({replayed.Topic}, {replayed.Store}) is queued again.";
        return Redirect($"/admin/deliveries/{Id}");
    }

    private static string Pretty(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
