using System.Collections.Concurrent;
using System.Data.Common;
using Coffer.Chat.Data;
using Dapper;

namespace Coffer.Chat.Profiles;

public sealed class Profile
{
    public string UserId { get; init; } = "";

    public string? Username { get; init; }

    public string? AvatarUrl { get; init; }
}

/// <summary>The chat's only user data: a profile per Coffer user id.</summary>
public sealed class ProfileStore(ChatDatabase database, TimeProvider time)
{
    private const string Columns = "id AS UserId, username AS Username, avatar_url AS AvatarUrl";

    /// <summary>Bound of <see cref="ensured"/>; when reached it starts over (a miss only costs one idempotent insert).</summary>
    private const int EnsuredCapacity = 100_000;

    /// <summary>Users whose profile row is known to exist (rows are never deleted), so most requests write nothing.</summary>
    private readonly ConcurrentDictionary<string, bool> ensured = new(StringComparer.Ordinal);

    public async Task EnsureAsync(string user, CancellationToken ct)
    {
        if (ensured.ContainsKey(user))
        {
            return;
        }

        await using DbConnection connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO chat_user (id, created_at) VALUES (@user, @now) ON CONFLICT (id) DO NOTHING;",
            new { user, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: ct));
        if (ensured.Count >= EnsuredCapacity)
        {
            ensured.Clear();
        }

        ensured[user] = true;
    }

    public async Task<Profile?> GetAsync(string user, CancellationToken ct)
    {
        await using DbConnection connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Profile>(new CommandDefinition(
            $"SELECT {Columns} FROM chat_user WHERE id = @user;", new { user }, cancellationToken: ct));
    }

    public const int FindLimit = 10;

    /// <summary>Users called <paramref name="username"/> (case-insensitive), oldest first.</summary>
    public async Task<IReadOnlyList<Profile>> FindByUsernameAsync(string username, CancellationToken ct)
    {
        await using DbConnection connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<Profile>(new CommandDefinition(
            $"SELECT {Columns} FROM chat_user WHERE LOWER(username) = LOWER(@username) ORDER BY created_at, id LIMIT {FindLimit};",
            new { username }, cancellationToken: ct))).AsList();
    }

    /// <summary>Sets the given fields (null = unchanged).</summary>
    public async Task<Profile> UpdateAsync(string user, string? username, string? avatarUrl, CancellationToken ct)
    {
        await using DbConnection connection = await database.OpenAsync(ct);
        return await connection.QuerySingleAsync<Profile>(new CommandDefinition(
            $"UPDATE chat_user SET username = COALESCE(@username, username), avatar_url = COALESCE(@avatarUrl, avatar_url) " +
            $"WHERE id = @user RETURNING {Columns};",
            new { user, username, avatarUrl }, cancellationToken: ct));
    }

    public static Task<bool> ExistsAsync(DbConnection connection, DbTransaction transaction, string user, CancellationToken ct) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM chat_user WHERE id = @user);", new { user }, transaction, cancellationToken: ct));
}
