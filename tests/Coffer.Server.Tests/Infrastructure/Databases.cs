using System.Reflection;
using Xunit.Sdk;
using Xunit.v3;

[assembly: AssemblyFixture(typeof(Coffer.Server.Tests.Infrastructure.TestDatabases))]

namespace Coffer.Server.Tests.Infrastructure;

public enum DatabaseKind
{
    Sqlite,
    Postgres,
}

/// <summary>Runs a theory once per database: one row for SQLite, one for PostgreSQL.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DatabasesAttribute : DataAttribute
{
    public override ValueTask<IReadOnlyCollection<ITheoryDataRow>> GetData(MethodInfo testMethod, DisposalTracker disposalTracker) =>
        new([new TheoryDataRow<DatabaseKind>(DatabaseKind.Sqlite), new TheoryDataRow<DatabaseKind>(DatabaseKind.Postgres)]);

    public override bool SupportsDiscoveryEnumeration() => true;
}

/// <summary>
/// The databases of one test run (an assembly fixture): a throwaway PostgreSQL cluster and a temporary folder for
/// SQLite files. Every test gets its own empty database from <see cref="CreateAsync"/>.
/// </summary>
public sealed class TestDatabases : IAsyncLifetime
{
    private readonly PostgresCluster postgres = new();
    private readonly string sqliteFolder = Directory.CreateTempSubdirectory("coffer-sqlite-").FullName;

    public ValueTask InitializeAsync() => postgres.InitializeAsync();

    public async ValueTask DisposeAsync()
    {
        await postgres.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(sqliteFolder, recursive: true);
    }

    public async Task<string> CreateAsync(DatabaseKind kind) => kind switch
    {
        DatabaseKind.Sqlite => $"Data Source={Path.Combine(sqliteFolder, Guid.NewGuid().ToString("N") + ".db")}",
        DatabaseKind.Postgres => await postgres.CreateDatabaseAsync(),
    };
}
