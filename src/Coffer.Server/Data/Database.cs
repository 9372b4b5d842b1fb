using System.Data.Common;

namespace Coffer.Server.Data;

/// <summary>The configured database: its dialect and connection string. Singleton.</summary>
public sealed class Database(string connectionString)
{
    public SqlDialect Dialect { get; } = SqlDialect.For(connectionString);

    public string ConnectionString { get; } = connectionString;

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        DbConnection connection = Dialect.CreateConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            await Dialect.PrepareAsync(connection, ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs one use case in one transaction: committed when <paramref name="work"/> returns, rolled back when it
    /// throws. SQLite starts it with BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default), so two writers queue
    /// instead of failing on a lock upgrade.
    /// </summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        await using DbConnection connection = await OpenAsync(ct);
        await using DbTransaction transaction = await connection.BeginTransactionAsync(ct);
        T result = await work(connection, transaction);
        await transaction.CommitAsync(ct);
        return result;
    }
}
