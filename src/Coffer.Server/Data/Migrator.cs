using System.Data.Common;
using System.Reflection;
using Dapper;

namespace Coffer.Server.Data;

/// <summary>
/// Applies the embedded migrations <c>Data/Migrations/&lt;dialect&gt;/NNNN_name.sql</c> in order, under the
/// dialect's migration lock, and records each in <c>schema_version</c>. Safe to run from several processes at once.
/// Another component with its own schema (Coffer.Chat) passes its own <see cref="MigrationSet"/>: its assembly, resource
/// prefix and version table, so both can live in one database without mixing their version numbers.
/// </summary>
public sealed class Migrator(Database database, MigrationSet set)
{
    public Migrator(Database database)
        : this(database, MigrationSet.Coffer)
    {
    }

    public sealed record Migration(int Version, string Name, string Sql);

    /// <summary>The migrations of one dialect, ordered by version.</summary>
    public static IReadOnlyList<Migration> Load(SqlDialect dialect) => Load(dialect, MigrationSet.Coffer);

    /// <summary>The migrations of one set and dialect, ordered by version.</summary>
    public static IReadOnlyList<Migration> Load(SqlDialect dialect, MigrationSet set)
    {
        Assembly assembly = set.Assembly;
        string prefix = $"{set.ResourcePrefix}{dialect.Name}.";
        var migrations = new List<Migration>();
        foreach (string resource in assembly.GetManifestResourceNames())
        {
            // The logical name keeps the folder separator of the build machine (Coffer.Migrations.sqlite/0001_x.sql).
            string normalized = resource.Replace('/', '.').Replace('\\', '.');
            if (!normalized.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            string name = normalized[prefix.Length..^".sql".Length];
            int version = int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
            using Stream stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(version, name, reader.ReadToEnd()));
        }

        if (migrations.Count == 0)
        {
            throw new InvalidOperationException($"No embedded migrations for {dialect.Name}.");
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        return migrations;
    }

    /// <summary>Applies what is missing; returns the versions applied now.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken ct)
    {
        IReadOnlyList<Migration> migrations = Load(database.Dialect, set);
        await using DbConnection connection = await database.OpenAsync(ct);
        var applied = new List<int>();
        await using (IAsyncDisposable dbLock = await database.Dialect.LockForMigrationAsync(connection, ct))
        {
            // SQLite's lock is a transaction that everything runs in; PostgreSQL gets one transaction per migration.
            DbTransaction? outer = (dbLock as SqliteDialect.MigrationLock)?.Transaction;
            await connection.ExecuteAsync(new CommandDefinition(
                $"CREATE TABLE IF NOT EXISTS {set.VersionTable} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);",
                transaction: outer, cancellationToken: ct));
            var done = (await connection.QueryAsync<int>(new CommandDefinition(
                $"SELECT version FROM {set.VersionTable};", transaction: outer, cancellationToken: ct))).ToHashSet();
            foreach (Migration migration in migrations.Where(m => !done.Contains(m.Version)))
            {
                DbTransaction transaction = outer ?? await connection.BeginTransactionAsync(ct);
                await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: ct));
                await connection.ExecuteAsync(new CommandDefinition(
                    $"INSERT INTO {set.VersionTable} (version, name, applied_at) VALUES (@Version, @Name, @At);",
                    new { migration.Version, migration.Name, At = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
                    transaction, cancellationToken: ct));
                if (outer is null)
                {
                    await transaction.CommitAsync(ct);
                    await transaction.DisposeAsync();
                }

                applied.Add(migration.Version);
            }
        }

        return applied;
    }
}

/// <summary>
/// Where a component's migrations are: embedded resources <c>&lt;ResourcePrefix&gt;&lt;dialect&gt;.NNNN_name.sql</c> of
/// <paramref name="Assembly"/>, recorded in the table <paramref name="VersionTable"/> (a constant identifier, never input).
/// </summary>
public sealed record MigrationSet(Assembly Assembly, string ResourcePrefix, string VersionTable)
{
    public static MigrationSet Coffer { get; } = new(typeof(Migrator).Assembly, "Coffer.Migrations.", "schema_version");
}
