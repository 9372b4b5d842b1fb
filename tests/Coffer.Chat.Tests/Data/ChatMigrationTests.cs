using System.Data.Common;
using Coffer.Chat.Data;
using Coffer.Server.Data;
using Dapper;

namespace Coffer.Chat.Tests.Data;

public sealed class ChatMigrationTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task Migrate_PlatformAndChatInOneDatabase_EachInItsOwnVersionTable_Idempotent(DatabaseKind db)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var database = new Database(await databases.CreateAsync(db));
        var chat = new ChatDatabase(database);
        IReadOnlyList<int> platform = await new Migrator(database).MigrateAsync(ct);
        IReadOnlyList<int> applied = await chat.MigrateAsync(ct);

        Assert.Equal(Migrator.Load(database.Dialect, ChatDatabase.Migrations).Select(m => m.Version), applied);
        Assert.Empty(await chat.MigrateAsync(ct));
        Assert.Empty(await new Migrator(database).MigrateAsync(ct));
        await using DbConnection connection = await database.OpenAsync(ct);
        Assert.Equal(platform, (await connection.QueryAsync<int>("SELECT version FROM schema_version ORDER BY version;")).AsList());
        Assert.Equal(applied, (await connection.QueryAsync<int>("SELECT version FROM chat_schema_version ORDER BY version;")).AsList());
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM chat_group;"));
    }
}
