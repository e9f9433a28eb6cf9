using Microsoft.EntityFrameworkCore;

namespace OrchardShopify.AspNetCore.Users;

/// <summary>Model additions for a site's Identity <see cref="DbContext"/>.</summary>
public static class ShopifyIdentityModelExtensions
{
    /// <summary>
    /// Indexes the user column the sync looks users up by and Identity leaves unindexed: <c>PhoneNumber</c>
    /// (a new Shopify customer is matched by phone when its email matches no user). Call it in
    /// <c>OnModelCreating</c> after <c>base.OnModelCreating(builder)</c>, then add a migration.
    /// </summary>
    public static ModelBuilder HasShopifyLookupIndexes<TUser>(this ModelBuilder builder)
        where TUser : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (typeof(TUser).GetProperty("PhoneNumber")?.PropertyType == typeof(string))
        {
            builder.Entity<TUser>().HasIndex("PhoneNumber");
        }

        return builder;
    }
}
