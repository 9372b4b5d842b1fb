using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Groups;

/// <summary>Leave, kick and the forced (secret-token) member endpoints (api.md §4.14, §4.15, §8 #13, #25).</summary>
public sealed class GroupLeaveKickTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task Leave_RemovesRowKeysAndPendingRotations_ButNeverTheLastAdmin(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        TestUser carol = await app.RegisterAsync("carol");
        TestGroup group = await groups.CreateAsync(alice, keys: 2);
        await groups.AddMemberAsync(group, bob.UserId, rank: 4);
        await groups.AddPendingRotationAsync(group, bob.UserId);

        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/leave", jwt: bob.Jwt)).Ok);
        Assert.Null(await groups.MemberAsync(group, bob.UserId));
        Assert.Equal(0, await groups.KeyRowsAsync(group, bob.UserId));
        Assert.Equal(0, await groups.CountAsync("SELECT COUNT(*) FROM rotation_pending WHERE member_id = @m", new { m = bob.UserId }));
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/leave", jwt: bob.Jwt)).ErrCode);

        Assert.Equal(308, (await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/leave", jwt: alice.Jwt)).ErrCode);
        await groups.AddMemberAsync(group, carol.UserId, rank: 1);
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/leave", jwt: alice.Jwt)).Ok); // the creator may leave now
        Assert.Equal(308, (await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/leave", jwt: carol.Jwt)).ErrCode);
        Assert.Equal((1, 0), await groups.MemberAsync(group, carol.UserId));
    }

    [Theory, Databases]
    public async Task Leave_ReachableOnlyThroughAParent_Returns300_AndTheParentRowNeverLeaves(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        TestGroup parent = await groups.CreateAsync(alice);
        TestGroup child = await groups.CreateUnderAsync(alice, parent, "child");
        await groups.AddMemberAsync(parent, bob.UserId, rank: 4);

        Assert.Equal(300, (await app.SendAsync(HttpMethod.Delete, $"/group/{child.Id}/leave", jwt: bob.Jwt)).ErrCode); // §8 #13
        Assert.Equal(300, (await app.SendAsync(HttpMethod.Delete, $"/group/{child.Id}/leave", jwt: alice.Jwt)).ErrCode);
        Assert.Equal(300, (await app.SendGroupAsync(HttpMethod.Delete, $"/group/{child.Id}/leave", null, alice.Jwt, parent.Id)).ErrCode);
        Assert.Equal((0, 1), await groups.MemberAsync(child, parent.Id));

        // A direct row in the child (over the inherited access) can leave; the parent row (rank 0) counts as admin.
        Assert.True((await app.SendAsync(HttpMethod.Put, $"/group/{child.Id}/invite_auto/{bob.UserId}", GroupBuilder.KeysBody(child, rank: 1), jwt: alice.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/{child.Id}/leave", jwt: bob.Jwt)).Ok);
        Assert.Null(await groups.MemberAsync(child, bob.UserId));
    }

    [Theory, Databases]
    public async Task Kick_EachRule_AnswersItsCode_AndEqualRankMayBeKicked(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser admin = await app.RegisterAsync("admin");
        TestUser manager = await app.RegisterAsync("manager");
        TestUser manager2 = await app.RegisterAsync("manager2");
        TestUser member = await app.RegisterAsync("member");
        TestGroup group = await groups.CreateAsync(alice, keys: 2);
        await groups.AddMemberAsync(group, admin.UserId, rank: 1);
        await groups.AddMemberAsync(group, manager.UserId, rank: 2);
        await groups.AddMemberAsync(group, manager2.UserId, rank: 2);
        await groups.AddMemberAsync(group, member.UserId, rank: 3);
        await groups.AddPendingRotationAsync(group, member.UserId);
        string Kick(TestUser target) => $"/group/{group.Id}/kick/{target.UserId}";

        Assert.Equal(301, (await app.SendAsync(HttpMethod.Delete, Kick(manager), jwt: member.Jwt)).ErrCode);
        Assert.Equal(300, (await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/kick/{NewId.Uuid()}", jwt: manager.Jwt)).ErrCode);
        Assert.Equal(315, (await app.SendAsync(HttpMethod.Delete, Kick(alice), jwt: admin.Jwt)).ErrCode);
        Assert.Equal(316, (await app.SendAsync(HttpMethod.Delete, Kick(admin), jwt: manager.Jwt)).ErrCode);
        Assert.Equal((1, 0), await groups.MemberAsync(group, admin.UserId));

        Assert.True((await app.SendAsync(HttpMethod.Delete, Kick(member), jwt: manager.Jwt)).Ok);
        Assert.Null(await groups.MemberAsync(group, member.UserId));
        Assert.Equal(0, await groups.KeyRowsAsync(group, member.UserId));
        Assert.Equal(0, await groups.CountAsync("SELECT COUNT(*) FROM rotation_pending WHERE member_id = @m", new { m = member.UserId }));
        Assert.True((await app.SendAsync(HttpMethod.Delete, Kick(manager2), jwt: manager.Jwt)).Ok); // equal rank
        Assert.Equal(300, (await app.SendAsync(HttpMethod.Delete, Kick(member), jwt: manager.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task Kick_Oneself_FollowsTheLeaveRules(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        TestGroup group = await groups.CreateAsync(alice);

        // §8 #25: the only admin cannot drop out through a self-kick.
        Assert.Equal(308, (await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/kick/{alice.UserId}", jwt: alice.Jwt)).ErrCode);
        Assert.Equal((0, 0), await groups.MemberAsync(group, alice.UserId));
        await groups.AddMemberAsync(group, bob.UserId, rank: 1);
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/kick/{alice.UserId}", jwt: alice.Jwt)).Ok);
        Assert.Null(await groups.MemberAsync(group, alice.UserId));
    }

    [Theory, Databases]
    public async Task ForcedKick_ActsAsTheGivenUser_WithTheSecretToken(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        string bob = await groups.RegisterOnlyAsync("bob");
        string carol = await groups.RegisterOnlyAsync("carol");
        TestGroup group = await groups.CreateAsync(alice);
        await groups.AddMemberAsync(group, bob, rank: 3);
        await groups.AddMemberAsync(group, carol, rank: 3);
        string Path(string user, string target) => $"/group/forced/{user}/{group.Id}/kick/{target}";

        Assert.Equal(203, (await app.SendAsync(HttpMethod.Delete, Path(alice.UserId, bob))).ErrCode);
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Delete, Path(NewId.Uuid(), bob), appToken: app.SecretToken)).ErrCode);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Delete, Path(carol, bob), appToken: app.SecretToken)).ErrCode);
        Assert.Equal(300, (await app.SendAsync(HttpMethod.Delete, Path(alice.UserId, NewId.Uuid()), appToken: app.SecretToken)).ErrCode);
        Assert.True((await app.SendAsync(HttpMethod.Delete, Path(alice.UserId, bob), appToken: app.SecretToken)).Ok);
        Assert.Null(await groups.MemberAsync(group, bob));
        Assert.Equal(308, (await app.SendAsync(HttpMethod.Delete, Path(alice.UserId, alice.UserId), appToken: app.SecretToken)).ErrCode);
    }

    [Theory, Databases]
    public async Task ForcedInviteAuto_AllFourVariants(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        string bob = await groups.RegisterOnlyAsync("bob");
        string carol = await groups.RegisterOnlyAsync("carol");
        string dave = await groups.RegisterOnlyAsync("dave");
        TestGroup group = await groups.CreateAsync(alice, keys: 2);
        TestGroup n1 = await groups.CreateAsync(alice);
        TestGroup n2 = await groups.CreateAsync(alice);
        await groups.AddMemberAsync(group, dave, rank: 4);
        string Path(string user, string target, string tail = "") => $"/group/forced/{user}/{group.Id}/invite_auto/{target}{tail}";
        string keys = GroupBuilder.KeysBody(group.KeyIds, keySession: true, rank: 2);

        Assert.Equal(203, (await app.SendAsync(HttpMethod.Post, Path(alice.UserId, bob), keys)).ErrCode);
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Post, Path(NewId.Uuid(), bob), keys, appToken: app.SecretToken)).ErrCode);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Post, Path(dave, bob), keys, appToken: app.SecretToken)).ErrCode);
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Post, Path(alice.UserId, NewId.Uuid()), keys, appToken: app.SecretToken)).ErrCode);
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Post, Path(alice.UserId, NewId.Uuid(), "/group"), keys, appToken: app.SecretToken)).ErrCode);

        ApiAnswer user = await app.SendAsync(HttpMethod.Post, Path(alice.UserId, bob), keys, appToken: app.SecretToken);
        Assert.True(user.Ok, user.Text);
        Assert.True(NewId.IsUuid(user.Result.GetProperty("session_id").GetString()!));
        Assert.True((await app.SendAsync(HttpMethod.Post, Path(alice.UserId, carol, "/light"), GroupBuilder.LightBody(3), appToken: app.SecretToken)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Post, Path(alice.UserId, n1.Id, "/group"), keys, appToken: app.SecretToken)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Post, Path(alice.UserId, n2.Id, "/group_light"), "{}", appToken: app.SecretToken)).Ok);

        Assert.Equal((2, 0), await groups.MemberAsync(group, bob));
        Assert.Equal(2, await groups.KeyRowsAsync(group, bob));
        Assert.Equal((3, 0), await groups.MemberAsync(group, carol));
        Assert.Equal((2, 2), await groups.MemberAsync(group, n1.Id)); // no connected-group checks for the forced group variant
        Assert.Equal((4, 2), await groups.MemberAsync(group, n2.Id));
        Assert.Equal(302, (await app.SendAsync(HttpMethod.Post, Path(alice.UserId, bob), keys, appToken: app.SecretToken)).ErrCode);
    }
}
