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

    /// <summary>
    /// Defaults for settings the string does not set:
    /// <list type="bullet">
    /// <item>Automatic preparation: a statement run twice on a pooled connection is prepared there, so PostgreSQL stops
    /// parsing and planning it on every request — the access resolution's recursive CTEs and the request's lookup batch
    /// are planned once per connection instead of per call. Statements take values as parameters only; the few whose
    /// text varies (IN lists, multi-row inserts) are bounded by the per-connection cache of <c>Max Auto Prepare</c>
    /// statements (least recently used ones are dropped).</item>
    /// <item><c>No Reset On Close</c>: a connection going back to the pool is not reset with an extra statement on its next
    /// use. Nothing here leaves session state behind: no SET, no LISTEN, no temporary tables; transactions are committed
    /// or rolled back by their owners; the one session-level advisory lock (migrations) is released explicitly.</item>
    /// </list>
    /// </summary>
    public override string WithDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Sets(connectionString, "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 100;
            builder.AutoPrepareMinUsages = 2;
        }

        if (!Sets(connectionString, "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    /// <summary>Whether the string itself sets <paramref name="keyword"/> (Npgsql accepts it with or without spaces, any case).</summary>
    private static bool Sets(string connectionString, string keyword) =>
        new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Any(k => string.Equals(k.Replace(" ", "", StringComparison.Ordinal), keyword, StringComparison.OrdinalIgnoreCase));

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
