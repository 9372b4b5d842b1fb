using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Coffer.Server.Data;

public sealed class SqliteDialect : SqlDialect
{
    static SqliteDialect()
    {
        // Microsoft.Data.Sqlite.Core does not pick a native provider itself; the bundle brings e_sqlite3.
        Batteries_V2.Init();
    }

    private SqliteDialect()
    {
    }

    public static SqliteDialect Instance { get; } = new();

    public override string Name => "sqlite";

    public override DbConnection CreateConnection(string connectionString) => new SqliteConnection(connectionString);

    public override async Task PrepareAsync(DbConnection connection, CancellationToken ct)
    {
        // Foreign keys are off by default in SQLite and are a per-connection setting.
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA foreign_keys = ON;", cancellationToken: ct));
    }

    public override async Task<IAsyncDisposable> LockForMigrationAsync(DbConnection connection, CancellationToken ct)
    {
        // WAL lets readers run while one writer works; it is persistent, so setting it here once is enough.
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL;", cancellationToken: ct));
        // BEGIN IMMEDIATE takes the database write lock at once, so a second process waits (busy timeout) until
        // the first has migrated. Migrations then run inside this transaction (SQLite DDL is transactional).
        var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(IsolationLevel.Serializable, ct);
        return new MigrationLock(transaction);
    }

    public override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: raw.SQLITE_CONSTRAINT_UNIQUE or raw.SQLITE_CONSTRAINT_PRIMARYKEY };

    public override bool IsForeignKeyViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: raw.SQLITE_CONSTRAINT_FOREIGNKEY };

    public override bool IsConnectionFailure(DbException exception) =>
        exception is SqliteException { SqliteErrorCode: raw.SQLITE_CANTOPEN or raw.SQLITE_NOTADB or raw.SQLITE_IOERR };

    /// <summary>The lock is the open IMMEDIATE transaction; it is committed when the migrations are done.</summary>
    public sealed class MigrationLock(SqliteTransaction transaction) : IAsyncDisposable
    {
        public SqliteTransaction Transaction { get; } = transaction;

        public async ValueTask DisposeAsync()
        {
            if (Transaction.Connection is not null)
            {
                await Transaction.CommitAsync();
            }

            await Transaction.DisposeAsync();
        }
    }
}
