using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.Web.Identity;

/// <summary>The administrator created on first start; <see cref="Password"/> is only known when it was generated now.</summary>
public sealed record AdminCredentials(string Email, string? Password);

/// <summary>Creates the admin role and, when no administrator exists, the first administrator.</summary>
internal static class AdminBootstrap
{
    /// <summary>
    /// Creates the roles <c>Shopify:TagRoles</c> names, so the sample site works as configured; the sync itself never
    /// creates roles (it logs a warning for a mapped role the site lacks).
    /// </summary>
    public static async Task EnsureTagRolesAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<ShopifySyncOptions>>().CurrentValue;
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in options.TagRoles.Select(m => m.Role.Trim()).Where(r => r.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)), $"creating the role '{role}'");
            }
        }
    }

    public static async Task<AdminCredentials?> EnsureAdminAsync(IServiceProvider services, string role, string email, string? configuredPassword)
    {
        await using var scope = services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<SiteUser>>();
        if (!await roles.RoleExistsAsync(role))
        {
            Check(await roles.CreateAsync(new IdentityRole(role)), "creating the admin role");
        }

        if ((await users.GetUsersInRoleAsync(role)).Count > 0)
        {
            return null;
        }

        var password = string.IsNullOrEmpty(configuredPassword) ? Generate() : configuredPassword;

        // The administrator is staff, not a shop customer: creating the account must not queue a push to Shopify.
        using (SyncWriteScope.Begin())
        {
            var admin = await users.FindByEmailAsync(email);
            if (admin is null)
            {
                admin = new SiteUser { UserName = email, Email = email, EmailConfirmed = true, FirstName = "Site", LastName = "Administrator" };
                Check(await users.CreateAsync(admin, password), "creating the administrator");
            }
            else
            {
                Check(await users.RemovePasswordAsync(admin), "resetting the administrator's password");
                Check(await users.AddPasswordAsync(admin, password), "resetting the administrator's password");
            }

            Check(await users.AddToRoleAsync(admin, role), "adding the administrator to the admin role");
        }

        return new AdminCredentials(email, string.IsNullOrEmpty(configuredPassword) ? password : null);
    }

    /// <summary>
    /// A new password for the administrator (<paramref name="email"/>, else the first member of <paramref name="role"/>),
    /// for a lost one: <c>dotnet run --project src/OrchardShopify.Web -- reset-admin-password</c>.
    /// </summary>
    public static async Task<AdminCredentials> ResetPasswordAsync(IServiceProvider services, string role, string email)
    {
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<SiteUser>>();
        var admins = await users.GetUsersInRoleAsync(role);
        var admin = admins.FirstOrDefault(u => string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase)) ?? admins.OrderBy(u => u.Email, StringComparer.Ordinal).FirstOrDefault()
            ?? throw new InvalidOperationException($"No user is in the role '{role}'; start the site once and it creates the administrator.");
        var password = Generate();
        Check(await users.RemovePasswordAsync(admin), "resetting the administrator's password");
        Check(await users.AddPasswordAsync(admin, password), "resetting the administrator's password");
        await users.ResetAccessFailedCountAsync(admin);
        await users.SetLockoutEndDateAsync(admin, null);
        return new AdminCredentials(admin.Email!, password);
    }

    /// <summary>20 random characters from an unambiguous alphabet, plus the classes Identity's default rules ask for.</summary>
    private static string Generate()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return RandomNumberGenerator.GetString(alphabet, 20) + "-a7K";
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Failed {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }
}
