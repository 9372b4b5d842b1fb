using System.Data.Common;
using Coffer.Protocol.Keys;
using Coffer.Server.Data;
using Dapper;

namespace Coffer.Server.Features.Keys;

/// <summary>SQL of symmetric key management (api.md §4.17): client-encrypted keys stored per app with their creator.</summary>
public sealed class SymKeyStore(Database db, TimeProvider time)
{
    private const string Columns =
        "alg AS Alg, encrypted_key AS EncryptedKeyString, master_key_id AS MasterKeyId, id AS KeyId, created_at AS Time";

    public async Task<string> RegisterAsync(AppId app, UserId creator, GeneratedSymKeyHeadServerInput input, CancellationToken ct)
    {
        string id = NewId.Uuid();
        await using DbConnection connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO sym_key (id, app_id, master_key_id, creator_id, encrypted_key, alg, created_at)
            VALUES (@id, @app, @MasterKeyId, @creator, @EncryptedKeyString, @Alg, @now)
            """,
            new { id, app = app.Value, creator = creator.Value, input.MasterKeyId, input.EncryptedKeyString, input.Alg, now = time.GetUtcNow().ToUnixTimeMilliseconds() },
            cancellationToken: ct));
        return id;
    }

    /// <summary>Deletes the key only when <paramref name="creator"/> registered it (the predicate is in the DELETE); otherwise nothing.</summary>
    public async Task DeleteAsync(AppId app, UserId creator, string key, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM sym_key WHERE id = @key AND app_id = @app AND creator_id = @creator",
            new { key, app = app.Value, creator = creator.Value }, cancellationToken: ct));
    }

    public async Task<GeneratedSymKeyHeadServerOutput?> GetAsync(AppId app, string key, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        SymKeyRow? row = await connection.QuerySingleOrDefaultAsync<SymKeyRow>(new CommandDefinition(
            $"SELECT {Columns} FROM sym_key WHERE id = @key AND app_id = @app", new { key, app = app.Value }, cancellationToken: ct));
        return row?.ToOutput();
    }

    /// <summary>Keys registered under one master key, newest first (§1.8).</summary>
    public async Task<IReadOnlyList<GeneratedSymKeyHeadServerOutput>> ByMasterKeyAsync(
        AppId app, string masterKey, long lastTime, string lastId, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        IEnumerable<SymKeyRow> rows = await connection.QueryAsync<SymKeyRow>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM sym_key
            WHERE app_id = @app AND master_key_id = @masterKey
              AND (@lastTime = 0 OR created_at < @lastTime OR (created_at = @lastTime AND id > @lastId))
            ORDER BY created_at DESC, id ASC
            LIMIT 50
            """,
            new { app = app.Value, masterKey, lastTime, lastId }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToOutput())];
    }

    private sealed class SymKeyRow
    {
        public string Alg { get; set; } = "";

        public string EncryptedKeyString { get; set; } = "";

        public string MasterKeyId { get; set; } = "";

        public string KeyId { get; set; } = "";

        public long Time { get; set; }

        public GeneratedSymKeyHeadServerOutput ToOutput() => new(Alg, EncryptedKeyString, MasterKeyId, KeyId, Time);
    }
}
