using System.Data.Common;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Persistence;

/// <summary>
/// New rows written by <see cref="AddedRowWriter"/> are the rows SaveChanges writes (a host's own user type with a
/// converted enum, a nullable date, a column with a database default and a shadow column; Identity claims with
/// their generated ids), and whatever it cannot write goes to SaveChanges.
/// </summary>
public sealed class AddedRowWriterTests
{
    [Fact]
    public async Task New_users_and_claims_are_the_rows_SaveChanges_writes_and_are_no_longer_tracked()
    {
        await using var expected = await MemberDatabase.SqliteAsync();
        await using var actual = await MemberDatabase.SqliteAsync();

        await using (var db = expected.Context())
        {
            AddMembers(db);
            Assert.Equal(7, await db.SaveChangesAsync());
        }

        await using (var db = actual.Context())
        {
            AddMembers(db);
            Assert.Equal(7, await AddedRowWriter.SaveAsync(db, CancellationToken.None));

            // Written and forgotten: SaveChanges would have kept them as unchanged entries.
            Assert.Empty(db.ChangeTracker.Entries());
        }

        var users = await actual.RowsAsync(UsersQuery);
        Assert.Equal(await expected.RowsAsync(UsersQuery), users);
        Assert.Equal(await expected.RowsAsync(ClaimsQuery), await actual.RowsAsync(ClaimsQuery));

        // The database default applies where the value was left unset, the enum is stored by name, the shadow column is written.
        Assert.Contains(users, row => row.StartsWith("m-1|ada@example.com|ADA@EXAMPLE.COM|Gold|", StringComparison.Ordinal) && row.EndsWith("|10|import", StringComparison.Ordinal));
        Assert.Contains(users, row => row.StartsWith("m-2|grace@example.com|GRACE@EXAMPLE.COM|Basic|<null>|", StringComparison.Ordinal) && row.EndsWith("|250|<null>", StringComparison.Ordinal));
        Assert.Equal(["m-1|given_name|Ada", "m-1|shopify_id|7000000001", "m-2|shopify_id|7000000002", "m-3|shopify_id|7000000003"], await actual.RowsAsync(ClaimsQuery));
    }

    [PostgresFact]
    public async Task On_PostgreSQL_the_rows_are_sent_as_one_batch_and_are_the_rows_SaveChanges_writes()
    {
        await using var expectedDatabase = await ScratchPostgresDatabase.CreateAsync();
        await using var actualDatabase = await ScratchPostgresDatabase.CreateAsync();
        await using var expected = await MemberDatabase.PostgresAsync(expectedDatabase.ConnectionString);
        await using var actual = await MemberDatabase.PostgresAsync(actualDatabase.ConnectionString);

        await using (var db = expected.Context())
        {
            AddMembers(db);
            await db.SaveChangesAsync();
        }

        await using (var db = actual.Context())
        {
            Assert.True(db.Database.GetDbConnection().CanCreateBatch);
            AddMembers(db);
            Assert.Equal(7, await AddedRowWriter.SaveAsync(db, CancellationToken.None));
            Assert.Empty(db.ChangeTracker.Entries());
        }

        Assert.Equal(3, (await actual.RowsAsync(UsersQuery)).Count);
        Assert.Equal(await expected.RowsAsync(UsersQuery), await actual.RowsAsync(UsersQuery));
        Assert.Equal(await expected.RowsAsync(ClaimsQuery), await actual.RowsAsync(ClaimsQuery));
    }

    [Fact]
    public async Task A_context_with_a_SaveChanges_interceptor_is_saved_by_SaveChanges()
    {
        var interceptor = new CountingSaveInterceptor();
        await using var database = await MemberDatabase.SqliteAsync(interceptor);
        await using (var db = database.Context())
        {
            AddMembers(db);
            Assert.Equal(7, await AddedRowWriter.SaveAsync(db, CancellationToken.None));
            Assert.Equal(1, interceptor.Saves);
            Assert.All(db.ChangeTracker.Entries(), e => Assert.Equal(EntityState.Unchanged, e.State));
        }

        Assert.Equal(3, (await database.RowsAsync(UsersQuery)).Count);
    }

