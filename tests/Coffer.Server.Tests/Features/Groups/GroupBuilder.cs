using System.Data.Common;
using System.Text.Json.Nodes;
using Coffer.Protocol.Groups;
using Coffer.Server.Data;
using Coffer.Server.Features.Groups;
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
    /// A normal group created by <paramref name="creator"/> (rank 0) through the server's own creation SQL, with
    /// <paramref name="keys"/> keys (the extra ones as if made by rotations, each with the creator's copy).
    /// <paramref name="parent"/> makes it a child (creator row = the parent, type 1).
    /// </summary>
    public async Task<TestGroup> CreateAsync(string creator, int keys = 1, bool connected = false, string? parent = null)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        long now = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        return await Database.InTransactionAsync(async (c, tx) =>
        {
            GroupStore.CreatedGroup created = await GroupStore.CreateAsync(
                c, tx, app.App.App, GroupKind.Normal, CreateData("k0"), parent ?? creator, "creator-public-key", now);
            string group = created.Group.Value;
            await c.ExecuteAsync(
                "UPDATE grp SET is_connected = @connected, parent_id = @parent WHERE id = @group", new { connected, parent, group }, tx);
            if (parent is not null)
            {
                await c.ExecuteAsync("UPDATE group_member SET member_type = 1 WHERE group_id = @group", new { group }, tx);
            }

            var ids = new List<string> { created.Key.Value };
            for (int i = 1; i < keys; i++)
            {
                string key = NewId.Uuid();
                ids.Add(key);
                await c.ExecuteAsync(
                    """
                    INSERT INTO group_key (id, group_id, app_id, created_at, group_key_alg, keypair_encrypt_alg, public_key, encrypted_private_key)
                    VALUES (@key, @group, @app, @time, 'AES-GCM-256', 'ECIES-ed25519_KYBER_768', 'pk', 'sk')
                    """,
                    new { key, group, app = app.App.App.Value, time = now + i }, tx);
                await c.ExecuteAsync(
                    """
                    INSERT INTO member_key (key_id, member_id, group_id, encrypted_group_key, encrypted_alg, encrypted_by_key_id, created_at)
                    VALUES (@key, @member, @group, 'enc', 'alg', 'creator-public-key', @time)
                    """,
                    new { key, member = parent ?? creator, group, time = now + i }, tx);
            }

            await c.ExecuteAsync("UPDATE grp SET current_key_id = @key WHERE id = @group", new { key = ids[^1], group }, tx);
            return new TestGroup(group, ids);
        }, ct);
    }

    public static CreateData CreateData(string tag) => new(
        "enc-group-key-" + tag, "AES-GCM-256", "ECIES-ed25519_KYBER_768", "enc-private-" + tag, "public-" + tag,
        "ECIES-ed25519_KYBER_768", "creator-public-key", "enc-hmac", "HMAC-SHA256", "enc-sortable", "OPE-16");

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
