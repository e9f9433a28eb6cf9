using OrchardShopify.Core.Customers;

namespace OrchardShopify.Core.Ports;

/// <summary>
/// The host's users, as the sync sees them. Implemented over ASP.NET Identity's <c>UserManager</c>
/// and over Orchard Core's user store. Look-ups must be indexed, never a scan of all users.
/// </summary>
public interface IUserDirectory
{
    Task<SyncUser?> FindByIdAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Case-insensitive match on the normalized email.</summary>
    Task<SyncUser?> FindByEmailAsync(string email, CancellationToken cancellationToken);

    /// <summary>Exact match on an E.164 phone number.</summary>
    Task<SyncUser?> FindByPhoneAsync(string e164Phone, CancellationToken cancellationToken);

    /// <summary>Creates a user without a password. Reports a taken email instead of throwing, so a racing creator can re-match.</summary>
    /// <param name="emailConfirmed">Whether the new user's email counts as confirmed: Shopify verified it (<c>verified_email</c>).</param>
    Task<UserCreateResult> CreateAsync(CustomerProfile profile, bool emailConfirmed, CancellationToken cancellationToken);

    /// <summary>Writes the given profile fields only.</summary>
    Task UpdateProfileAsync(string userId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the user's <c>shopify_id</c> (<paramref name="storeHandle"/> null) or <c>shopify_ids[storeHandle]</c>;
    /// a null <paramref name="customerId"/> removes it.
    /// </summary>
    Task SetShopifyIdAsync(string userId, string? storeHandle, long? customerId, CancellationToken cancellationToken);
}

/// <summary>A user with the fields the sync reads.</summary>
public sealed record SyncUser(
    string Id,
    string? Email,
    string? DisplayName,
    string? FirstName,
    string? LastName,
    string? Phone,
    long? ShopifyId,
    IReadOnlyDictionary<string, long> ShopifyIds)
{
    /// <summary>The host verified that the user controls <see cref="Email"/> (ASP.NET Identity's and Orchard Core's <c>EmailConfirmed</c>).</summary>
    public bool EmailConfirmed { get; init; }

    /// <summary>The host verified that the user controls <see cref="Phone"/> (<c>PhoneNumberConfirmed</c>).</summary>
    public bool PhoneConfirmed { get; init; }

    /// <summary>The user's role names, for <see cref="Configuration.ShopifySyncOptions.ExcludedRoles"/>.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];
}

public sealed record UserCreateResult(SyncUser? User, bool EmailTaken, string? Error)
{
    public static UserCreateResult Created(SyncUser user) => new(user, false, null);

    public static UserCreateResult Taken() => new(null, true, null);

    public static UserCreateResult Failed(string error) => new(null, false, error);
}