    [Fact]
    public async Task A_pending_modification_sends_the_whole_save_to_SaveChanges()
    {
        await using var database = await MemberDatabase.SqliteAsync();
        await using (var db = database.Context())
        {
            db.Users.Add(NewMember("m-9", "linus@example.com"));
            await db.SaveChangesAsync();
        }

        await using (var db = database.Context())
        {
            var existing = await db.Users.SingleAsync(u => u.Id == "m-9");
            existing.Email = "linus@example.org";
            AddMembers(db);
            Assert.Equal(8, await AddedRowWriter.SaveAsync(db, CancellationToken.None));
        }

        var users = await database.RowsAsync(UsersQuery);
        Assert.Equal(4, users.Count);
        Assert.Contains(users, row => row.StartsWith("m-9|linus@example.org|", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_row_fails_the_save_as_SaveChanges_does_and_leaves_none_of_its_rows_in_the_open_transaction()
    {
        await using var database = await MemberDatabase.SqliteAsync();
        await using (var db = database.Context())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            db.Users.Add(NewMember("m-0", "first@example.com"));
            await AddedRowWriter.SaveAsync(db, CancellationToken.None);

            // m-1 to m-3 go in before the duplicate user name of m-4 is refused.
            AddMembers(db);
            db.Users.Add(NewMember("m-4", "ada@example.com"));
            var failure = await Assert.ThrowsAsync<DbUpdateException>(() => AddedRowWriter.SaveAsync(db, CancellationToken.None));
            Assert.True(SyncDatabase.IsUniqueViolation(failure));

            await transaction.CommitAsync();
        }

        Assert.Equal(["m-0|first@example.com|FIRST@EXAMPLE.COM|Basic|<null>|<null>|10|<null>"], await database.RowsAsync(UsersQuery));
        Assert.Empty(await database.RowsAsync(ClaimsQuery));
    }

    [Fact]
    public async Task Values_set_after_the_rows_were_added_are_written_as_they_are_at_the_save()
    {
        await using var database = await MemberDatabase.SqliteAsync();
        await using (var db = database.Context())
        {
            AddMembers(db);
            var grace = db.Users.Local.Single(u => u.Id == "m-2");
            grace.Email = "grace@example.org";
            grace.Points = 300;
            db.Entry(grace).Property("Source").CurrentValue = "backfill";
            Assert.Equal(7, await AddedRowWriter.SaveAsync(db, CancellationToken.None));
        }

        Assert.Contains(await database.RowsAsync(UsersQuery), row => row.StartsWith("m-2|grace@example.org|", StringComparison.Ordinal) && row.EndsWith("|300|backfill", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_row_reached_only_through_a_navigation_set_after_the_add_is_written_as_SaveChanges_finds_it()
    {
        await using var connection = await OpenOrderDatabaseAsync();
        var options = OrderOptions(connection);
        await using (var db = new OrderContext(options))
        {
            var order = new Order { Id = "o-1" };
            db.Orders.Add(order);

            // Not tracked yet: only change detection finds the line and gives it the order's key.
            order.Lines.Add(new OrderLine { Id = "l-1", Sku = "TEE-M" });
            Assert.Equal(2, await AddedRowWriter.SaveAsync(db, CancellationToken.None));
        }

        await using (var db = new OrderContext(options))
        {
            var line = await db.Lines.AsNoTracking().SingleAsync();
            Assert.Equal(("l-1", "o-1", "TEE-M"), (line.Id, line.OrderId, line.Sku));
        }
    }

    [Fact]
    public async Task Rows_depending_on_a_key_the_database_generates_are_saved_by_SaveChanges_with_that_key()
    {
        await using var connection = await OpenOrderDatabaseAsync();
        var options = OrderOptions(connection);
        await using (var db = new OrderContext(options))
        {
            db.Notes.Add(new OrderNote { Text = "first" });
            await db.SaveChangesAsync();

            var note = new OrderNote { Text = "second" };
            note.Replies.Add(new NoteReply { Id = "r-1", Text = "reply" });
            db.Notes.Add(note);
            Assert.Equal(2, await AddedRowWriter.SaveAsync(db, CancellationToken.None));
        }

        await using (var db = new OrderContext(options))
        {
            var second = await db.Notes.AsNoTracking().SingleAsync(n => n.Text == "second");
            var reply = await db.Replies.AsNoTracking().SingleAsync();
            Assert.Equal(second.Id, reply.NoteId);
        }
    }

    /// <summary>An in-memory SQLite database with the order model, open for as long as the connection is.</summary>
    private static async Task<SqliteConnection> OpenOrderDatabaseAsync()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var db = new OrderContext(OrderOptions(connection));
        await db.Database.EnsureCreatedAsync();
        return connection;
    }

    private static DbContextOptions<OrderContext> OrderOptions(SqliteConnection connection)
        => new DbContextOptionsBuilder<OrderContext>().UseSqlite(connection).Options;

    private const string UsersQuery = """
        SELECT "Id", "Email", "NormalizedEmail", "Tier", "JoinedAt", "PhoneNumber", "Points", "Source"
        FROM "AspNetUsers" ORDER BY "Id"
        """;

    // Claim ids are the database's: compared by what they hold.
    private const string ClaimsQuery = """SELECT "UserId", "ClaimType", "ClaimValue" FROM "AspNetUserClaims" ORDER BY "UserId", "ClaimType" """;

    private static void AddMembers(MemberContext db)
    {
        var ada = NewMember("m-1", "ada@example.com");
        ada.Tier = MemberTier.Gold;
        ada.JoinedAt = new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);
        ada.PhoneNumber = "+447700900123";
        var grace = NewMember("m-2", "grace@example.com");
        grace.Points = 250;
        var alan = NewMember("m-3", "alan@example.com");
        db.Users.AddRange(ada, grace, alan);
        db.Entry(ada).Property("Source").CurrentValue = "import";
        db.UserClaims.AddRange(
            new IdentityUserClaim<string> { UserId = "m-1", ClaimType = "shopify_id", ClaimValue = "7000000001" },
            new IdentityUserClaim<string> { UserId = "m-1", ClaimType = "given_name", ClaimValue = "Ada" },
            new IdentityUserClaim<string> { UserId = "m-2", ClaimType = "shopify_id", ClaimValue = "7000000002" },
            new IdentityUserClaim<string> { UserId = "m-3", ClaimType = "shopify_id", ClaimValue = "7000000003" });
    }

    private static Member NewMember(string id, string email) => new()
    {
        Id = id,
        UserName = email,
        NormalizedUserName = email.ToUpperInvariant(),
        Email = email,
        NormalizedEmail = email.ToUpperInvariant(),
        SecurityStamp = "STAMP-" + id,
        ConcurrencyStamp = "CONCURRENCY-" + id,
    };

    public enum MemberTier
    {
        Basic,
        Gold,
    }

    public sealed class Member : IdentityUser
    {
        public MemberTier Tier { get; set; }

        public DateTimeOffset? JoinedAt { get; set; }

        public int Points { get; set; }
    }

    public sealed class MemberContext(DbContextOptions<MemberContext> options) : IdentityDbContext<Member>(options)
    {
        protected override void OnModelCreating(ModelBuilder builder)
        {
            base.OnModelCreating(builder);
            builder.Entity<Member>(member =>
            {
                member.Property(m => m.Tier).HasConversion<string>().HasMaxLength(16);
                member.Property(m => m.Points).HasDefaultValue(10);
                member.Property<string>("Source").HasMaxLength(32);
            });
        }
    }

    public sealed class Order
    {
        public string Id { get; set; } = "";

        public List<OrderLine> Lines { get; } = [];
    }

    public sealed class OrderLine
    {
        public string Id { get; set; } = "";

        public string OrderId { get; set; } = "";

        public string Sku { get; set; } = "";
    }

    public sealed class OrderNote
    {
        public int Id { get; set; }

        public string Text { get; set; } = "";

        public List<NoteReply> Replies { get; } = [];
    }

    public sealed class NoteReply
    {
        public string Id { get; set; } = "";

        public int NoteId { get; set; }

        public string Text { get; set; } = "";
    }

    public sealed class OrderContext(DbContextOptions<OrderContext> options) : DbContext(options)
    {
        public DbSet<Order> Orders => Set<Order>();

        public DbSet<OrderLine> Lines => Set<OrderLine>();

        public DbSet<OrderNote> Notes => Set<OrderNote>();

        public DbSet<NoteReply> Replies => Set<NoteReply>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Order>().HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.OrderId);
            modelBuilder.Entity<OrderNote>().HasMany(n => n.Replies).WithOne().HasForeignKey(r => r.NoteId);
        }
    }

    private sealed class CountingSaveInterceptor : SaveChangesInterceptor
    {
        public int Saves { get; private set; }

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Saves++;
            return ValueTask.FromResult(result);
        }
    }

    /// <summary>One database with the member model, and a way to read its rows back as text.</summary>
    private sealed class MemberDatabase(DbConnection connection, DbContextOptions<MemberContext> options) : IAsyncDisposable
    {
        public static async Task<MemberDatabase> SqliteAsync(params IInterceptor[] interceptors)
        {
            var connection = new SqliteConnection("Data Source=:memory:");
            await connection.OpenAsync();
            return await CreateAsync(connection, new DbContextOptionsBuilder<MemberContext>().UseSqlite(connection).AddInterceptors(interceptors).Options);
        }

        public static async Task<MemberDatabase> PostgresAsync(string connectionString)
        {
            var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            return await CreateAsync(connection, new DbContextOptionsBuilder<MemberContext>().UseNpgsql(connection).Options);
        }

        private static async Task<MemberDatabase> CreateAsync(DbConnection connection, DbContextOptions<MemberContext> options)
        {
            await using (var db = new MemberContext(options))
            {
                await db.Database.EnsureCreatedAsync();
            }

            return new MemberDatabase(connection, options);
        }

        public MemberContext Context() => new(options);

        public async Task<List<string>> RowsAsync(string query)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = query;
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync())
            {
                rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "<null>" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            }

            return rows;
        }

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }
}
