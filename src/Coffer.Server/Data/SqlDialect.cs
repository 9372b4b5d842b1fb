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

    /// <summary>
    /// Appends <paramref name="rows"/> (values in <paramref name="columns"/> order: string, long or null) to
    /// <paramref name="table"/> inside <paramref name="transaction"/>; returns the number of rows written. A duplicate key
    /// fails the whole call (no ON CONFLICT), so the caller's transaction rolls back. Here: multi-row INSERTs of at most
    /// <see cref="InsertRowsPerStatement"/> rows; PostgreSQL streams a binary COPY instead.
    /// </summary>
    public virtual async Task<int> InsertRowsAsync(
        DbConnection connection, DbTransaction transaction, string table, IReadOnlyList<string> columns,
        IReadOnlyList<object?[]> rows, CancellationToken ct)
    {
        int written = 0;
        for (int start = 0; start < rows.Count; start += InsertRowsPerStatement)
        {
            int count = Math.Min(InsertRowsPerStatement, rows.Count - start);
            await using DbCommand command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new System.Text.StringBuilder("INSERT INTO ").Append(table).Append(" (").AppendJoin(", ", columns).Append(") VALUES ");
            for (int r = 0; r < count; r++)
            {
                sql.Append(r == 0 ? "(" : ",(");
                object?[] row = rows[start + r];
                for (int c = 0; c < columns.Count; c++)
                {
                    string name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"p{r}_{c}");
                    sql.Append(c == 0 ? "@" : ",@").Append(name);
                    DbParameter parameter = command.CreateParameter();
                    parameter.ParameterName = name;
                    parameter.Value = row[c] ?? DBNull.Value;
                    parameter.DbType = row[c] is long ? System.Data.DbType.Int64 : System.Data.DbType.String;
                    command.Parameters.Add(parameter);
                }

                sql.Append(')');
            }

            command.CommandText = sql.ToString();
            written += await command.ExecuteNonQueryAsync(ct);
        }

        return written;
    }

    /// <summary>Rows per INSERT of <see cref="InsertRowsAsync"/>: 7 columns × 100 rows stays below SQLite's 999 parameters.</summary>
    protected const int InsertRowsPerStatement = 100;

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
