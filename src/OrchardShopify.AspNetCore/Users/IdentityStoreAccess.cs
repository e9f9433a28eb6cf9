using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace OrchardShopify.AspNetCore.Users;

/// <summary>
/// What the Identity adapter reads of a user type and its store beyond <see cref="UserManager{TUser}"/>: the columns it
/// queries (phone, normalized email and user name) and the DbContext of an EF Core store.
/// </summary>
internal static class IdentityStoreAccess<TUser>
    where TUser : class
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> ContextProperties = new();

    public static PropertyInfo? PhoneProperty { get; } = StringProperty("PhoneNumber");

    public static PropertyInfo? NormalizedEmailProperty { get; } = StringProperty("NormalizedEmail");

    public static PropertyInfo? NormalizedUserNameProperty { get; } = StringProperty("NormalizedUserName");

    /// <summary>A public read-write <c>string</c> property of the user type, or null.</summary>
    public static PropertyInfo? StringProperty(string name)
    {
        var property = typeof(TUser).GetProperty(name, BindingFlags.Public | BindingFlags.Instance);
        return property is { CanRead: true, CanWrite: true } && property.PropertyType == typeof(string) ? property : null;
    }

    /// <summary>The DbContext of an EF Core Identity store (its public <c>Context</c>), or null for other stores.</summary>
    public static DbContext? ContextOf(IUserStore<TUser> store)
        => ContextProperties.GetOrAdd(
            store.GetType(),
            type => type.GetProperty("Context", BindingFlags.Public | BindingFlags.Instance) is { } property && typeof(DbContext).IsAssignableFrom(property.PropertyType) ? property : null)
            ?.GetValue(store) as DbContext;

    /// <summary>The values of <paramref name="property"/> among <paramref name="values"/>, found by one query.</summary>
    public static async Task<List<string>> ValuesInAsync(IQueryable<TUser> users, PropertyInfo property, IEnumerable<string> values, CancellationToken cancellationToken)
    {
        var distinct = values.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count == 0)
        {
            return [];
        }

        var query = ValuesIn(users, property, distinct);
        return query is IAsyncEnumerable<string> ? await query.ToListAsync(cancellationToken) : query.ToList();
    }

    /// <summary>
    /// "column IS NOT NULL AND column IN (values)": the values are never null, and saying so keeps the query on the
    /// column's index. Without it, EF Core adds "OR (column IS NULL AND the values hold a null)" for a nullable column;
    /// on PostgreSQL, once the statement is prepared and planned for any values, that plan finds the rows whose column
    /// is null too and filters them out – every user without a phone number, for each batch's phone look-up.
    /// <para>
    /// On SQLite the values go as one JSON parameter (<c>IN (SELECT value FROM json_each(@values))</c>, still a search of
    /// the column's index). EF Core's own translation sends each value as a parameter of its own: the statement's text
    /// then depends on how many values there are, is generated again for each batch, and has a few hundred parameters
    /// to create and bind. PostgreSQL already gets one array parameter; other providers keep EF Core's translation.
    /// </para>
    /// </summary>
    internal static IQueryable<string> ValuesIn(IQueryable<TUser> users, PropertyInfo property, List<string> values)
    {
        var holder = new ValuesHolder(values);
        var user = Expression.Parameter(typeof(TUser), "user");
        var column = Expression.Property(user, property);
        Expression list = Expression.Property(Expression.Constant(holder), nameof(ValuesHolder.Values));
        if (IsSqlite(users))
        {
            list = Expression.Call(typeof(EF), nameof(EF.Parameter), [typeof(List<string>)], list);
        }

        var contains = Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(string)], list, column);
        var present = Expression.AndAlso(Expression.NotEqual(column, Expression.Constant(null, typeof(string))), contains);
        return users.Where(Expression.Lambda<Func<TUser, bool>>(present, user)).Select(Expression.Lambda<Func<TUser, string>>(column, user));
    }

    /// <summary>Whether <paramref name="users"/> is an EF Core set of a SQLite context (an EF Core store's <c>Users</c>).</summary>
    private static bool IsSqlite(IQueryable<TUser> users)
        => users is IInfrastructure<IServiceProvider> set && set.Instance.GetService<ICurrentDbContext>()?.Context.Database.IsSqlite() == true;

    /// <summary>Users whose phone number is <paramref name="phone"/>, sent to the database as a parameter.</summary>
    public static Expression<Func<TUser, bool>> PhoneEquals(string phone)
    {
        var user = Expression.Parameter(typeof(TUser), "user");
        var holder = new PhoneHolder(phone);
        var body = Expression.Equal(Expression.Property(user, PhoneProperty!), Expression.Property(Expression.Constant(holder), nameof(PhoneHolder.Value)));
        return Expression.Lambda<Func<TUser, bool>>(body, user);
    }

    public static Expression<Func<TUser, string?>> PhoneOf()
    {
        var user = Expression.Parameter(typeof(TUser), "user");
        return Expression.Lambda<Func<TUser, string?>>(Expression.Property(user, PhoneProperty!), user);
    }

    public static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(Describe(result));
        }
    }

    public static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => $"{e.Code}: {e.Description}"));

    // A member access (not a constant) so the query provider sends the phone as a parameter.
    private sealed record PhoneHolder(string Value);

    private sealed record ValuesHolder(List<string> Values);
}
