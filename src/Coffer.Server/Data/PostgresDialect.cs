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
    /// Automatic preparation (unless the string sets <c>Max Auto Prepare</c>): a statement run twice on a pooled
    /// connection is prepared there, so PostgreSQL stops parsing and planning it on every request — the access
    /// resolution's recursive CTEs and the request's lookup batch are planned once per connection instead of per call.
    /// Statements take values as parameters only; the few whose text varies (IN lists, multi-row inserts) are bounded
    /// by the per-connection cache of <c>MaxAutoPrepare</c> statements (least recently used ones are dropped).
    /// </summary>
    public override string WithDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 100;
            builder.AutoPrepareMinUsages = 2;
        }

        return builder.ConnectionString;
    }

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

    /// <summary>An NpgsqlException that is not a PostgresException never reached the server (network, refused, timeout).</summary>
    public override bool IsConnectionFailure(DbException exception) =>
        exception is NpgsqlException and not PostgresException;

    private sealed class AdvisoryLock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key);", new { key = MigrationLockKey });
    }
}
