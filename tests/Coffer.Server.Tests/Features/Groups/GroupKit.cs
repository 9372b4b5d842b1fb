using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Features.Groups;

/// <summary>
/// Builders for group tests: create bodies from the official client's vector (sentc_wasm 0.15 group.json, signed by
/// alice), the group calls, and direct SQL for rows whose endpoints belong to other branches (members, keys, rotations).
/// </summary>
public static class GroupKit
{
    private static readonly Lazy<JsonDocument> Vector = new(() => JsonDocument.Parse(File.ReadAllText(
        Path.Combine(Bodies.VectorFolder(), "sentc-wasm-0.15", "group.json"))));

    /// <summary>The official create body (CreateData) with <paramref name="creatorPublicKeyId"/>; unsigned keeps only the 11 required fields.</summary>
    public static string CreateBody(string creatorPublicKeyId, bool signed = true)
    {
        JsonObject body = JsonNode.Parse(Vector.Value.RootElement.GetProperty("create_body").GetString()!)!.AsObject();
        body["creator_public_key_id"] = creatorPublicKeyId;
        if (!signed)
        {
            HashSet<string> keep = [.. Vector.Value.RootElement.GetProperty("create_body_unsigned_fields").EnumerateArray().Select(f => f.GetString()!)];
            foreach (string field in body.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList())
            {
                body.Remove(field);
            }
        }

        return body.ToJsonString();
    }

    public static JsonElement CreateBodyJson(string creatorPublicKeyId) => JsonDocument.Parse(CreateBody(creatorPublicKeyId)).RootElement;

    /// <summary>The user's newest public key id (what the client puts into creator_public_key_id).</summary>
    public static async Task<string> PublicKeyIdAsync(TestApp app, TestUser user)
    {
        ApiAnswer answer = await app.SendAsync(HttpMethod.Get, $"/user/{user.UserId}/public_key");
        Assert.True(answer.Ok, answer.Text);
        return answer.Result.GetProperty("public_key_id").GetString()!;
    }

    public static async Task<string> CreateAsync(TestApp app, TestUser user)
    {
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/group", CreateBody(await PublicKeyIdAsync(app, user)), jwt: user.Jwt);
        Assert.True(answer.Ok, answer.Text);
        return answer.Result.GetProperty("group_id").GetString()!;
    }

    /// <summary>POST /group/:gid/child or /connected as <paramref name="user"/> (keys encrypted for the group's newest key).</summary>
    public static async Task<string> CreateUnderAsync(TestApp app, TestUser user, string group, string kind, string? accessGroup = null)
    {
        string keyId = await CurrentKeyAsync(app, group);
        ApiAnswer answer = await app.SendGroupAsync(HttpMethod.Post, $"/group/{group}/{kind}", CreateBody(keyId), user.Jwt, accessGroup);
        Assert.True(answer.Ok, answer.Text);
        return answer.Result.GetProperty("group_id").GetString()!;
    }

    /// <summary>A request with the <c>x-sentc-group-access-id</c> header (when given).</summary>
    public static async Task<ApiAnswer> SendGroupAsync(
        this TestApp app, HttpMethod method, string path, string? body, string? jwt, string? accessGroup = null, string? appToken = null)
    {
        using var request = new HttpRequestMessage(method, "/api/v1" + path);
        request.Headers.TryAddWithoutValidation(Coffer.Server.Auth.RequestAuthMiddleware.AppTokenHeader, appToken ?? app.PublicToken);
        if (jwt is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + jwt);
        }

        if (accessGroup is not null)
        {
            request.Headers.TryAddWithoutValidation("x-sentc-group-access-id", accessGroup);
        }

        request.Content = new StringContent(body ?? "", System.Text.Encoding.UTF8, "application/json");
        return await TestApp.ReadAsync(await app.Client.SendAsync(request, TestContext.Current.CancellationToken));
    }

    public static async Task<DbConnection> OpenAsync(TestApp app) =>
        await app.Services.GetRequiredService<Database>().OpenAsync(TestContext.Current.CancellationToken);

    public static async Task<string> CurrentKeyAsync(TestApp app, string group)
    {
        await using DbConnection c = await OpenAsync(app);
        return await c.ExecuteScalarAsync<string>("SELECT current_key_id FROM grp WHERE id = @group", new { group }) ?? "";
    }

    /// <summary>
    /// A direct member row (what an accepted invite or auto-invite creates, branch groups-members) plus the member's
    /// copy of every key of the group.
    /// </summary>
    public static async Task AddMemberAsync(TestApp app, string group, string member, int rank, int type = 0, long? joined = null)
    {
        await using DbConnection c = await OpenAsync(app);
        long at = joined ?? app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        await c.ExecuteAsync(
            "INSERT INTO group_member (group_id, member_id, member_type, rank, joined_at) VALUES (@group, @member, @type, @rank, @at)",
            new { group, member, type, rank, at });
        await c.ExecuteAsync(
            """
            INSERT INTO member_key (key_id, member_id, group_id, encrypted_group_key, encrypted_alg, encrypted_by_key_id, created_at)
            SELECT id, @member, @group, 'copy-for-' || @member, 'ECIES-ed25519_KYBER_768', 'pk-of-' || @member, @at FROM group_key WHERE group_id = @group
            """,
            new { group, member, at });
    }

    /// <summary>A further group key (as a finished rotation leaves it) with copies for the given members; becomes the current key.</summary>
    public static async Task<string> AddKeyAsync(TestApp app, string group, long createdAt, params string[] members)
    {
        await using DbConnection c = await OpenAsync(app);
        string key = Guid.NewGuid().ToString("D");
        await c.ExecuteAsync(
            """
            INSERT INTO group_key (id, group_id, app_id, created_at, group_key_alg, keypair_encrypt_alg, public_key, encrypted_private_key, public_key_sig_key_id)
            SELECT @key, id, app_id, @createdAt, 'AES-GCM-256', 'ECIES-ed25519_KYBER_768', 'pub-' || @key, 'priv-' || @key, @key FROM grp WHERE id = @group;
            UPDATE grp SET current_key_id = @key WHERE id = @group;
            """,
            new { key, group, createdAt });
        foreach (string member in members)
        {
            await c.ExecuteAsync(
                """
                INSERT INTO member_key (key_id, member_id, group_id, encrypted_group_key, encrypted_alg, encrypted_by_key_id, created_at)
                VALUES (@key, @member, @group, 'copy-' || @key, 'ECIES-ed25519_KYBER_768', 'pk', @createdAt)
                """,
                new { key, member, group, createdAt });
        }

        return key;
    }

    /// <summary>A pending rotation row for (key, member), as the rotation fan-out writes it.</summary>
    public static async Task AddPendingRotationAsync(TestApp app, string group, string key, string member)
    {
        await using DbConnection c = await OpenAsync(app);
        await c.ExecuteAsync(
            """
            INSERT INTO rotation_pending (key_id, member_id, group_id, encrypted_ephemeral_key, encrypted_by_key_id, error, created_at)
            VALUES (@key, @member, @group, 'eph', 'pk', NULL, 1)
            """,
            new { key, member, group });
    }

    public static async Task<string> ScalarAsync(TestApp app, string sql, object? args = null)
    {
        await using DbConnection c = await OpenAsync(app);
        return await c.ExecuteScalarAsync<string>(sql, args) ?? "";
    }

    public static async Task<long> CountAsync(TestApp app, string sql, object? args = null)
    {
        await using DbConnection c = await OpenAsync(app);
        return await c.ExecuteScalarAsync<long>(sql, args);
    }
}
