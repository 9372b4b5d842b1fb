using System.Net;
using System.Text.Json;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Groups;

/// <summary>change_rank (§4.12), change_invite (§4.13), delete (§4.14) and the forced group routes (§4.15).</summary>
public sealed class GroupAdminTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task ChangeRank_FollowsTheRules(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        TestUser carol = await app.RegisterAsync("carol");
        string group = await GroupKit.CreateAsync(app, alice);
        string child = await GroupKit.CreateUnderAsync(app, alice, group, "child");
        await GroupKit.AddMemberAsync(app, group, bob.UserId, rank: 4);
        await GroupKit.AddMemberAsync(app, group, carol.UserId, rank: 2);

        Assert.True((await ChangeRankAsync(app, alice, group, bob.UserId, 1)).Ok);
        Assert.Equal(1, await RankAsync(app, bob, group));

        // An admin may demote another admin and itself; no check against the caller's own rank.
        Assert.True((await ChangeRankAsync(app, bob, group, carol.UserId, 1)).Ok);
        Assert.True((await ChangeRankAsync(app, carol, group, bob.UserId, 3)).Ok);
        Assert.True((await ChangeRankAsync(app, carol, group, carol.UserId, 2)).Ok);
        Assert.Equal((3, 2), (await RankAsync(app, bob, group), await RankAsync(app, carol, group)));

        foreach (int bad in new[] { 0, 5, -1 })
        {
            ApiAnswer answer = await ChangeRankAsync(app, alice, group, bob.UserId, bad);
            Assert.Equal((HttpStatusCode.BadRequest, 314), (answer.Status, answer.ErrCode));
        }

        Assert.Equal(314, (await ChangeRankAsync(app, alice, group, alice.UserId, 2)).ErrCode); // the creator
        Assert.Equal(314, (await ChangeRankAsync(app, alice, child, group, 2)).ErrCode); // the parent row of a child
        Assert.Equal(300, (await ChangeRankAsync(app, alice, group, Guid.NewGuid().ToString("D"), 2)).ErrCode);
        Assert.Equal(300, (await ChangeRankAsync(app, alice, child, bob.UserId, 2)).ErrCode); // only via the parent
        Assert.Equal(301, (await ChangeRankAsync(app, carol, group, bob.UserId, 4)).ErrCode); // rank 2 may not
        Assert.Equal(310, (await ChangeRankAsync(app, await app.RegisterAsync("eve"), group, bob.UserId, 4)).ErrCode);
        ApiAnswer noBody = await app.SendAsync(HttpMethod.Put, $"/group/{group}/change_rank", "{}", jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, 11), (noBody.Status, noBody.ErrCode));
        Assert.Equal((3, 2), (await RankAsync(app, bob, group), await RankAsync(app, carol, group)));
    }

    [Theory, Databases]
    public async Task ChangeInvite_TogglesTheFlag_AdminsOnly(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        string group = await GroupKit.CreateAsync(app, alice);
        await GroupKit.AddMemberAsync(app, group, bob.UserId, rank: 2);
        const string Open = "SELECT COUNT(*) FROM grp WHERE id = @group AND invite_open = @open";

        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group}/change_invite", jwt: alice.Jwt)).Ok);
        Assert.Equal(1, await GroupKit.CountAsync(app, Open, new { group, open = false }));
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Patch, $"/group/{group}/change_invite", jwt: bob.Jwt)).ErrCode);
        Assert.Equal(1, await GroupKit.CountAsync(app, Open, new { group, open = false }));
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group}/change_invite", jwt: alice.Jwt)).Ok);
        Assert.Equal(1, await GroupKit.CountAsync(app, Open, new { group, open = true }));
    }

    [Theory, Databases]
    public async Task Delete_RemovesTheTreeAndEveryRowWhereADeletedGroupIsAMember(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        string a = await GroupKit.CreateAsync(app, alice);
        string b = await GroupKit.CreateUnderAsync(app, alice, a, "child");
        string c = await GroupKit.CreateUnderAsync(app, alice, b, "child");
        string x = await GroupKit.CreateUnderAsync(app, alice, b, "connected"); // not a descendant: survives
        string other = await GroupKit.CreateAsync(app, bob);
        await GroupKit.AddMemberAsync(app, c, bob.UserId, rank: 4);
        await GroupKit.AddMemberAsync(app, x, bob.UserId, rank: 1);
        string xKey = await GroupKit.AddKeyAsync(app, x, 99, b, bob.UserId);
        await GroupKit.AddPendingRotationAsync(app, x, xKey, b);
        await GroupKit.AddPendingRotationAsync(app, x, xKey, bob.UserId);
        await using (var conn = await GroupKit.OpenAsync(app))
        {
            // C invited into bob's group, bob's join request to B, a pending rotation of B's keys for bob.
            await Dapper.SqlMapper.ExecuteAsync(conn,
                """
                INSERT INTO membership_request (group_id, member_id, kind, member_type, new_rank, created_at) VALUES (@other, @c, 0, 2, 4, 1);
                INSERT INTO membership_request (group_id, member_id, kind, member_type, new_rank, created_at) VALUES (@b, @bob, 1, 0, 4, 1);
                """,
                new { other, c, b, bob = bob.UserId });
        }

        string bKey = await GroupKit.AddKeyAsync(app, b, 98, a);
        await GroupKit.AddPendingRotationAsync(app, b, bKey, bob.UserId);

        Assert.Equal(301, (await app.SendAsync(HttpMethod.Delete, $"/group/{c}", jwt: bob.Jwt)).ErrCode);
        ApiAnswer deleted = await app.SendAsync(HttpMethod.Delete, $"/group/{a}", jwt: alice.Jwt);
        Assert.Equal("""{"status":true,"result":"Success"}""", deleted.Text);

        var doomed = new[] { a, b, c };
        foreach (string table in new[] { "grp WHERE id", "group_key WHERE group_id", "group_search_key WHERE group_id", "group_member WHERE group_id",
            "group_member WHERE member_id", "member_key WHERE group_id", "member_key WHERE member_id", "membership_request WHERE group_id",
            "membership_request WHERE member_id", "rotation_pending WHERE group_id", "rotation_pending WHERE member_id", "rotation_job WHERE group_id" })
        {
            Assert.True(0 == await GroupKit.CountAsync(app, $"SELECT COUNT(*) FROM {table} IN (@a, @b, @c)", new { a, b, c }), table);
        }

        // X and bob's rows in it survive; the connected group's other data is untouched.
        Assert.Equal(1, await GroupKit.CountAsync(app, "SELECT COUNT(*) FROM grp WHERE id = @x", new { x }));
        Assert.Equal(1, await GroupKit.CountAsync(app, "SELECT COUNT(*) FROM group_member WHERE group_id = @x", new { x }));
        Assert.Equal(1, await GroupKit.CountAsync(app, "SELECT COUNT(*) FROM rotation_pending WHERE group_id = @x", new { x }));
        Assert.Equal(2, await GroupKit.CountAsync(app, "SELECT COUNT(*) FROM group_key WHERE group_id = @x", new { x }));
        Assert.True((await app.SendAsync(HttpMethod.Get, $"/group/{x}", jwt: bob.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Get, $"/group/{other}", jwt: bob.Jwt)).Ok);
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Get, $"/group/{c}", jwt: bob.Jwt)).ErrCode);
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Delete, $"/group/{a}", jwt: alice.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task Delete_ByAdminViaParent_DeletesOnlyTheSubtree(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        string a = await GroupKit.CreateAsync(app, alice);
        string b = await GroupKit.CreateUnderAsync(app, alice, a, "child");
        string c = await GroupKit.CreateUnderAsync(app, alice, b, "child");
        await GroupKit.AddMemberAsync(app, a, bob.UserId, rank: 1);
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/{b}", jwt: bob.Jwt)).Ok);
        Assert.Equal(1, await GroupKit.CountAsync(app, "SELECT COUNT(*) FROM grp WHERE id IN (@a, @b, @c)", new { a, b, c }));
        Assert.Equal(0, (await app.SendAsync(HttpMethod.Get, $"/group/{a}/children/0/none", jwt: alice.Jwt)).Result.GetArrayLength());
    }

    [Theory, Databases]
    public async Task ForcedDelete_SecretTokenOnly(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string a = await GroupKit.CreateAsync(app, alice);
        string b = await GroupKit.CreateUnderAsync(app, alice, a, "child");

        Assert.Equal(203, (await app.SendAsync(HttpMethod.Delete, $"/group/forced/{a}")).ErrCode);
        Assert.Equal(1, (await app.SendAsync(HttpMethod.Delete, "/group/forced/nope", appToken: app.SecretToken)).ErrCode);
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Delete, $"/group/forced/{Guid.NewGuid():D}", appToken: app.SecretToken)).ErrCode);
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/forced/{a}", appToken: app.SecretToken)).Ok);
        Assert.Equal(0, await GroupKit.CountAsync(app, "SELECT COUNT(*) FROM grp WHERE id IN (@a, @b)", new { a, b }));

        // Another app's secret token cannot touch this app's groups.
        string c = await GroupKit.CreateAsync(app, alice);
        var otherApp = await app.CreateAppAsync("other");
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Delete, $"/group/forced/{c}", appToken: otherApp.SecretToken)).ErrCode);
    }

    [Theory, Databases]
    public async Task ForcedMember_ChecksDirectMembership(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        string a = await GroupKit.CreateAsync(app, alice);
        string b = await GroupKit.CreateUnderAsync(app, alice, a, "child");
        await GroupKit.AddMemberAsync(app, a, bob.UserId, rank: 3, joined: 42);

        ApiAnswer found = await app.SendAsync(HttpMethod.Get, $"/group/forced/{a}/user/{bob.UserId}", appToken: app.SecretToken);
        Assert.Equal($$$"""{"status":true,"result":{"user_id":"{{{bob.UserId}}}","rank":3,"joined_time":42,"user_type":0}}""", found.Text);
        Assert.Equal(300, (await app.SendAsync(HttpMethod.Get, $"/group/forced/{b}/user/{bob.UserId}", appToken: app.SecretToken)).ErrCode);
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Get, $"/group/forced/{Guid.NewGuid():D}/user/{bob.UserId}", appToken: app.SecretToken)).ErrCode);
        Assert.Equal(1, (await app.SendAsync(HttpMethod.Get, $"/group/forced/x/user/{bob.UserId}", appToken: app.SecretToken)).ErrCode);
        Assert.Equal(203, (await app.SendAsync(HttpMethod.Get, $"/group/forced/{a}/user/{bob.UserId}")).ErrCode);
    }

    [Theory, Databases]
    public async Task ForcedCreate_ActsForTheUserInThePath(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        string body = GroupKit.CreateBody(await GroupKit.PublicKeyIdAsync(app, alice));

        ApiAnswer created = await app.SendAsync(HttpMethod.Post, $"/group/forced/{alice.UserId}", body, appToken: app.SecretToken);
        Assert.True(created.Ok, created.Text);
        string a = created.Result.GetProperty("group_id").GetString()!;
        Assert.Equal(0, (await app.SendAsync(HttpMethod.Get, $"/group/{a}", jwt: alice.Jwt)).Result.GetProperty("rank").GetInt32());
        ApiAnswer light = await app.SendAsync(HttpMethod.Post, $"/group/forced/{alice.UserId}/light", appToken: app.SecretToken);
        Assert.True(light.Ok, light.Text);

        Assert.Equal(100, (await app.SendAsync(HttpMethod.Post, $"/group/forced/{Guid.NewGuid():D}", body, appToken: app.SecretToken)).ErrCode);
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Post, "/group/forced/nobody/light", appToken: app.SecretToken)).ErrCode);
        Assert.Equal(203, (await app.SendAsync(HttpMethod.Post, $"/group/forced/{alice.UserId}", body)).ErrCode);

        string keyBody = GroupKit.CreateBody(await GroupKit.CurrentKeyAsync(app, a));
        ApiAnswer child = await app.SendAsync(HttpMethod.Post, $"/group/forced/{alice.UserId}/{a}/child", keyBody, appToken: app.SecretToken);
        Assert.True(child.Ok, child.Text);
        string b = child.Result.GetProperty("group_id").GetString()!;
        Assert.Equal(a, (await app.SendAsync(HttpMethod.Get, $"/group/{b}/light", jwt: alice.Jwt)).Result.GetProperty("parent_group_id").GetString());
        Assert.True((await app.SendAsync(HttpMethod.Post, $"/group/forced/{alice.UserId}/{a}/child/light", appToken: app.SecretToken)).Ok);

        ApiAnswer connected = await app.SendAsync(HttpMethod.Post, $"/group/forced/{alice.UserId}/{a}/connected", keyBody, appToken: app.SecretToken);
        Assert.True(connected.Ok, connected.Text);
        string x = connected.Result.GetProperty("group_id").GetString()!;
        Assert.True((await app.SendAsync(HttpMethod.Post, $"/group/forced/{alice.UserId}/{a}/connected/light", appToken: app.SecretToken)).Ok);

        // Access rules of GF: 310 without access, 301 below admin, 100 unknown user, 1 bad group id, 318.
        await GroupKit.AddMemberAsync(app, a, bob.UserId, rank: 2);
        TestUser carol = await app.RegisterAsync("carol");
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Post, $"/group/forced/{bob.UserId}/{a}/child/light", appToken: app.SecretToken)).ErrCode);
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Post, $"/group/forced/{carol.UserId}/{a}/connected/light", appToken: app.SecretToken)).ErrCode);
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Post, $"/group/forced/{Guid.NewGuid():D}/{a}/child/light", appToken: app.SecretToken)).ErrCode);
        Assert.Equal(1, (await app.SendAsync(HttpMethod.Post, $"/group/forced/{alice.UserId}/bad/child/light", appToken: app.SecretToken)).ErrCode);
        Assert.Equal(318, (await app.SendGroupAsync(
            HttpMethod.Post, $"/group/forced/{alice.UserId}/{x}/connected/light", null, jwt: null, accessGroup: a, appToken: app.SecretToken)).ErrCode);
        Assert.Equal(203, (await app.SendAsync(HttpMethod.Post, $"/group/forced/{alice.UserId}/{a}/child/light")).ErrCode);
    }

    private static Task<ApiAnswer> ChangeRankAsync(TestApp app, TestUser caller, string group, string target, int rank) =>
        app.SendAsync(HttpMethod.Put, $"/group/{group}/change_rank",
            JsonSerializer.Serialize(new Dictionary<string, object> { ["changed_user_id"] = target, ["new_rank"] = rank }), jwt: caller.Jwt);

    private static async Task<int> RankAsync(TestApp app, TestUser user, string group) =>
        (await app.SendAsync(HttpMethod.Get, $"/group/{group}/update_check_light", jwt: user.Jwt)).Result.GetProperty("rank").GetInt32();
}
