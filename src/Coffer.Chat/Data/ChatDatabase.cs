using System.Data.Common;
using Coffer.Server.Data;

namespace Coffer.Chat.Data;

/// <summary>
/// The chat's database: the platform's <see cref="Database"/> (dialects, transactions) on the chat's own connection
/// string, which in-process defaults to the platform's database (the chat's tables are prefixed <c>chat_</c> and
/// versioned in <c>chat_schema_version</c>).
/// </summary>
public sealed class ChatDatabase(Database database)
{
    public static MigrationSet Migrations { get; } =
        new(typeof(ChatDatabase).Assembly, "Coffer.Chat.Migrations.", "chat_schema_version");

    public Database Database { get; } = database;

    public Task<DbConnection> OpenAsync(CancellationToken ct) => Database.OpenAsync(ct);

    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct) =>
        Database.InSerializableTransactionAsync(work, ct);

    public Task<IReadOnlyList<int>> MigrateAsync(CancellationToken ct) => new Migrator(Database, Migrations).MigrateAsync(ct);
}
