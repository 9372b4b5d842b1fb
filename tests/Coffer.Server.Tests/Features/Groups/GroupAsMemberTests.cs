using System.Text.Json;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Groups;

/// <summary>
/// Groups as members of connected groups (api.md §4.10, §8 #6, #7): group invites, accept/reject on behalf of a group
/// under both URL forms, group join requests, leaving as a member group.
/// </summary>
public sealed class GroupAsMemberTests(TestDatabases databases)
{
    /// <summary>Alice's root group R, the connected group C made from it (reached with the header R) and normal groups.</summary>
    private sealed record World(TestApp App, GroupBuilder Groups, TestUser Alice, TestGroup Root, TestGroup Connected);

    private static async Task<World> WorldAsync(TestApp app)
    {
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestGroup root = await groups.CreateAsync(alice);
        TestGroup connected = await groups.CreateUnderAsync(alice, root, "connected", keys: 2);
        return new World(app, groups, alice, root, connected);
    }

    [Theory, Databases]
    public async Task InviteGroup_AcceptAndReject_WorkUnderBothUrlForms(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        (_, GroupBuilder groups, TestUser alice, TestGroup root, TestGroup c) = await WorldAsync(app);
        TestGroup n1 = await groups.CreateAsync(alice), n2 = await groups.CreateAsync(alice), n3 = await groups.CreateAsync(alice);
        foreach (TestGroup n in (TestGroup[])[n1, n2, n3])
        {
            ApiAnswer invited = await app.SendGroupAsync(HttpMethod.Put, $"/group/{c.Id}/invite_group/{n.Id}", GroupBuilder.KeysBody(c, rank: 3), alice.Jwt, root.Id);
            Assert.True(invited.Ok, invited.Text);
        }

        JsonElement listed = Assert.Single((await app.SendAsync(HttpMethod.Get, $"/group/{n1.Id}/invite/0/none", jwt: alice.Jwt)).Result.EnumerateArray());
        Assert.Equal(c.Id, listed.GetProperty("group_id").GetString());

        // §8 #7: the official clients use /group/:gid/:target/invite; the reference's /group/:gid/invite/:target works too.
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{n1.Id}/{c.Id}/invite", jwt: alice.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/{n2.Id}/invite/{c.Id}", jwt: alice.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/{n3.Id}/{c.Id}/invite", jwt: alice.Jwt)).Ok);
        Assert.Equal(307, (await app.SendAsync(HttpMethod.Patch, $"/group/{n2.Id}/invite/{c.Id}", jwt: alice.Jwt)).ErrCode);
        Assert.Equal(307, (await app.SendAsync(HttpMethod.Delete, $"/group/{n3.Id}/{c.Id}/invite", jwt: alice.Jwt)).ErrCode);
        Assert.True((await app.SendGroupAsync(HttpMethod.Put, $"/group/{c.Id}/invite_group/{n2.Id}", GroupBuilder.KeysBody(c), alice.Jwt, root.Id)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{n2.Id}/invite/{c.Id}", jwt: alice.Jwt)).Ok);

        Assert.Equal((3, 2), await groups.MemberAsync(c, n1.Id)); // §8 #6: type 2, never 1
        Assert.Equal((4, 2), await groups.MemberAsync(c, n2.Id));
        Assert.Null(await groups.MemberAsync(c, n3.Id));
        Assert.Equal((2L, 2L, 0L), (await groups.KeyRowsAsync(c, n1.Id), await groups.KeyRowsAsync(c, n2.Id), await groups.KeyRowsAsync(c, n3.Id)));

        // Members of n1 reach c through the header and see it as GroupAsUser.
        ApiAnswer asMember = await app.SendGroupAsync(HttpMethod.Get, $"/group/{c.Id}", null, alice.Jwt, n1.Id);
        Assert.True(asMember.Ok, asMember.Text);
        Assert.Equal(n1.Id, asMember.Result.GetProperty("access_by").GetProperty("GroupAsUser").GetString());
        Assert.Equal(2, asMember.Result.GetProperty("keys").GetArrayLength());
    }

    [Theory, Databases]
    public async Task InviteGroup_ConnectedRules_ComeFirst_AndForceSkipsThem(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        (_, GroupBuilder groups, TestUser alice, TestGroup root, TestGroup c) = await WorldAsync(app);
        TestUser bob = await app.RegisterAsync("bob");
        TestGroup n1 = await groups.CreateAsync(alice);
        TestGroup n2 = await groups.CreateAsync(alice);
        TestGroup c2 = await groups.CreateUnderAsync(alice, n2, "connected");
        await groups.AddMemberAsync(c, bob.UserId, rank: 3);
        string userGroup = await GroupKit.ScalarAsync(app, "SELECT user_group_id FROM app_user WHERE id = @id", new { id = bob.UserId });
        string keys = GroupBuilder.KeysBody(c);

        Assert.Equal(319, (await app.SendAsync(HttpMethod.Put, $"/group/{n1.Id}/invite_group/{n2.Id}", GroupBuilder.KeysBody(n1), jwt: alice.Jwt)).ErrCode);
        Assert.Equal(319, (await app.SendGroupAsync(HttpMethod.Put, $"/group/{c.Id}/invite_group/{c2.Id}", keys, alice.Jwt, root.Id)).ErrCode);
        Assert.Equal(319, (await app.SendAsync(HttpMethod.Put, $"/group/{c.Id}/invite_group/{c2.Id}", keys, jwt: bob.Jwt)).ErrCode); // 1 before 2
        Assert.Equal(310, (await app.SendGroupAsync(HttpMethod.Put, $"/group/{c.Id}/invite_group/{NewId.Uuid()}", keys, alice.Jwt, root.Id)).ErrCode);
        Assert.Equal(310, (await app.SendGroupAsync(HttpMethod.Put, $"/group/{c.Id}/invite_group_auto/{userGroup}", keys, alice.Jwt, root.Id)).ErrCode);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Put, $"/group/{c.Id}/invite_group/{n1.Id}", keys, jwt: bob.Jwt)).ErrCode);

