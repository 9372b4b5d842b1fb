using System.Data.Common;
using Dapper;
using Npgsql;

namespace Coffer.Server.Data;

public sealed class PostgresDialect : SqlDialect
{
    /// <summary>Key of the session-level advisory lock held while migrating ("COFFER" in ASCII).</summary>
    private const long MigrationLockKey = 0x434F46464552;

    private PostgresDialect()
    {
    }

    public static PostgresDialect Instance { get; } = new();

    public override string Name => "postgres";

    public override DbConnection CreateConnection(string connectionString) => new NpgsqlConnection(connectionString);

    public override async Task<IAsyncDisposable> LockForMigrationAsync(DbConnection connection, CancellationToken ct)
    {
        await connection.ExecuteAsync(
            new CommandDefinition("SELECT pg_advisory_lock(@key);", new { key = MigrationLockKey }, cancellationToken: ct));
        return new AdvisoryLock(connection);
    }

    public override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override bool IsForeignKeyViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation };

    public override bool IsSerializationFailure(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected };

    public override string LockSkipLocked(string alias) => $"FOR UPDATE OF {alias} SKIP LOCKED";

    /// <summary>
    /// Binary COPY (no SQL text to parse, no parameters to bind: the cheapest way into a table), inside the caller's
    /// transaction; a unique violation aborts the COPY and with it the transaction, as the INSERT would.
    /// </summary>
    public override async Task<int> InsertRowsAsync(
        DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns,
        IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        var npgsql = (NpgsqlConnection)connection;
        await using NpgsqlBinaryImporter importer = await npgsql.BeginBinaryImportAsync(
            $"COPY {table} ({string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (object?[] row in rows)
        {
            await importer.StartRowAsync(ct);
            foreach (object? value in row)
            {
                switch (value)
                {
                    case null:
                        await importer.WriteNullAsync(ct);
                        break;
                    case long number:
                        await importer.WriteAsync(number, NpgsqlTypes.NpgsqlDbType.Bigint, ct);
                        break;
                    case string text:
                        await importer.WriteAsync(text, NpgsqlTypes.NpgsqlDbType.Text, ct);
                        break;
                    default:
                        throw new ArgumentException($"InsertRowsAsync takes string, long or null, not {value.GetType().Name}.", nameof(rows));
                }
            }
        }

        return checked((int)await importer.CompleteAsync(ct));
    }

    /// <summary>An NpgsqlException that is not a PostgresException never reached the server (network, refused, timeout).</summary>
    public override bool IsConnectionFailure(DbException exception) =>
        exception is NpgsqlException and not PostgresException;

    private sealed class AdvisoryLock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key);", new { key = MigrationLockKey });
    }
}
