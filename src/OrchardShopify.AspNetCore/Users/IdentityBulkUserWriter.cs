using System.Globalization;
using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Users;

/// <summary>
/// The bulk path for new users (<see cref="IBulkUserDirectory"/>) of <see cref="IdentityUserDirectory{TUser}"/>: which
/// emails and phones are taken, and many new linked users created and saved together.
/// </summary>
internal sealed class IdentityBulkUserWriter<TUser>(IdentityUserFactory<TUser> factory)
    where TUser : class, new()
{
    private static PropertyInfo? PhoneProperty => IdentityStoreAccess<TUser>.PhoneProperty;

    private static PropertyInfo? NormalizedEmailProperty => IdentityStoreAccess<TUser>.NormalizedEmailProperty;

    private static PropertyInfo? NormalizedUserNameProperty => IdentityStoreAccess<TUser>.NormalizedUserNameProperty;

    /// <summary>
    /// Two queries over the user table (normalized email, phone number). Needs a queryable store and a user type with
    /// <c>NormalizedEmail</c> and <c>PhoneNumber</c> properties, as Identity's <c>IdentityUser</c> has; otherwise null.
    /// </summary>
    public static async Task<TakenContacts?> FindTakenAsync(UserManager<TUser> users, IReadOnlyCollection<string> emails, IReadOnlyCollection<string> phones, CancellationToken cancellationToken)
    {
        if (!users.SupportsQueryableUsers || NormalizedEmailProperty is null || PhoneProperty is null)
        {
            return null;
        }

        var byNormalized = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var email in emails)
        {
            var normalized = users.NormalizeEmail(email.Trim());
            if (!byNormalized.TryGetValue(normalized, out var given))
            {
                byNormalized[normalized] = given = [];
            }

            given.Add(email);
        }

        var (foundEmails, foundPhones) = await WorkBatch.PlannedForValuesAsync(
            async () => (await IdentityStoreAccess<TUser>.ValuesInAsync(users.Users, NormalizedEmailProperty, byNormalized.Keys, cancellationToken),
                await IdentityStoreAccess<TUser>.ValuesInAsync(users.Users, PhoneProperty, phones, cancellationToken)),
            cancellationToken);
        var takenEmails = new HashSet<string>(StringComparer.Ordinal);
        foreach (var normalized in foundEmails)
        {
            takenEmails.UnionWith(byNormalized.GetValueOrDefault(normalized) ?? []);
        }

        return new TakenContacts(takenEmails, foundPhones.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>
    /// Each user goes through <see cref="UserManager{TUser}.CreateAsync(TUser)"/> (the host's validators, normalization,
    /// security stamp) with the EF Core store's automatic save turned off, gets its name and Shopify id claims, and
    /// all of them are saved together: one prepared INSERT per table (<see cref="AddedRowWriter"/>), or one
    /// <c>SaveChanges</c> when the context has interceptors or mappings that writer leaves to EF Core. Needs an EF Core store (its <c>AutoSaveChanges</c> and
    /// <c>Context</c>) with claims; otherwise null.
    /// </summary>
    public async Task<IReadOnlyList<SyncUser?>?> CreateLinkedAsync(UserManager<TUser> users, IUserStore<TUser> store, IReadOnlyList<NewLinkedUser> entries, CancellationToken cancellationToken)
    {
        var autoSave = store.GetType().GetProperty("AutoSaveChanges", BindingFlags.Public | BindingFlags.Instance);
        if (IdentityStoreAccess<TUser>.ContextOf(store) is not { } context || store is not IUserClaimStore<TUser> claims || store is not IUserEmailStore<TUser>
            || autoSave is not { CanRead: true, CanWrite: true } || autoSave.PropertyType != typeof(bool))
        {
            return null;
        }

        var created = new SyncUser?[entries.Count];
        var autoSaved = (bool)autoSave.GetValue(store)!;
        autoSave.SetValue(store, false);
        try
        {
            using var absent = await AssumeAbsentAsync(users, entries, cancellationToken);
            for (var i = 0; i < entries.Count; i++)
            {
                var (profile, storeHandle, customerId, emailConfirmed) = entries[i];
                if (string.IsNullOrWhiteSpace(profile.Email))
                {
                    continue;
                }

                var email = profile.Email.Trim();
                var user = await factory.NewUserAsync(store, email, profile, emailConfirmed, cancellationToken);

                // Validates, normalizes and adds the user to the context; the store does not save.
                if (!(await users.CreateAsync(user)).Succeeded)
                {
                    continue;
                }

                var userClaims = factory.NewNameClaims(profile);
                userClaims.Add(new Claim(ShopifyUserClaims.ShopifyIdFor(storeHandle), customerId.ToString(CultureInfo.InvariantCulture)));
                await claims.AddClaimsAsync(user, userClaims, cancellationToken);
                created[i] = await factory.CreatedUserAsync(users, store, user, email, profile, userClaims, storeHandle, customerId, emailConfirmed);
            }

            try
            {
                await AddedRowWriter.SaveAsync(context, cancellationToken);
            }
            finally
            {
                // Saved or not, nothing of this call stays tracked: a failed save must not be retried by a later one.
                context.ChangeTracker.Clear();
            }
        }
        finally
        {
            autoSave.SetValue(store, autoSaved);
        }

        return created;
    }

    /// <summary>
    /// With the sync's own user manager, the user names and emails of <paramref name="entries"/> that no user has
    /// (two queries) are answered to its validators without a query each; null otherwise, or when personal data is
    /// stored protected (the columns would not hold the plain values).
    /// </summary>
    private static async Task<IDisposable?> AssumeAbsentAsync(UserManager<TUser> users, IReadOnlyList<NewLinkedUser> entries, CancellationToken cancellationToken)
    {
        if (users is not ShopifySyncingUserManager<TUser> syncing || users.Options.Stores.ProtectPersonalData || !users.SupportsQueryableUsers
            || NormalizedUserNameProperty is null || NormalizedEmailProperty is null)
        {
            return null;
        }

        var emails = entries.Where(e => !string.IsNullOrWhiteSpace(e.Profile.Email)).Select(e => e.Profile.Email!.Trim()).ToList();
        var names = emails.Select(e => users.NormalizeName(e)!).ToHashSet(StringComparer.Ordinal);
        var normalizedEmails = emails.Select(e => users.NormalizeEmail(e)!).ToHashSet(StringComparer.Ordinal);
        var (takenNames, takenEmails) = await WorkBatch.PlannedForValuesAsync(
            async () => (await IdentityStoreAccess<TUser>.ValuesInAsync(users.Users, NormalizedUserNameProperty, names, cancellationToken),
                await IdentityStoreAccess<TUser>.ValuesInAsync(users.Users, NormalizedEmailProperty, normalizedEmails, cancellationToken)),
            cancellationToken);
        names.ExceptWith(takenNames);
        normalizedEmails.ExceptWith(takenEmails);
        return syncing.AssumeAbsent(names, normalizedEmails);
    }
}
