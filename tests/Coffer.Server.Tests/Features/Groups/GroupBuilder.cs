using System.Data.Common;
using System.Text.Json.Nodes;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Features.Groups;

/// <summary>A group made for a test: its id and its key ids, oldest first.</summary>
public sealed record TestGroup(string Id, IReadOnlyList<string> KeyIds);

/// <summary>
/// Explicit builders for membership tests: groups with a chosen number of keys (opaque key material; the server never
/// opens it), parents, connected groups, and direct reads of the membership tables.
/// </summary>
public sealed class GroupBuilder(TestApp app)
{
    private Database Database => app.Services.GetRequiredService<Database>();

    /// <summary>
    /// A normal group created by <paramref name="creator"/> through POST /group (the official client's body), with
    /// <paramref name="keys"/> keys in all (the extra ones as finished rotations leave them, with the creator's copy).
    /// </summary>
    public async Task<TestGroup> CreateAsync(TestUser creator, int keys = 1) =>
        await WithKeysAsync(await GroupKit.CreateAsync(app, creator), creator.UserId, keys);

    /// <summary>A child (<c>kind</c> "child") or connected group ("connected") of <paramref name="parent"/>, made through the API.</summary>
    public async Task<TestGroup> CreateUnderAsync(TestUser creator, TestGroup parent, string kind, int keys = 1) =>
        await WithKeysAsync(await GroupKit.CreateUnderAsync(app, creator, parent.Id, kind), parent.Id, keys);

    private async Task<TestGroup> WithKeysAsync(string group, string keyHolder, int keys)
    {
        var ids = new List<string> { await GroupKit.CurrentKeyAsync(app, group) };
        long now = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        for (int i = 1; i < keys; i++)
        {
            ids.Add(await GroupKit.AddKeyAsync(app, group, now + i, keyHolder));
        }

        return new TestGroup(group, ids);
    }

    /// <summary>A direct member row (and a copy of every key) written straight into the tables.</summary>
    public async Task AddMemberAsync(TestGroup group, string member, int rank, int type = 0)
    {
        long now = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using DbConnection c = await Database.OpenAsync(TestContext.Current.CancellationToken);
        await c.ExecuteAsync(
            "INSERT INTO group_member (group_id, member_id, member_type, rank, joined_at) VALUES (@group, @member, @type, @rank, @now)",
            new { group = group.Id, member, type, rank, now });
        foreach (string key in group.KeyIds)
        {
            await c.ExecuteAsync(
                """
                INSERT INTO member_key (key_id, member_id, group_id, encrypted_group_key, encrypted_alg, encrypted_by_key_id, created_at)
                VALUES (@key, @member, @group, 'enc', 'alg', 'pk', @now)
                """,
                new { key, member, group = group.Id, now });
        }
    }

    /// <summary>A pending rotation row for a member (as the rotation fan-out writes it).</summary>
    public async Task AddPendingRotationAsync(TestGroup group, string member)
    {
        await using DbConnection c = await Database.OpenAsync(TestContext.Current.CancellationToken);
        await c.ExecuteAsync(
            """
            INSERT INTO rotation_pending (key_id, member_id, group_id, encrypted_ephemeral_key, encrypted_by_key_id, error, created_at)
            VALUES (@key, @member, @group, 'eph', 'pk', NULL, 1)
            """,
            new { key = group.KeyIds[^1], member, group = group.Id });
    }

    public async Task SetInviteOpenAsync(TestGroup group, bool open)
    {
        await using DbConnection c = await Database.OpenAsync(TestContext.Current.CancellationToken);
        await c.ExecuteAsync("UPDATE grp SET invite_open = @open WHERE id = @group", new { open, group = group.Id });
    }

    public async Task<long> CountAsync(string sql, object? args = null)
    {
        await using DbConnection c = await Database.OpenAsync(TestContext.Current.CancellationToken);
        return await c.ExecuteScalarAsync<long>(sql, args);
    }

    /// <summary>The direct member row of <paramref name="member"/>: (rank, type), or null.</summary>
    public async Task<(int Rank, int Type)?> MemberAsync(TestGroup group, string member)
    {
        await using DbConnection c = await Database.OpenAsync(TestContext.Current.CancellationToken);
        MemberRow? row = await c.QuerySingleOrDefaultAsync<MemberRow?>(
            "SELECT rank AS Rank, member_type AS Type FROM group_member WHERE group_id = @group AND member_id = @member",
            new { group = group.Id, member });
        return row is null ? null : (row.Rank, row.Type);
    }

    public Task<long> KeyRowsAsync(TestGroup group, string member) =>
        CountAsync("SELECT COUNT(*) FROM member_key WHERE group_id = @group AND member_id = @member", new { group = group.Id, member });

    public Task<long> RequestsAsync(TestGroup group, string member, int kind) =>
        CountAsync(
            "SELECT COUNT(*) FROM membership_request WHERE group_id = @group AND member_id = @member AND kind = @kind",
            new { group = group.Id, member, kind });

    /// <summary>A GroupKeysForNewMemberServerInput body for the given keys.</summary>
    public static string KeysBody(IEnumerable<string> keyIds, bool keySession = false, int? rank = null) =>
        new JsonObject { ["keys"] = Bodies.Keys(keyIds), ["rank"] = rank, ["key_session"] = keySession }.ToJsonString();

    /// <summary>The body of the key-session endpoints: a bare GroupKeysForNewMember array.</summary>
    public static string KeysArray(IEnumerable<string> keyIds) => Bodies.Keys(keyIds).ToJsonString();

    /// <summary>The member's copy of one group key (<c>encrypted_group_key</c>), or null.</summary>
    public async Task<string?> KeyCopyAsync(TestGroup group, string key, string member)
    {
        await using DbConnection c = await Database.OpenAsync(TestContext.Current.CancellationToken);
        return await c.QuerySingleOrDefaultAsync<string?>(
            "SELECT encrypted_group_key FROM member_key WHERE group_id = @group AND key_id = @key AND member_id = @member",
            new { group = group.Id, key, member });
    }

    public static string KeysBody(TestGroup group, int? rank = null) => KeysBody(group.KeyIds, rank: rank);

    public static string LightBody(int? rank = null) => new JsonObject { ["rank"] = rank }.ToJsonString();

    /// <summary>Registers a user without logging in (a target that never calls the API itself).</summary>
    public async Task<string> RegisterOnlyAsync(string identifier)
    {
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/register", Bodies.Register(identifier), appToken: app.SecretToken);
        Assert.True(answer.Ok, answer.Text);
        return answer.Result.GetProperty("user_id").GetString()!;
    }

    private sealed class MemberRow
    {
        public int Rank { get; set; }

        public int Type { get; set; }
    }
}