        ApiAnswer auto = await app.SendGroupAsync(HttpMethod.Put, $"/group/{c.Id}/invite_group_auto/{n1.Id}", keys, alice.Jwt, root.Id);
        Assert.True(auto.Ok, auto.Text);
        Assert.Equal((4, 2), await groups.MemberAsync(c, n1.Id));
        Assert.Equal(302, (await app.SendGroupAsync(HttpMethod.Put, $"/group/{c.Id}/invite_group_auto/{n1.Id}", keys, alice.Jwt, root.Id)).ErrCode);

        // _force: secret token only; no connected-group checks (a normal group takes a group member), targets still exist.
        string force = $"/group/{n1.Id}/invite_group_auto_force/{n2.Id}";
        Assert.Equal(203, (await app.SendAsync(HttpMethod.Put, force, GroupBuilder.KeysBody(n1), jwt: alice.Jwt)).ErrCode);
        Assert.True((await app.SendAsync(HttpMethod.Put, force, GroupBuilder.KeysBody(n1), appToken: app.SecretToken, jwt: alice.Jwt)).Ok);
        Assert.Equal((4, 2), await groups.MemberAsync(n1, n2.Id));
        Assert.Equal(310, (await app.SendAsync(
            HttpMethod.Put, $"/group/{n1.Id}/invite_group_auto_force/{NewId.Uuid()}/light", "{}", appToken: app.SecretToken, jwt: alice.Jwt)).ErrCode);
        Assert.True((await app.SendAsync(
            HttpMethod.Put, $"/group/{n1.Id}/invite_group_auto_force/{c2.Id}/light", GroupBuilder.LightBody(2), appToken: app.SecretToken, jwt: alice.Jwt)).Ok);
        Assert.Equal((2, 2), await groups.MemberAsync(n1, c2.Id));

