using System.Text.Json;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Groups;

/// <summary>Join requests of users (api.md §4.8, §4.13, §8 #15, #17) through the real pipeline.</summary>
public sealed class GroupJoinRequestTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task JoinRequest_SendListAccept_MakesAMemberWithKeysAndSession(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        TestGroup group = await groups.CreateAsync(alice, keys: 3);

        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/join_req", jwt: bob.Jwt)).Ok);
        long sentAt = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/join_req", jwt: bob.Jwt)).Ok); // duplicate: no change

        JsonElement mine = Assert.Single((await app.SendAsync(HttpMethod.Get, "/group/joins/0/none", jwt: bob.Jwt)).Result.EnumerateArray());
        Assert.Equal((group.Id, sentAt), (mine.GetProperty("group_id").GetString(), mine.GetProperty("time").GetInt64()));
        JsonElement listed = Assert.Single((await app.SendAsync(HttpMethod.Get, $"/group/{group.Id}/join_req/0/none", jwt: alice.Jwt)).Result.EnumerateArray());
        Assert.Equal((bob.UserId, sentAt, 0), (listed.GetProperty("user_id").GetString(), listed.GetProperty("time").GetInt64(), listed.GetProperty("user_type").GetInt32()));

        ApiAnswer accepted = await app.SendAsync(
            HttpMethod.Put, $"/group/{group.Id}/join_req/{bob.UserId}", GroupBuilder.KeysBody(group.KeyIds.Take(2), keySession: true, rank: 3), jwt: alice.Jwt);
        Assert.True(accepted.Ok, accepted.Text);
        string session = accepted.Result.GetProperty("session_id").GetString()!;
        Assert.True((await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/join_req/session/{session}", GroupBuilder.KeysArray(group.KeyIds.Skip(1)), jwt: alice.Jwt)).Ok);
        Assert.Equal((3, 0), await groups.MemberAsync(group, bob.UserId));
        Assert.Equal(3, await groups.KeyRowsAsync(group, bob.UserId));
        Assert.Equal(0, await groups.RequestsAsync(group, bob.UserId, kind: 1));

        // The new member reads the group with its keys.
        ApiAnswer fetched = await app.SendAsync(HttpMethod.Get, $"/group/{group.Id}", jwt: bob.Jwt);
        Assert.Equal(3, fetched.Result.GetProperty("keys").GetArrayLength());
        Assert.Equal(3, fetched.Result.GetProperty("rank").GetInt32());
        Assert.Equal(302, (await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/join_req", jwt: bob.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task JoinRequest_Send_RejectsUnknownUserGroupsAndStoppedGroups(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        TestGroup group = await groups.CreateAsync(alice);
        string aliceUserGroup = await GroupKit.ScalarAsync(app, "SELECT user_group_id FROM app_user WHERE id = @id", new { id = alice.UserId });

        Assert.Equal(310, (await app.SendAsync(HttpMethod.Patch, $"/group/{NewId.Uuid()}/join_req", jwt: bob.Jwt)).ErrCode);
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Patch, $"/group/{aliceUserGroup}/join_req", jwt: bob.Jwt)).ErrCode); // §8 #17
        Assert.Equal(302, (await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/join_req", jwt: alice.Jwt)).ErrCode);
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/change_invite", jwt: alice.Jwt)).Ok); // stop
        Assert.Equal(317, (await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/join_req", jwt: bob.Jwt)).ErrCode);
        Assert.Equal(0, await groups.CountAsync("SELECT COUNT(*) FROM membership_request"));
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Delete, $"/group/joins/{NewId.Uuid()}", jwt: bob.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task JoinRequest_WhileInvited_KeepsTheInvite_AndWithdrawLeavesTheInvite(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        TestGroup group = await groups.CreateAsync(alice);
        Assert.True((await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/{bob.UserId}", GroupBuilder.KeysBody(group), jwt: alice.Jwt)).Ok);

        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/join_req", jwt: bob.Jwt)).Ok);
        Assert.Equal((1L, 0L), (await groups.RequestsAsync(group, bob.UserId, kind: 0), await groups.RequestsAsync(group, bob.UserId, kind: 1)));

        // §8 #15: withdrawing (or rejecting) a join request never deletes a pending invite and its keys.
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/joins/{group.Id}", jwt: bob.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/join_req/{bob.UserId}", jwt: alice.Jwt)).Ok);
        Assert.Equal(1, await groups.RequestsAsync(group, bob.UserId, kind: 0));
        Assert.Equal(1, await groups.KeyRowsAsync(group, bob.UserId));
        Assert.Equal(309, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/join_req/{bob.UserId}", GroupBuilder.KeysBody(group), jwt: alice.Jwt)).ErrCode);
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/invite", jwt: bob.Jwt)).Ok);
    }

    [Theory, Databases]
    public async Task JoinRequest_WithdrawAndReject_RemoveTheRequest(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        TestUser carol = await app.RegisterAsync("carol");
        TestGroup group = await groups.CreateAsync(alice);
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/join_req", jwt: bob.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/join_req", jwt: carol.Jwt)).Ok);

        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/joins/{group.Id}", jwt: bob.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/joins/{group.Id}", jwt: bob.Jwt)).Ok); // none left: still success
        Assert.Empty((await app.SendAsync(HttpMethod.Get, "/group/joins/0/none", jwt: bob.Jwt)).Result.EnumerateArray());
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/join_req/{carol.UserId}", jwt: alice.Jwt)).Ok);
        Assert.Empty((await app.SendAsync(HttpMethod.Get, $"/group/{group.Id}/join_req/0/none", jwt: alice.Jwt)).Result.EnumerateArray());
        Assert.Equal(0, await groups.CountAsync("SELECT COUNT(*) FROM membership_request"));
    }

    [Theory, Databases]
    public async Task JoinRequest_Accept_EachRuleBroken_AnswersItsCode(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser manager = await app.RegisterAsync("manager");
        TestUser member = await app.RegisterAsync("member");
        TestUser bob = await app.RegisterAsync("bob");
        TestGroup group = await groups.CreateAsync(alice, keys: 2);
        TestGroup other = await groups.CreateAsync(alice);
        await groups.AddMemberAsync(group, manager.UserId, rank: 2);
        await groups.AddMemberAsync(group, member.UserId, rank: 3);
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/join_req", jwt: bob.Jwt)).Ok);
        string path = $"/group/{group.Id}/join_req/{bob.UserId}";

        Assert.Equal(301, (await app.SendAsync(HttpMethod.Put, path, GroupBuilder.KeysBody(group), jwt: member.Jwt)).ErrCode);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Get, $"/group/{group.Id}/join_req/0/none", jwt: member.Jwt)).ErrCode);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Delete, path, jwt: member.Jwt)).ErrCode);
        Assert.Equal(303, (await app.SendAsync(HttpMethod.Put, path, GroupBuilder.KeysBody([]), jwt: alice.Jwt)).ErrCode);
        Assert.Equal(305, (await app.SendAsync(HttpMethod.Put, path, GroupBuilder.KeysBody(Enumerable.Repeat(group.KeyIds[0], 101)), jwt: alice.Jwt)).ErrCode);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Put, path, GroupBuilder.KeysBody(group, rank: 5), jwt: alice.Jwt)).ErrCode);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Put, path, GroupBuilder.KeysBody(group, rank: 1), jwt: manager.Jwt)).ErrCode);
        Assert.Equal(302, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/join_req/{member.UserId}", GroupBuilder.KeysBody(group), jwt: alice.Jwt)).ErrCode);
        Assert.Equal(309, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/join_req/{NewId.Uuid()}", GroupBuilder.KeysBody(group), jwt: alice.Jwt)).ErrCode);
        Assert.Equal(304, (await app.SendAsync(HttpMethod.Put, path, GroupBuilder.KeysBody(other), jwt: alice.Jwt)).ErrCode);
        Assert.Equal(1, await groups.RequestsAsync(group, bob.UserId, kind: 1));
        Assert.Null(await groups.MemberAsync(group, bob.UserId));

        // Stop-invite does not block accepting (§4.13); the manager may give rank 2.
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/change_invite", jwt: alice.Jwt)).Ok);
        ApiAnswer accepted = await app.SendAsync(HttpMethod.Put, path + "/light", GroupBuilder.LightBody(2), jwt: manager.Jwt);
        Assert.True(accepted.Ok, accepted.Text);
        Assert.Equal((2, 0), await groups.MemberAsync(group, bob.UserId));
    }

    [Theory, Databases]
    public async Task StopInvite_PendingInvitesStayAcceptable_NewOnesAreRefused(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        TestUser carol = await app.RegisterAsync("carol");
        TestUser dave = await app.RegisterAsync("dave");
        TestGroup group = await groups.CreateAsync(alice);
        Assert.True((await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/{bob.UserId}", GroupBuilder.KeysBody(group), jwt: alice.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/{carol.UserId}", GroupBuilder.KeysBody(group), jwt: alice.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/join_req", jwt: dave.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/change_invite", jwt: alice.Jwt)).Ok);

        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/invite", jwt: bob.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/invite", jwt: carol.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/joins/{group.Id}", jwt: dave.Jwt)).Ok);
        Assert.Equal(317, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/{carol.UserId}", GroupBuilder.KeysBody(group), jwt: alice.Jwt)).ErrCode);
        Assert.Equal(317, (await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/join_req", jwt: dave.Jwt)).ErrCode);
        Assert.Equal((4, 0), await groups.MemberAsync(group, bob.UserId));

        // Re-enabled: invites work again.
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/change_invite", jwt: alice.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite_auto/{carol.UserId}", GroupBuilder.KeysBody(group), jwt: alice.Jwt)).Ok);
    }
}
