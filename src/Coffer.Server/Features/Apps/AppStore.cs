using System.Data.Common;
using Coffer.Server.Auth;
using Coffer.Server.Data;
using Dapper;

namespace Coffer.Server.Features.Apps;

/// <summary>What a token lookup found: the app, which token matched, and the app's level for the asked option.</summary>
public sealed record AppTokenMatch(AppId App, bool Disabled, TokenLevel Level, TokenLevel? OptionLevel);

public sealed record AppJwtKey(JwtKeyId Id, string SignKeySealed, string VerifyKey);

public sealed class AppRow
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public long CreatedAt { get; set; }

    public long? DisabledAt { get; set; }
}

/// <summary>SQL of the apps feature: apps, their tokens, options and JWT keys.</summary>
public sealed class AppStore(Database db)
{
    // Dapper row types are classes with setters: Dapper converts column types (SQLite INTEGER is Int64,
    // PostgreSQL int4) when setting properties, but needs exact types for constructor parameters.
    private sealed class TokenRow
    {
        public string Id { get; set; } = "";

        public long? DisabledAt { get; set; }

        public int IsSecret { get; set; }

        public int? OptionLevel { get; set; }
    }

    private sealed class JwtKeyRow
    {
        public string Id { get; set; } = "";

        public string SignKeyEnc { get; set; } = "";

        public string VerifyKey { get; set; } = "";
    }

    /// <summary>
    /// Finds the app of a token hash (public or secret column) and, in the same statement, the app's stored level for
    /// the option <c>@option</c> (null = no row, the default applies); run by <see cref="RequestLookup"/> as the first
    /// statement of the request's batch. The hash of a random 30/50-byte token is compared by the index, which is not
    /// a timing oracle for the token itself. Parameters: <c>@hash</c>, <c>@option</c> (the option's name or "").
    /// </summary>
    internal const string TokenMatchSql =
        """
        SELECT a.id AS Id, a.disabled_at AS DisabledAt,
               CASE WHEN a.secret_token_hash = @hash THEN 1 ELSE 0 END AS IsSecret,
               o.level AS OptionLevel
        FROM app a
        LEFT JOIN app_option o ON o.app_id = a.id AND o.name = @option
        WHERE a.public_token_hash = @hash OR a.secret_token_hash = @hash
        """;

    /// <summary>The app id of the token hash <c>@hash</c> as a scalar subquery, for the other statements of the same batch.</summary>
    internal const string AppOfTokenSql = "(SELECT id FROM app WHERE public_token_hash = @hash OR secret_token_hash = @hash)";

    internal static async Task<AppTokenMatch?> ReadTokenMatchAsync(SqlMapper.GridReader grid)
    {
        TokenRow? row = await grid.ReadSingleOrDefaultAsync<TokenRow>();
        return row is null
            ? null
            : new AppTokenMatch(new AppId(row.Id), row.DisabledAt is not null, row.IsSecret == 1 ? TokenLevel.Secret : TokenLevel.Public,
                row.OptionLevel is int level ? (TokenLevel)level : null);
    }

    public async Task<AppJwtKey?> NewestJwtKeyAsync(AppId app, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        JwtKeyRow? row = await connection.QueryFirstOrDefaultAsync<JwtKeyRow>(new CommandDefinition(
            """
            SELECT id AS Id, sign_key_enc AS SignKeyEnc, verify_key AS VerifyKey FROM app_jwt_key
            WHERE app_id = @app ORDER BY created_at DESC, id DESC LIMIT 1
            """,
            new { app = app.Value }, cancellationToken: ct));
        return row is null ? null : new AppJwtKey(new JwtKeyId(row.Id), row.SignKeyEnc, row.VerifyKey);
    }

