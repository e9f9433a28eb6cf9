namespace OrchardShopify.Core.Customers;

/// <summary>The profile fields that travel between a user and a Shopify customer.</summary>
public sealed record CustomerProfile(string? FirstName, string? LastName, string? Email, string? Phone)
{
    public static readonly CustomerProfile Empty = new(null, null, null, null);

    /// <summary>The fields whose values differ from <paramref name="other"/> (email compared case-insensitively).</summary>
    public ProfileFields DifferencesFrom(CustomerProfile? other)
    {
        if (other is null)
        {
            return ProfileFields.All;
        }

        var changed = ProfileFields.None;
        if (!string.Equals(Normalize(FirstName), Normalize(other.FirstName), StringComparison.Ordinal))
        {
            changed |= ProfileFields.FirstName;
        }

        if (!string.Equals(Normalize(LastName), Normalize(other.LastName), StringComparison.Ordinal))
        {
            changed |= ProfileFields.LastName;
        }

        if (!string.Equals(Normalize(Email), Normalize(other.Email), StringComparison.OrdinalIgnoreCase))
        {
            changed |= ProfileFields.Email;
        }

        if (!string.Equals(Normalize(Phone), Normalize(other.Phone), StringComparison.Ordinal))
        {
            changed |= ProfileFields.Phone;
        }

        return changed;
    }

    /// <summary>This profile with the <paramref name="fields"/> taken from <paramref name="source"/>.</summary>
    public CustomerProfile With(CustomerProfile source, ProfileFields fields)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new CustomerProfile(
            fields.HasFlag(ProfileFields.FirstName) ? source.FirstName : FirstName,
            fields.HasFlag(ProfileFields.LastName) ? source.LastName : LastName,
            fields.HasFlag(ProfileFields.Email) ? source.Email : Email,
            fields.HasFlag(ProfileFields.Phone) ? source.Phone : Phone);
    }

    private static string? Normalize(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

[Flags]
public enum ProfileFields
{
    None = 0,
    FirstName = 1,
    LastName = 2,
    Email = 4,
    Phone = 8,
    All = FirstName | LastName | Email | Phone,
}
