using System.Net;
using System.Text.Json;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Groups;

/// <summary>POST /group (+ light), GET /group/:gid (+ light): api.md §4.5, §4.19.</summary>
public sealed class GroupCreateTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task Create_ThenFetch_ReturnsTheCreatorsViewOfTheGroup(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string publicKeyId = await GroupKit.PublicKeyIdAsync(app, alice);
        long now = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        JsonElement sent = GroupKit.CreateBodyJson(publicKeyId);

        ApiAnswer created = await app.SendAsync(HttpMethod.Post, "/group", GroupKit.CreateBody(publicKeyId), jwt: alice.Jwt);
        Assert.True(created.Ok, created.Text);
        string group = created.Result.GetProperty("group_id").GetString()!;
        Assert.True(NewId.IsUuid(group));

        ApiAnswer fetched = await app.SendAsync(HttpMethod.Get, $"/group/{group}", jwt: alice.Jwt);
        Assert.True(fetched.Ok, fetched.Text);
        JsonElement data = fetched.Result;
        Assert.Equal(group, data.GetProperty("group_id").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("parent_group_id").ValueKind);
        Assert.Equal(("User", 0, false, false), (
            data.GetProperty("access_by").GetString(), data.GetProperty("rank").GetInt32(),
            data.GetProperty("key_update").GetBoolean(), data.GetProperty("is_connected_group").GetBoolean()));
        Assert.Equal((now, now), (data.GetProperty("created_time").GetInt64(), data.GetProperty("joined_time").GetInt64()));

        JsonElement key = Assert.Single(data.GetProperty("keys").EnumerateArray());
        string keyId = key.GetProperty("group_key_id").GetString()!;
        Assert.True(NewId.IsUuid(keyId));
        Assert.Equal(keyId, key.GetProperty("key_pair_id").GetString());
        Assert.Equal(keyId, key.GetProperty("keypair_sign_id").GetString());
        Assert.Equal(keyId, key.GetProperty("public_key_sig_key_id").GetString());
        Assert.Equal(publicKeyId, key.GetProperty("user_public_key_id").GetString());
        Assert.Equal(now, key.GetProperty("time").GetInt64());
        foreach ((string output, string input) in new[]
        {
            ("encrypted_group_key", "encrypted_group_key"), ("group_key_alg", "group_key_alg"),
            ("encrypted_private_group_key", "encrypted_private_group_key"), ("public_group_key", "public_group_key"),
            ("keypair_encrypt_alg", "keypair_encrypt_alg"), ("signed_by_user_id", "signed_by_user_id"),
            ("signed_by_user_sign_key_id", "signed_by_user_sign_key_id"), ("group_key_sig", "group_key_sig"),
        })
        {
            Assert.Equal(sent.GetProperty(input).GetString(), key.GetProperty(output).GetString());
        }

        // Normal groups have no sign pair: those fields are omitted, not null.
        Assert.False(key.TryGetProperty("verify_key", out _));
        Assert.False(key.TryGetProperty("public_key_sig", out _));

        JsonElement hmac = Assert.Single(data.GetProperty("hmac_keys").EnumerateArray());
        Assert.Equal(sent.GetProperty("encrypted_hmac_key").GetString(), hmac.GetProperty("encrypted_hmac_key").GetString());
        Assert.Equal("HMAC-SHA256", hmac.GetProperty("encrypted_hmac_alg").GetString());
        Assert.Equal(keyId, hmac.GetProperty("encrypted_hmac_encryption_key_id").GetString());
        JsonElement sortable = Assert.Single(data.GetProperty("sortable_keys").EnumerateArray());
        Assert.Equal(sent.GetProperty("encrypted_sortable_key").GetString(), sortable.GetProperty("encrypted_sortable_key").GetString());
        Assert.Equal(keyId, sortable.GetProperty("encrypted_sortable_encryption_key_id").GetString());

        Assert.Equal(keyId, await GroupKit.CurrentKeyAsync(app, group));
        Assert.Equal(1, await GroupKit.CountAsync(app, "SELECT COUNT(*) FROM group_key WHERE id = @keyId AND public_key_sig_key_id = @keyId", new { keyId }));
        Assert.Equal(1, await GroupKit.CountAsync(
            app, "SELECT COUNT(*) FROM group_member WHERE group_id = @group AND member_id = @user AND member_type = 0 AND rank = 0",
            new { group, user = alice.UserId }));
    }

    [Theory, Databases]
    public async Task Create_UnsignedBody_IsAcceptedAndOmitsSignatureFields(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer created = await app.SendAsync(
            HttpMethod.Post, "/group", GroupKit.CreateBody(await GroupKit.PublicKeyIdAsync(app, alice), signed: false), jwt: alice.Jwt);
        Assert.True(created.Ok, created.Text);
        ApiAnswer fetched = await app.SendAsync(HttpMethod.Get, $"/group/{created.Result.GetProperty("group_id").GetString()}", jwt: alice.Jwt);
        JsonElement key = Assert.Single(fetched.Result.GetProperty("keys").EnumerateArray());
        Assert.False(key.TryGetProperty("signed_by_user_id", out _));
        Assert.False(key.TryGetProperty("group_key_sig", out _));
    }

    [Theory, Databases]
    public async Task Create_BadRequests_AnswerTheProtocolErrors(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string body = GroupKit.CreateBody("k");

        ApiAnswer noJwt = await app.SendAsync(HttpMethod.Post, "/group", body);
        Assert.Equal((HttpStatusCode.Unauthorized, 31), (noJwt.Status, noJwt.ErrCode));
        ApiAnswer noToken = await app.SendAsync(HttpMethod.Post, "/group", body, jwt: alice.Jwt, noAppToken: true);
        Assert.Equal((HttpStatusCode.Unauthorized, 200), (noToken.Status, noToken.ErrCode));
        ApiAnswer missingField = await app.SendAsync(HttpMethod.Post, "/group", """{"encrypted_group_key":"x"}""", jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, 11), (missingField.Status, missingField.ErrCode));
        ApiAnswer notJson = await app.SendAsync(HttpMethod.Post, "/group", "{", jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, 11), (notJson.Status, notJson.ErrCode));
        Assert.Equal(0, await GroupKit.CountAsync(app, "SELECT COUNT(*) FROM grp WHERE kind = 0"));
    }

    [Theory, Databases]
    public async Task Fetch_WithoutAccess_Answers310AndBadIdsAnswer1(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        string group = await GroupKit.CreateAsync(app, alice);

        Assert.Equal(310, (await app.SendAsync(HttpMethod.Get, $"/group/{group}", jwt: bob.Jwt)).ErrCode);
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Get, $"/group/{Guid.NewGuid():D}", jwt: alice.Jwt)).ErrCode);
        Assert.Equal(1, (await app.SendAsync(HttpMethod.Get, "/group/not-a-uuid", jwt: alice.Jwt)).ErrCode);
        Assert.Equal(1, (await app.SendGroupAsync(HttpMethod.Get, $"/group/{group}", null, alice.Jwt, accessGroup: "nope")).ErrCode);

        // The user group is never reachable as a group (§3).
        string userGroup = await GroupKit.ScalarAsync(app, "SELECT user_group_id FROM app_user WHERE id = @id", new { id = alice.UserId });
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Get, $"/group/{userGroup}", jwt: alice.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task CreateLight_MakesAKeylessGroup_FetchLightShowsTheAccess(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer created = await app.SendAsync(HttpMethod.Post, "/group/light", jwt: alice.Jwt);
        Assert.True(created.Ok, created.Text);
        string group = created.Result.GetProperty("group_id").GetString()!;
        Assert.Equal(0, await GroupKit.CountAsync(app, "SELECT COUNT(*) FROM group_key WHERE group_id = @group", new { group }));

        long now = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        ApiAnswer light = await app.SendAsync(HttpMethod.Get, $"/group/{group}/light", jwt: alice.Jwt);
        Assert.Equal(
            $$$"""{"status":true,"result":{"group_id":"{{{group}}}","parent_group_id":null,"rank":0,"created_time":{{{now}}},"joined_time":{{{now}}},"access_by":"User","is_connected_group":false}}""",
            light.Text);
        ApiAnswer full = await app.SendAsync(HttpMethod.Get, $"/group/{group}", jwt: alice.Jwt);
        Assert.Equal(0, full.Result.GetProperty("keys").GetArrayLength());
    }
}