        // Re-invite of a member group keeps its rank; re_invite_group_force needs the secret token.
        Assert.True((await app.SendGroupAsync(HttpMethod.Put, $"/group/{c.Id}/re_invite_group/{n1.Id}", keys, alice.Jwt, root.Id)).Ok);
        Assert.Equal(320, (await app.SendGroupAsync(HttpMethod.Put, $"/group/{c.Id}/re_invite_group/{n2.Id}", keys, alice.Jwt, root.Id)).ErrCode);
        Assert.Equal(203, (await app.SendAsync(HttpMethod.Put, $"/group/{n1.Id}/re_invite_group_force/{n2.Id}", GroupBuilder.KeysBody(n1), jwt: alice.Jwt)).ErrCode);
        Assert.True((await app.SendAsync(
            HttpMethod.Put, $"/group/{n1.Id}/re_invite_group_force/{n2.Id}", GroupBuilder.KeysBody(n1), appToken: app.SecretToken, jwt: alice.Jwt)).Ok);
        Assert.Equal((4, 2), await groups.MemberAsync(n1, n2.Id));
    }

    [Theory, Databases]
    public async Task GroupRequests_OnBehalfOfAGroup_NeedRankOneInIt(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        (_, GroupBuilder groups, TestUser alice, TestGroup root, TestGroup c) = await WorldAsync(app);
        TestUser bob = await app.RegisterAsync("bob");
        TestGroup n1 = await groups.CreateAsync(alice);
        await groups.AddMemberAsync(n1, bob.UserId, rank: 2);
        Assert.True((await app.SendGroupAsync(HttpMethod.Put, $"/group/{c.Id}/invite_group/{n1.Id}", GroupBuilder.KeysBody(c), alice.Jwt, root.Id)).Ok);

        Assert.Equal(301, (await app.SendAsync(HttpMethod.Get, $"/group/{n1.Id}/invite/0/none", jwt: bob.Jwt)).ErrCode);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Patch, $"/group/{n1.Id}/{c.Id}/invite", jwt: bob.Jwt)).ErrCode);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Delete, $"/group/{n1.Id}/invite/{c.Id}", jwt: bob.Jwt)).ErrCode);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Patch, $"/group/{n1.Id}/join_req/{c.Id}", jwt: bob.Jwt)).ErrCode);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Get, $"/group/{n1.Id}/joins/0/none", jwt: bob.Jwt)).ErrCode);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Delete, $"/group/{n1.Id}/joins/{c.Id}", jwt: bob.Jwt)).ErrCode);
        Assert.Equal(1, await groups.RequestsAsync(c, n1.Id, kind: 0));
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Patch, $"/group/{NewId.Uuid()}/{c.Id}/invite", jwt: alice.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task GroupJoinRequest_SendListAcceptWithdraw(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        (_, GroupBuilder groups, TestUser alice, TestGroup root, TestGroup c) = await WorldAsync(app);
        TestGroup n1 = await groups.CreateAsync(alice);
        TestGroup n2 = await groups.CreateAsync(alice);
        TestGroup c2 = await groups.CreateUnderAsync(alice, n2, "connected");

        Assert.Equal(319, (await app.SendGroupAsync(HttpMethod.Patch, $"/group/{c.Id}/join_req/{c2.Id}", null, alice.Jwt, root.Id)).ErrCode); // requester connected
        Assert.Equal(319, (await app.SendAsync(HttpMethod.Patch, $"/group/{n1.Id}/join_req/{n2.Id}", jwt: alice.Jwt)).ErrCode); // target not connected
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Patch, $"/group/{n1.Id}/join_req/{NewId.Uuid()}", jwt: alice.Jwt)).ErrCode);

        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{n1.Id}/join_req/{c.Id}", jwt: alice.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{n2.Id}/join_req/{c.Id}", jwt: alice.Jwt)).Ok);
        Assert.Equal(c.Id, Assert.Single((await app.SendAsync(HttpMethod.Get, $"/group/{n1.Id}/joins/0/none", jwt: alice.Jwt)).Result.EnumerateArray())
            .GetProperty("group_id").GetString());
        JsonElement[] requests = [.. (await app.SendGroupAsync(HttpMethod.Get, $"/group/{c.Id}/join_req/0/none", null, alice.Jwt, root.Id)).Result.EnumerateArray()];
        Assert.Equal(
            new[] { (n1.Id, 2), (n2.Id, 2) }.Order(),
            requests.Select(r => (r.GetProperty("user_id").GetString()!, r.GetProperty("user_type").GetInt32())).Order());

        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/{n2.Id}/joins/{c.Id}", jwt: alice.Jwt)).Ok);
        Assert.Empty((await app.SendAsync(HttpMethod.Get, $"/group/{n2.Id}/joins/0/none", jwt: alice.Jwt)).Result.EnumerateArray());
        ApiAnswer accepted = await app.SendGroupAsync(HttpMethod.Put, $"/group/{c.Id}/join_req/{n1.Id}", GroupBuilder.KeysBody(c), alice.Jwt, root.Id);
        Assert.True(accepted.Ok, accepted.Text);
        Assert.Equal((4, 2), await groups.MemberAsync(c, n1.Id));
        Assert.Equal(2, await groups.KeyRowsAsync(c, n1.Id));
    }

    [Theory, Databases]
    public async Task Leave_AsMemberGroup_NeedsRankOneInTheMemberGroup(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        (_, GroupBuilder groups, TestUser alice, TestGroup root, TestGroup c) = await WorldAsync(app);
        TestUser bob = await app.RegisterAsync("bob");
        TestGroup n1 = await groups.CreateAsync(alice);
        await groups.AddMemberAsync(n1, bob.UserId, rank: 2);
        Assert.True((await app.SendGroupAsync(HttpMethod.Put, $"/group/{c.Id}/invite_group_auto/{n1.Id}", GroupBuilder.KeysBody(c), alice.Jwt, root.Id)).Ok);

        Assert.Equal(301, (await app.SendGroupAsync(HttpMethod.Delete, $"/group/{c.Id}/leave", null, bob.Jwt, n1.Id)).ErrCode);
        Assert.NotNull(await groups.MemberAsync(c, n1.Id));
        Assert.True((await app.SendGroupAsync(HttpMethod.Delete, $"/group/{c.Id}/leave", null, alice.Jwt, n1.Id)).Ok);
        Assert.Null(await groups.MemberAsync(c, n1.Id));
        Assert.Equal(0, await groups.KeyRowsAsync(c, n1.Id));

        // The creator row of a connected group (root, rank 0) is the only admin: it cannot leave.
        Assert.Equal(308, (await app.SendGroupAsync(HttpMethod.Delete, $"/group/{c.Id}/leave", null, alice.Jwt, root.Id)).ErrCode);
    }
}
