using System.Data.Common;

namespace Coffer.Server.Data;

/// <summary>
/// Everything that differs between PostgreSQL and SQLite, in one place: how to connect, how to lock for
/// migrations, and how to recognise constraint violations. Stores write SQL that both dialects accept.
/// </summary>
public abstract class SqlDialect
{
    /// <summary>The folder of this dialect's migrations, <c>Data/Migrations/&lt;Name&gt;</c>.</summary>
    public abstract string Name { get; }

    public abstract DbConnection CreateConnection(string connectionString);

    /// <summary>The connection string with this dialect's defaults for settings the string does not set.</summary>
    public virtual string WithDefaults(string connectionString) => connectionString;

    /// <summary>Per-connection settings, run after every open.</summary>
    public virtual Task PrepareAsync(DbConnection connection, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Takes the cross-process migration lock on an open connection; disposing releases it.</summary>
    public abstract Task<IAsyncDisposable> LockForMigrationAsync(DbConnection connection, CancellationToken ct);

    public abstract bool IsUniqueViolation(DbException exception);

    public abstract bool IsForeignKeyViolation(DbException exception);

    /// <summary>
    /// A serializable transaction lost a conflict (PostgreSQL 40001 / deadlock 40P01): the whole use case may be run
    /// again. SQLite serialises writers with BEGIN IMMEDIATE and never reports this.
    /// </summary>
    public virtual bool IsSerializationFailure(DbException exception) => false;

    /// <summary>
    /// Row-lock clause for "claim the next free row" queries (rotation fan-out): PostgreSQL locks the row of
    /// <paramref name="alias"/> and skips rows other processes hold; SQLite has one writer at a time and needs none.
    /// </summary>
    public virtual string LockSkipLocked(string alias) => "";

    /// <summary>The database cannot be reached or opened (answered as 500/20 instead of 500/21).</summary>
    public abstract bool IsConnectionFailure(DbException exception);

    /// <summary>
    /// Picks the dialect from an ADO.NET connection string: <c>Data Source=…</c> (or <c>Filename=…</c>) is SQLite,
    /// <c>Host=…</c> (or <c>Server=…</c>) is PostgreSQL.
    /// </summary>
    public static SqlDialect For(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (builder.ContainsKey("Host") || builder.ContainsKey("Server"))
        {
            return PostgresDialect.Instance;
        }

        if (builder.ContainsKey("Data Source") || builder.ContainsKey("DataSource") || builder.ContainsKey("Filename"))
        {
            return SqliteDialect.Instance;
        }

        throw new ArgumentException(
            "The connection string names neither a SQLite file (Data Source=FILE) nor a PostgreSQL host (Host=…).",
            nameof(connectionString));
    }
}
