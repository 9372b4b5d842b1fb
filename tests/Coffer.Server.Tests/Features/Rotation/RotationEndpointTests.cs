using System.Data.Common;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Crypto;
using Coffer.Server.Data;
using Coffer.Server.Features.Rotation;
using Coffer.Server.Tests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static Coffer.Server.Tests.Features.Rotation.RotationClient;

namespace Coffer.Server.Tests.Features.Rotation;

/// <summary>Group and user key rotation through the API (api.md §4.3, §4.11, §6) with keys made by Coffer.Crypto.</summary>
public sealed class RotationEndpointTests(TestDatabases databases)
{
    private static readonly byte[] OldText = Encoding.UTF8.GetBytes("written before the rotation");
    private static readonly byte[] NewText = Encoding.UTF8.GetBytes("written after the rotation");

    [Theory, Databases]
    public async Task GroupRotation_EveryRemainingMemberFinishes_AndReadsOldAndNewData(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        using KeyedUser alice = await RegisterAsync(app, "alice");
        using KeyedUser bob = await RegisterAsync(app, "bob");
        using KeyedUser carol = await RegisterAsync(app, "carol");
        using KeyedUser eve = await RegisterAsync(app, "eve");
        KeyedGroup group = await CreateGroupAsync(app, alice, bob, carol, eve);
        byte[] oldData = group.Key.Encrypt(OldText);
        ApiAnswer kicked = await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/kick/{eve.UserId}", jwt: alice.Jwt);
        Assert.True(kicked.Ok, kicked.Text);

        (JsonObject body, SymmetricKey newKey, _) = RotationBody(group.Key, group.KeyId, alice.PublicKey, alice.UserKeyId);
        ApiAnswer started = await app.SendAsync(HttpMethod.Post, $"/group/{group.Id}/key_rotation", body.ToJsonString(), jwt: alice.Jwt);
        Assert.True(started.Ok, started.Text);
        Assert.Equal(["group_id", "key_id"], started.Result.EnumerateObject().Select(p => p.Name));
        string key = started.Result.GetProperty("key_id").GetString()!;
        Assert.Equal(group.Id, started.Result.GetProperty("group_id").GetString());

        // The invoker's copy exists when POST returns (the client fetches it at once, §4.11).
        Assert.NotNull(await MemberKeyAsync(app, key, alice.UserId));

        JsonElement progress = await AwaitFinishedAsync(app, $"/group/{group.Id}/key_rotation/{key}/progress", alice.Jwt);
        Assert.Equal(["key_id", "group_id", "total", "done", "started", "finished", "status"], progress.EnumerateObject().Select(p => p.Name));
        Assert.Equal((2L, 2L), (progress.GetProperty("total").GetInt64(), progress.GetProperty("done").GetInt64()));
        Assert.True(progress.GetProperty("finished").GetInt64() >= progress.GetProperty("started").GetInt64());
        Assert.Equal(key, progress.GetProperty("key_id").GetString());

        await using (DbConnection c = await OpenAsync(app))
        {
            Assert.Null(await c.ExecuteScalarAsync<string?>("SELECT encrypted_ephemeral_key FROM group_key WHERE id = @key", new { key }));
            Assert.Equal(new[] { bob.UserId, carol.UserId }.Order(), (await c.QueryAsync<string>(
                "SELECT member_id FROM rotation_pending WHERE key_id = @key ORDER BY member_id", new { key })).Order());
        }

        byte[] newData = newKey.Encrypt(NewText);
        foreach (KeyedUser member in (KeyedUser[])[bob, carol])
        {
            ApiAnswer pending = await app.SendAsync(HttpMethod.Get, $"/group/{group.Id}/key_rotation", jwt: member.Jwt);
            Assert.True(pending.Ok, pending.Text);
            JsonElement rotation = Assert.Single(pending.Result.EnumerateArray());
            Assert.Equal(
                ["error", "encrypted_ephemeral_key_by_group_key_and_public_key", "encrypted_group_key_by_ephemeral", "ephemeral_alg",
                    "encrypted_eph_key_key_id", "previous_group_key_id", "time", "new_group_key_id"],
                rotation.EnumerateObject().Select(p => p.Name));
            Assert.Equal(JsonValueKind.Null, rotation.GetProperty("error").ValueKind);
            Assert.Equal(member.UserKeyId, rotation.GetProperty("encrypted_eph_key_key_id").GetString());
            Assert.Equal(group.KeyId, rotation.GetProperty("previous_group_key_id").GetString());
            Assert.Equal(key, rotation.GetProperty("new_group_key_id").GetString());

            using SymmetricKey opened = OpenRotation(rotation, member.PrivateKey, group.Key);
            Assert.Equal(NewText, opened.Decrypt(newData));
            string done = DoneBody(opened, member.PublicKey, member.UserKeyId);
            for (int i = 0; i < 2; i++)
            {
                ApiAnswer finished = await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/key_rotation/{key}", done, jwt: member.Jwt);
                Assert.Equal("Success", finished.Result.GetString());
            }

            Assert.Empty((await app.SendAsync(HttpMethod.Get, $"/group/{group.Id}/key_rotation", jwt: member.Jwt)).Result.EnumerateArray());
            // The stored copies: the new key reads new data, the old key still reads old data.
            using SymmetricKey stored = member.PrivateKey.UnwrapSymmetricKey(Convert.FromBase64String((await MemberKeyAsync(app, key, member.UserId))!), key);
            Assert.Equal(NewText, stored.Decrypt(newData));
            using SymmetricKey old = member.PrivateKey.UnwrapSymmetricKey(Convert.FromBase64String((await MemberKeyAsync(app, group.KeyId, member.UserId))!), group.KeyId);
            Assert.Equal(OldText, old.Decrypt(oldData));
        }

        using SymmetricKey invokerCopy = alice.PrivateKey.UnwrapSymmetricKey(Convert.FromBase64String((await MemberKeyAsync(app, key, alice.UserId))!), key);
        Assert.Equal(NewText, invokerCopy.Decrypt(newData));

        // Eve, kicked before the rotation, reaches the new key through no endpoint and holds no row for it.
        string done2 = DoneBody(newKey, eve.PublicKey, eve.UserKeyId);
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Get, $"/group/{group.Id}/key_rotation", jwt: eve.Jwt)).ErrCode);
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/key_rotation/{key}", done2, jwt: eve.Jwt)).ErrCode);
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Post, $"/group/{group.Id}/key_rotation", body.ToJsonString(), jwt: eve.Jwt)).ErrCode);
        Assert.Equal(310, (await GetExtensionAsync(app, $"/group/{group.Id}/key_rotation/{key}/progress", eve.Jwt)).ErrCode);
        Assert.Empty((await app.SendAsync(HttpMethod.Get, "/user/user_keys/rotation", jwt: eve.Jwt)).Result.EnumerateArray());
        await using (DbConnection c = await OpenAsync(app))
        {
            Assert.Equal(0L, await c.ExecuteScalarAsync<long>(
                "SELECT (SELECT COUNT(*) FROM rotation_pending WHERE member_id = @eve) + (SELECT COUNT(*) FROM member_key WHERE member_id = @eve AND key_id = @key)",
                new { eve = eve.UserId, key }));
        }

        // §8 #19: a key of another group (or no key) is not accepted by finish.
        KeyedGroup other = await CreateGroupAsync(app, alice);
        string bobDone = DoneBody(newKey, bob.PublicKey, bob.UserKeyId);
        ApiAnswer foreign = await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/key_rotation/{other.KeyId}", bobDone, jwt: bob.Jwt);
        Assert.Equal((HttpStatusCode.BadRequest, 304), (foreign.Status, foreign.ErrCode));
        Assert.Null(await MemberKeyAsync(app, other.KeyId, bob.UserId));
        Assert.Equal(304, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/key_rotation/{Guid.NewGuid()}", bobDone, jwt: bob.Jwt)).ErrCode);
        Assert.Equal(304, (await GetExtensionAsync(app, $"/group/{group.Id}/key_rotation/{other.KeyId}/progress", alice.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task GroupRotation_EnforcesMinimumRankMonthlyCapAndIdFormat(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        using KeyedUser alice = await RegisterAsync(app, "alice");
        using KeyedUser bob = await RegisterAsync(app, "bob");
        KeyedGroup group = await CreateGroupAsync(app, alice, bob);
        string Body(KeyedUser by) => RotationBody(group.Key, group.KeyId, by.PublicKey, by.UserKeyId).Body.ToJsonString();

        // Default minimum rank 4: any member may rotate.
        Assert.True((await app.SendAsync(HttpMethod.Post, $"/group/{group.Id}/key_rotation", Body(bob), jwt: bob.Jwt)).Ok);

        await using (DbConnection c = await OpenAsync(app))
        {
            await c.ExecuteAsync("UPDATE app SET min_rank_key_rotation = 1, max_key_rotation_month = 3 WHERE id = @id", new { id = app.App.App.Value });
        }

        ApiAnswer weak = await app.SendAsync(HttpMethod.Post, $"/group/{group.Id}/key_rotation", Body(bob), jwt: bob.Jwt);
        Assert.Equal((HttpStatusCode.BadRequest, 301), (weak.Status, weak.ErrCode));

        JsonObject badId = RotationBody(group.Key, group.KeyId, alice.PublicKey, alice.UserKeyId).Body;
        badId["previous_group_key_id"] = "not-a-uuid";
        Assert.Equal(1, (await app.SendAsync(HttpMethod.Post, $"/group/{group.Id}/key_rotation", badId.ToJsonString(), jwt: alice.Jwt)).ErrCode);
        badId.Remove("previous_group_key_id");
        Assert.Equal(11, (await app.SendAsync(HttpMethod.Post, $"/group/{group.Id}/key_rotation", badId.ToJsonString(), jwt: alice.Jwt)).ErrCode);

        // Counted at start: bob's rotation and two of alice's reach the cap of 3; the fourth is refused.
        for (int i = 0; i < 2; i++)
        {
            ApiAnswer ok = await app.SendAsync(HttpMethod.Post, $"/group/{group.Id}/key_rotation", Body(alice), jwt: alice.Jwt);
            Assert.True(ok.Ok, ok.Text);
        }

        ApiAnswer capped = await app.SendAsync(HttpMethod.Post, $"/group/{group.Id}/key_rotation", Body(alice), jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.BadRequest, 321), (capped.Status, capped.ErrCode));
        await using (DbConnection c = await OpenAsync(app))
        {
            Assert.Equal(4L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM group_key WHERE group_id = @g", new { g = group.Id }));
        }

        Assert.Equal(404, (await app.SendAsync(HttpMethod.Post, $"/group/{group.Id}/key_rotation/x", Body(alice), jwt: alice.Jwt)).ErrCode);
        Assert.Equal(1, (await app.SendAsync(HttpMethod.Post, "/group/nope/key_rotation", Body(alice), jwt: alice.Jwt)).ErrCode);
    }

    /// <summary>docs/openapi/coffer-extensions.yaml lists exactly the routes served under /api/coffer/v1.</summary>
    [Fact]
    public async Task OpenApiDocument_ListsEveryExtensionRoute()
    {
        await using TestApp app = await TestApp.StartAsync(DatabaseKind.Sqlite, databases);
        string prefix = RotationEndpoints.ExtensionPrefix;
        List<string> served = [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Where(p => p.StartsWith(prefix + "/", StringComparison.Ordinal))
            .Select(p => p[prefix.Length..]).Order()];
        string folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "Coffer.slnx")))
        {
            folder = Path.GetDirectoryName(folder) ?? throw new InvalidOperationException("repository root not found");
        }

        string[] lines = File.ReadAllLines(Path.Combine(folder, "docs", "openapi", "coffer-extensions.yaml"));
        Assert.Contains($"  - url: http://127.0.0.1:8080{prefix}", lines);
        List<string> documented = [.. lines.Where(l => l.StartsWith("  /", StringComparison.Ordinal) && l.EndsWith(':')).Select(l => l.Trim().TrimEnd(':')).Order()];
        Assert.Equal(2, served.Count);
        Assert.Equal(served, documented);
    }

    [Fact]
    public void MonthStart_IsTheFirstOfTheMonthUtc()
    {
        var now = new DateTimeOffset(2026, 3, 31, 23, 59, 0, TimeSpan.FromHours(-5)); // 1 April 04:59 UTC
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), RotationRules.MonthStart(now));
    }

    [Theory, Databases]
    public async Task UserKeyRotation_OtherDeviceFinishes_AndTheNewKeyBecomesThePublicKey(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        using KeyedUser alice = await RegisterAsync(app, "alice");
        using var phone = new ClientRegistration("alice-phone", "phone pw " + Guid.NewGuid());
        (string phoneDevice, string phoneJwt) = await AddDeviceAsync(app, alice, phone);
        using var tablet = new ClientRegistration("alice-tablet", "tablet pw " + Guid.NewGuid());
        (string tabletDevice, _) = await AddDeviceAsync(app, alice, tablet);
        PublicKey laptopKey = alice.Registration.DevicePrivateKey.GetPublicKey();

        (JsonObject noSignKeys, _, _) = RotationBody(alice.Registration.UserGroupKey, alice.UserKeyId, laptopKey, alice.DeviceId);
        Assert.Equal(117, (await app.SendAsync(HttpMethod.Post, "/user/user_keys/rotation", noSignKeys.ToJsonString(), jwt: alice.Jwt)).ErrCode);

        (JsonObject body, SymmetricKey newKey, _) = RotationBody(
            alice.Registration.UserGroupKey, alice.UserKeyId, laptopKey, alice.DeviceId, userKeys: true);
        ApiAnswer started = await app.SendAsync(HttpMethod.Post, "/user/user_keys/rotation", body.ToJsonString(), jwt: alice.Jwt);
        Assert.True(started.Ok, started.Text);
        string key = started.Result.GetProperty("key_id").GetString()!;
        JsonElement progress = await AwaitFinishedAsync(app, $"/user/user_keys/rotation/{key}/progress", alice.Jwt);
        Assert.Equal((2L, 2L), (progress.GetProperty("total").GetInt64(), progress.GetProperty("done").GetInt64()));

        // A deleted device's pending rotation goes with it (§4.2).
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/user/device/{tabletDevice}", jwt: alice.Jwt)).Ok);
        await using (DbConnection c = await OpenAsync(app))
        {
            Assert.Equal(0L, await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM rotation_pending WHERE member_id = @tabletDevice", new { tabletDevice }));
        }

        Assert.Empty((await app.SendAsync(HttpMethod.Get, "/user/user_keys/rotation", jwt: alice.Jwt)).Result.EnumerateArray());
        ApiAnswer pending = await app.SendAsync(HttpMethod.Get, "/user/user_keys/rotation", jwt: phoneJwt);
        JsonElement rotation = Assert.Single(pending.Result.EnumerateArray());
        Assert.Equal(phoneDevice, rotation.GetProperty("encrypted_eph_key_key_id").GetString());
        using SymmetricKey opened = OpenRotation(rotation, phone.DevicePrivateKey, alice.Registration.UserGroupKey);
        Assert.Equal(newKey.ExportRaw(), opened.ExportRaw());

        PublicKey phoneKey = phone.DevicePrivateKey.GetPublicKey();
        ApiAnswer finished = await app.SendAsync(HttpMethod.Put, $"/user/user_keys/rotation/{key}", DoneBody(opened, phoneKey, phoneDevice), jwt: phoneJwt);
        Assert.Equal("Success", finished.Result.GetString());
        Assert.Empty((await app.SendAsync(HttpMethod.Get, "/user/user_keys/rotation", jwt: phoneJwt)).Result.EnumerateArray());

        ApiAnswer phoneCopy = await app.SendAsync(HttpMethod.Get, $"/user/user_keys/key/{key}", jwt: phoneJwt);
        Assert.True(phoneCopy.Ok, phoneCopy.Text);
        using SymmetricKey unwrapped = phone.DevicePrivateKey.UnwrapSymmetricKey(
            Convert.FromBase64String(phoneCopy.Result.GetProperty("encrypted_group_key").GetString()!), key);
        Assert.Equal(newKey.ExportRaw(), unwrapped.ExportRaw());
        Assert.True(phoneCopy.Result.TryGetProperty("public_key_sig", out _));
        Assert.Equal(key, (await app.SendAsync(HttpMethod.Get, $"/user/{alice.UserId}/public_key")).Result.GetProperty("public_key_id").GetString());

        // A key that is not one of this user's keys → 304.
        using KeyedUser bob = await RegisterAsync(app, "bob");
        ApiAnswer foreign = await app.SendAsync(HttpMethod.Put, $"/user/user_keys/rotation/{bob.UserKeyId}", DoneBody(opened, phoneKey, phoneDevice), jwt: phoneJwt);
        Assert.Equal(304, foreign.ErrCode);
        Assert.Equal(304, (await GetExtensionAsync(app, $"/user/user_keys/rotation/{bob.UserKeyId}/progress", alice.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task FanOut_ReachesMemberGroupsAndNewcomersBehindTheCursor_AndNobodyTwice(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases, new Dictionary<string, string>
        {
            [RotationWorker.EnabledKey] = "false",
            [RotationFanOut.BatchSizeKey] = "1",
        });
        RotationFanOut fanOut = app.Services.GetRequiredService<RotationFanOut>();
        CancellationToken ct = TestContext.Current.CancellationToken;
        using KeyedUser alice = await RegisterAsync(app, "alice");
        using KeyedUser bob = await RegisterAsync(app, "bob");
        using KeyedUser carol = await RegisterAsync(app, "carol");
        using KeyedUser dave = await RegisterAsync(app, "dave");
        using KeyedUser frank = await RegisterAsync(app, "frank");
        KeyedGroup group = await CreateGroupAsync(app, alice, bob);
        KeyedGroup memberGroup = await CreateGroupAsync(app, carol);
        await AddMemberAsync(app, group, memberGroup.Id, type: 2, B64(memberGroup.PrivateKey.GetPublicKey().Wrap(group.Key)), memberGroup.KeyId);

        (JsonObject body, SymmetricKey newKey, _) = RotationBody(group.Key, group.KeyId, alice.PublicKey, alice.UserKeyId);
        ApiAnswer started = await app.SendAsync(HttpMethod.Post, $"/group/{group.Id}/key_rotation", body.ToJsonString(), jwt: alice.Jwt);
        string key = started.Result.GetProperty("key_id").GetString()!;
        string progressPath = $"/group/{group.Id}/key_rotation/{key}/progress";
        JsonElement before = (await GetExtensionAsync(app, progressPath, alice.Jwt)).Result;
        Assert.Equal(("pending", 2L, 0L), (before.GetProperty("status").GetString(), before.GetProperty("total").GetInt64(), before.GetProperty("done").GetInt64()));
        Assert.Equal(JsonValueKind.Null, before.GetProperty("finished").ValueKind);

        Assert.True(await fanOut.RunBatchAsync(ct));
        Assert.Equal("running", (await GetExtensionAsync(app, progressPath, alice.Jwt)).Result.GetProperty("status").GetString());

        // Carol is auto-invited while the rotation runs by an inviter who sent only the old key; frank's join time lies
        // behind the cursor (another process's clock); dave joins already holding K (his inviter sent it).
        string invite = new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["encrypted_group_key"] = B64(carol.PublicKey.Wrap(group.Key)),
                ["alg"] = SymmetricKey.AlgorithmId,
                ["encrypted_alg"] = EncryptionAlgorithm.Default.Id,
                ["key_id"] = group.KeyId,
                ["user_public_key_id"] = carol.UserKeyId,
            }),
            ["rank"] = null,
            ["key_session"] = false,
        }.ToJsonString();
        ApiAnswer invited = await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite_auto/{carol.UserId}", invite, jwt: alice.Jwt);
        Assert.True(invited.Ok, invited.Text);
        await AddMemberAsync(app, group, frank.UserId, type: 0, B64(frank.PublicKey.Wrap(group.Key)), frank.UserKeyId, joinedAt: 1);
        await using (DbConnection c = await OpenAsync(app))
        {
            await c.ExecuteAsync("INSERT INTO group_member (group_id, member_id, member_type, rank, joined_at) VALUES (@g, @m, 0, 4, @now)",
                new { g = group.Id, m = dave.UserId, now = Now(app) });
            await c.ExecuteAsync(
                """
                INSERT INTO member_key (key_id, member_id, group_id, encrypted_group_key, encrypted_alg, encrypted_by_key_id, created_at)
                VALUES (@k, @m, @g, @enc, @alg, @by, 1)
                """,
                new { k = key, m = dave.UserId, g = group.Id, enc = B64(dave.PublicKey.Wrap(newKey)), alg = EncryptionAlgorithm.Default.Id, by = dave.UserKeyId });
        }

        int batches = 1;
        while (await fanOut.RunBatchAsync(ct) && batches < 20)
        {
            batches++;
        }

        Assert.InRange(batches, 5, 6); // bob, the member group, carol and frank (frank by the sweep), the finishing sweep
        Assert.False(await fanOut.RunBatchAsync(ct));
        JsonElement after = (await GetExtensionAsync(app, progressPath, alice.Jwt)).Result;
        Assert.Equal(("finished", 4L, 4L), (after.GetProperty("status").GetString(), after.GetProperty("total").GetInt64(), after.GetProperty("done").GetInt64()));

        await using (DbConnection c = await OpenAsync(app))
        {
            var rows = (await c.QueryAsync<(string Member, string By, string Cipher)>(
                "SELECT member_id, encrypted_by_key_id, encrypted_ephemeral_key FROM rotation_pending WHERE key_id = @key", new { key })).ToList();
            Assert.Equal(new[] { bob.UserId, carol.UserId, frank.UserId, memberGroup.Id }.Order(), rows.Select(r => r.Member).Order());
            var byMember = rows.ToDictionary(r => r.Member);
            Assert.Equal(memberGroup.KeyId, byMember[memberGroup.Id].By);
            Assert.Equal(carol.UserKeyId, byMember[carol.UserId].By);
            foreach ((string member, PrivateKey privateKey) in new[] { (memberGroup.Id, memberGroup.PrivateKey), (frank.UserId, frank.PrivateKey) })
            {
                var pending = JsonDocument.Parse(new JsonObject
                {
                    ["encrypted_ephemeral_key_by_group_key_and_public_key"] = byMember[member].Cipher,
                    ["encrypted_group_key_by_ephemeral"] = body["encrypted_group_key_by_ephemeral"]!.GetValue<string>(),
                    ["new_group_key_id"] = key,
                }.ToJsonString()).RootElement;
                using SymmetricKey opened = OpenRotation(pending, privateKey, group.Key);
                Assert.Equal(newKey.ExportRaw(), opened.ExportRaw());
            }
        }

        // The newcomer finishes through the API like any member.
        ApiAnswer carolPending = await app.SendAsync(HttpMethod.Get, $"/group/{group.Id}/key_rotation", jwt: carol.Jwt);
        using SymmetricKey carolKey = OpenRotation(Assert.Single(carolPending.Result.EnumerateArray()), carol.PrivateKey, group.Key);
        Assert.Equal(newKey.ExportRaw(), carolKey.ExportRaw());
        Assert.Equal("Success", (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/key_rotation/{key}",
            DoneBody(carolKey, carol.PublicKey, carol.UserKeyId), jwt: carol.Jwt)).Result.GetString());
    }

    private static async Task<(string DeviceId, string Jwt)> AddDeviceAsync(TestApp app, KeyedUser user, ClientRegistration device)
    {
        JsonNode deviceBody = JsonNode.Parse(device.RegisterBody)!["device"]!;
        ApiAnswer prepared = await app.SendAsync(HttpMethod.Post, "/user/prepare_register_device", deviceBody.ToJsonString());
        Assert.True(prepared.Ok, prepared.Text);
        string deviceId = prepared.Result.GetProperty("device_id").GetString()!;
        PublicKey devicePublic = device.DevicePrivateKey.GetPublicKey();
        string doneBody = new JsonObject
        {
            ["user_keys"] = new JsonObject
            {
                ["keys"] = new JsonArray(new JsonObject
                {
                    ["encrypted_group_key"] = B64(devicePublic.Wrap(user.Registration.UserGroupKey)),
                    ["alg"] = SymmetricKey.AlgorithmId,
                    ["encrypted_alg"] = devicePublic.Algorithm.Id,
                    ["key_id"] = user.UserKeyId,
                    ["user_public_key_id"] = deviceId,
                }),
                ["rank"] = null,
                ["key_session"] = false,
            },
            ["token"] = prepared.Result.GetProperty("token").GetString(),
        }.ToJsonString();
        ApiAnswer done = await app.SendAsync(HttpMethod.Put, "/user/done_register_device", doneBody, jwt: user.Jwt);
        Assert.True(done.Ok, done.Text);
        (string jwt, string loggedInDevice) = await LoginAsync(app, device);
        Assert.Equal(deviceId, loggedInDevice);
        return (deviceId, jwt);
    }

    private static async Task<string?> MemberKeyAsync(TestApp app, string key, string member)
    {
        await using DbConnection c = await OpenAsync(app);
        return await c.ExecuteScalarAsync<string?>(
            "SELECT encrypted_group_key FROM member_key WHERE key_id = @key AND member_id = @member", new { key, member });
    }

    private static Task<DbConnection> OpenAsync(TestApp app) =>
        app.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
}
