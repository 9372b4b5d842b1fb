using System.Data.Common;

namespace Coffer.Server.Data;

/// <summary>The configured database: its dialect and connection string. Singleton.</summary>
public sealed class Database(string connectionString)
{
    public SqlDialect Dialect { get; } = SqlDialect.For(connectionString);

    public string ConnectionString { get; } = connectionString;

    /// <summary>The connection string connections are opened with: <see cref="ConnectionString"/> with the dialect's defaults.</summary>
    private readonly string openString = SqlDialect.For(connectionString).WithDefaults(connectionString);

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        DbConnection connection = Dialect.CreateConnection(openString);
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

    /// <summary>
    /// Runs a use case whose rules read rows that other requests may change at the same time (group membership,
    /// ranks): serializable on PostgreSQL, re-run from the start when it loses a conflict (at most
    /// <see cref="SerializableAttempts"/> times); SQLite already serialises writers (BEGIN IMMEDIATE). The access
    /// check and the rank rules must be evaluated inside <paramref name="work"/>, so every attempt sees one snapshot.
    /// </summary>
    public async Task<T> InSerializableTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await using DbConnection connection = await OpenAsync(ct);
                await using DbTransaction transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
                T result = await work(connection, transaction);
                await transaction.CommitAsync(ct);
                return result;
            }
            catch (DbException e) when (attempt < SerializableAttempts && Dialect.IsSerializationFailure(e))
            {
                // Back off a little (jittered) so the competing transaction can finish.
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), ct);
            }
        }
    }

    public const int SerializableAttempts = 20;
}
