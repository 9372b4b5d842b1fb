using System.Data.Common;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Coffer.Server.Tests.Data;

public sealed class MigratorTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task Migrate_FreshDatabase_AppliesAllAndRecordsThem(DatabaseKind db)
    {
        var database = new Database(await databases.CreateAsync(db));
        IReadOnlyList<int> applied = await new Migrator(database).MigrateAsync(TestContext.Current.CancellationToken);
        Assert.Equal(Migrator.Load(database.Dialect).Select(m => m.Version), applied);
        await using DbConnection connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        Assert.Equal(applied, (await connection.QueryAsync<int>("SELECT version FROM schema_version ORDER BY version")).ToList());
    }

    [Theory, Databases]
    public async Task Migrate_Twice_SecondRunAppliesNothing(DatabaseKind db)
    {
        var database = new Database(await databases.CreateAsync(db));
        await new Migrator(database).MigrateAsync(TestContext.Current.CancellationToken);
        Assert.Empty(await new Migrator(database).MigrateAsync(TestContext.Current.CancellationToken));
    }

    [Theory, Databases]
    public async Task Migrate_Concurrently_AppliesEachMigrationOnce(DatabaseKind db)
    {
        var database = new Database(await databases.CreateAsync(db));
        IReadOnlyList<int>[] runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => new Migrator(database).MigrateAsync(TestContext.Current.CancellationToken))));
        Assert.Equal(Migrator.Load(database.Dialect).Count, runs.Sum(r => r.Count));
    }

    [Theory, Databases]
    public async Task UniqueViolation_IsRecognisedByTheDialect(DatabaseKind db)
    {
        var database = new Database(await databases.CreateAsync(db));
        await new Migrator(database).MigrateAsync(TestContext.Current.CancellationToken);
        await using DbConnection connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        const string insert = "INSERT INTO app (id, name, public_token_hash, secret_token_hash, created_at) VALUES (@id, 'a', 'p', @id, 0)";
        await connection.ExecuteAsync(insert, new { id = "1" });
        DbException e = await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteAsync(insert, new { id = "2" }));
        Assert.True(database.Dialect.IsUniqueViolation(e));
        Assert.False(database.Dialect.IsForeignKeyViolation(e));
    }

    [Theory, Databases]
    public async Task ForeignKeys_AreEnforced(DatabaseKind db)
    {
        var database = new Database(await databases.CreateAsync(db));
        await new Migrator(database).MigrateAsync(TestContext.Current.CancellationToken);
        await using DbConnection connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        DbException e = await Assert.ThrowsAnyAsync<DbException>(() => connection.ExecuteAsync(
            "INSERT INTO app_user (id, app_id, created_at) VALUES ('u', 'no such app', 0)"));
        Assert.True(database.Dialect.IsForeignKeyViolation(e));
    }

    [Fact]
    public void Sqlite_NativeLibraryLoads()
    {
        // SQLitePCLRaw.bundle_e_sqlite3 2.0.6 must bring a working e_sqlite3 for this machine (Directory.Packages.props).
        _ = SqliteDialect.Instance;
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        string version = connection.ExecuteScalar<string>("SELECT sqlite_version()")!;
        Assert.True(Version.Parse(version) >= new Version(3, 35), version); // RETURNING, UPSERT, DROP COLUMN
    }

    [Fact]
    public void Dialect_IsChosenFromTheConnectionString()
    {
        Assert.Same(SqliteDialect.Instance, SqlDialect.For("Data Source=x.db"));
        Assert.Same(PostgresDialect.Instance, SqlDialect.For("Host=127.0.0.1;Port=5432;Username=u;Database=d"));
        Assert.Throws<ArgumentException>(() => SqlDialect.For("Foo=bar"));
    }
}
