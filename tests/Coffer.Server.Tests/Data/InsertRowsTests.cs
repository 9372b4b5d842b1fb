using System.Data.Common;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Dapper;

namespace Coffer.Server.Tests.Data;

/// <summary>
/// <see cref="SqlDialect.InsertRowsAsync"/>, the write path of the rotation fan-out (PostgreSQL: binary COPY; SQLite:
/// multi-row INSERTs): every row lands with its values, and a duplicate key fails the call so that the transaction
/// rolls back whole — no half-written chunk — and a retry writes each row exactly once.
/// </summary>
public sealed class InsertRowsTests(TestDatabases databases)
{
    private static readonly string[] Columns = ["id", "n", "note"];

    [Theory, Databases]
    public async Task InsertRows_ManyRows_WritesEachWithItsValues(DatabaseKind db)
    {
        (Database database, DbConnection connection) = await OpenWithTableAsync(db);
        await using (connection)
        {
            object?[][] rows = [.. Enumerable.Range(0, 250).Select(Row)];
            await using (DbTransaction transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken))
            {
                Assert.Equal(250, await database.Dialect.InsertRowsAsync(
                    connection, transaction, "bulk_probe", Columns, rows, TestContext.Current.CancellationToken));
                await transaction.CommitAsync(TestContext.Current.CancellationToken);
            }

            var stored = (await connection.QueryAsync<(string Id, long N, string? Note)>("SELECT id, n, note FROM bulk_probe ORDER BY n")).ToList();
            Assert.Equal(rows.Select(r => ((string)r[0]!, (long)r[1]!, (string?)r[2])), stored);
        }
    }

    [Theory, Databases]
    public async Task InsertRows_DuplicateKeyInTheLastStatement_RollsBackEverything_AndTheRetryWritesEachOnce(DatabaseKind db)
    {
        (Database database, DbConnection connection) = await OpenWithTableAsync(db);
        await using (connection)
        {
            // Row 240 repeats row 7's key: on SQLite the first statements have already run when the last one fails.
            object?[][] bad = [.. Enumerable.Range(0, 250).Select(i => i == 240 ? Row(7) : Row(i))];
            await using (DbTransaction transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken))
            {
                DbException e = await Assert.ThrowsAnyAsync<DbException>(() => database.Dialect.InsertRowsAsync(
                    connection, transaction, "bulk_probe", Columns, bad, TestContext.Current.CancellationToken));
                Assert.True(database.Dialect.IsUniqueViolation(e), e.Message);
                await transaction.RollbackAsync(TestContext.Current.CancellationToken);
            }

            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM bulk_probe"));

            object?[][] good = [.. Enumerable.Range(0, 250).Select(Row)];
            await using (DbTransaction transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken))
            {
                await database.Dialect.InsertRowsAsync(connection, transaction, "bulk_probe", Columns, good, TestContext.Current.CancellationToken);
                await transaction.CommitAsync(TestContext.Current.CancellationToken);
            }

            Assert.Equal((250L, 250L), await connection.QuerySingleAsync<(long, long)>("SELECT COUNT(*), COUNT(DISTINCT id) FROM bulk_probe"));
        }
    }

    // Text with characters COPY's text format would need to escape, a long, and a null every third row.
    private static object?[] Row(int i) => [$"id-{i:D4}", (long)i << 33, i % 3 == 0 ? null : $"note\t{i}\n\\ ü"];

    private async Task<(Database, DbConnection)> OpenWithTableAsync(DatabaseKind db)
    {
        var database = new Database(await databases.CreateAsync(db));
        DbConnection connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        await connection.ExecuteAsync("CREATE TABLE bulk_probe (id TEXT PRIMARY KEY, n BIGINT NOT NULL, note TEXT NULL)");
        return (database, connection);
    }
}
