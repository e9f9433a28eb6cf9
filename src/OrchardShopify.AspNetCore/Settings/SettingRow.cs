using Microsoft.EntityFrameworkCore;

namespace OrchardShopify.AspNetCore.Settings;

/// <summary>
/// One setting saved by an administrator, keyed like configuration (<c>CreateUsersFromShopify</c>,
/// <c>Stores:uk:AccessToken</c>). Secrets are stored protected with ASP.NET Core Data Protection.
/// </summary>
internal sealed class SettingRow
{
    public const string Table = "shopify_settings";

    /// <summary>A row whose value changes with every save, so other nodes notice a change with one read.</summary>
    public const string RevisionKey = "$revision";

    public required string Key { get; set; }

    public string? Value { get; set; }

    public bool IsSecret { get; set; }

    public long UpdatedAt { get; set; }

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SettingRow>(setting =>
        {
            setting.ToTable(Table);
            setting.HasKey(x => x.Key);
            setting.Property(x => x.Key).HasColumnName("key").HasMaxLength(200);
            setting.Property(x => x.Value).HasColumnName("value");
            setting.Property(x => x.IsSecret).HasColumnName("is_secret");
            setting.Property(x => x.UpdatedAt).HasColumnName("updated_at");
        });
    }
}