    /// <summary>Some JWT key of any app (for the start-up check of the root key); null in an empty database.</summary>
    public async Task<AppJwtKey?> AnyJwtKeyAsync(CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        JwtKeyRow? row = await connection.QueryFirstOrDefaultAsync<JwtKeyRow>(new CommandDefinition(
            "SELECT id AS Id, sign_key_enc AS SignKeyEnc, verify_key AS VerifyKey FROM app_jwt_key ORDER BY created_at DESC, id LIMIT 1",
            cancellationToken: ct));
        return row is null ? null : new AppJwtKey(new JwtKeyId(row.Id), row.SignKeyEnc, row.VerifyKey);
    }

    /// <summary>The verify key of <paramref name="kid"/> if it is a key of this app (never of another app, §8 #3).</summary>
    public async Task<string?> JwtVerifyKeyAsync(AppId app, JwtKeyId kid, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT verify_key FROM app_jwt_key WHERE id = @kid AND app_id = @app",
            new { kid = kid.Value, app = app.Value }, cancellationToken: ct));
    }

    public static async Task InsertAppAsync(
        DbConnection connection, DbTransaction transaction, AppId app, string name, string publicTokenHash, string secretTokenHash, long now)
    {
        await connection.ExecuteAsync(
            """
            INSERT INTO app (id, name, public_token_hash, secret_token_hash, disabled_at, created_at)
            VALUES (@id, @name, @publicHash, @secretHash, NULL, @now)
            """,
            new { id = app.Value, name, publicHash = publicTokenHash, secretHash = secretTokenHash, now }, transaction);
    }

    public static async Task InsertJwtKeyAsync(DbConnection connection, DbTransaction transaction, AppId app, NewJwtKey key, long now)
    {
        await connection.ExecuteAsync(
            """
            INSERT INTO app_jwt_key (id, app_id, alg, sign_key_enc, verify_key, created_at)
            VALUES (@id, @app, @alg, @sign, @verify, @now)
            """,
            new { id = key.Id.Value, app = app.Value, alg = JwtService.Algorithm, sign = key.SignKeySealed, verify = key.VerifyKey, now },
            transaction);
    }

    /// <returns>false when the app does not exist.</returns>
    public static async Task<bool> ReplaceTokensAsync(
        DbConnection connection, DbTransaction transaction, AppId app, string publicTokenHash, string secretTokenHash) =>
        await connection.ExecuteAsync(
            "UPDATE app SET public_token_hash = @publicHash, secret_token_hash = @secretHash WHERE id = @id",
            new { id = app.Value, publicHash = publicTokenHash, secretHash = secretTokenHash }, transaction) == 1;

    public static async Task<bool> ExistsAsync(DbConnection connection, DbTransaction transaction, AppId app) =>
        await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM app WHERE id = @id", new { id = app.Value }, transaction) == 1;

    public static async Task SetOptionAsync(DbConnection connection, DbTransaction transaction, AppId app, AppOption option, TokenLevel level)
    {
        // Rows only for non-default values (api.md §9).
        await connection.ExecuteAsync(
            "DELETE FROM app_option WHERE app_id = @app AND name = @name", new { app = app.Value, name = option.Name }, transaction);
        if (level != option.DefaultLevel)
        {
            await connection.ExecuteAsync(
                "INSERT INTO app_option (app_id, name, level) VALUES (@app, @name, @level)",
                new { app = app.Value, name = option.Name, level = (int)level }, transaction);
        }
    }

    public static async Task<bool> DisableAsync(DbConnection connection, DbTransaction transaction, AppId app, long now) =>
        await connection.ExecuteAsync(
            "UPDATE app SET disabled_at = COALESCE(disabled_at, @now) WHERE id = @id", new { id = app.Value, now }, transaction) == 1;

    public static async Task<IReadOnlyList<AppRow>> ListAsync(DbConnection connection, DbTransaction transaction) =>
        (await connection.QueryAsync<AppRow>(
            "SELECT id AS Id, name AS Name, created_at AS CreatedAt, disabled_at AS DisabledAt FROM app ORDER BY created_at, id",
            transaction: transaction)).AsList();
}
