using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace OrchardShopify.Web.Identity;

/// <summary>The site's own users and roles (ASP.NET Core Identity on SQLite). The sync keeps its tables in its own database.</summary>
public sealed class SiteDbContext(DbContextOptions<SiteDbContext> options) : IdentityDbContext<SiteUser>(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        // The sync finds users by phone when matching a customer; without an index that is a table scan.
        builder.Entity<SiteUser>().HasIndex(u => u.PhoneNumber).HasDatabaseName("IX_AspNetUsers_PhoneNumber");
    }
}
