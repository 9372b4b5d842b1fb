using System.Net;
using System.Text.Json;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Groups;

/// <summary>Invites of users (api.md §4.7, §4.19, §8 #5, #8, #16–#18, #20) through the real pipeline.</summary>
public sealed class GroupInviteTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task Invite_UserAccepts_BecomesMemberWithTheSentKeys(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        TestGroup group = await groups.CreateAsync(alice, keys: 2);

        ApiAnswer invited = await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/{bob.UserId}", GroupBuilder.KeysBody(group, rank: 3), jwt: alice.Jwt);
        Assert.True(invited.Ok, invited.Text);
        Assert.False(invited.Result.TryGetProperty("session_id", out _)); // no session without key_session (§4.6)
        Assert.Equal(2, await groups.KeyRowsAsync(group, bob.UserId)); // keys stored with the invite
        Assert.Null(await groups.MemberAsync(group, bob.UserId));

        ApiAnswer list = await app.SendAsync(HttpMethod.Get, "/group/invite/0/none", jwt: bob.Jwt);
        Assert.Equal(group.Id, Assert.Single(list.Result.EnumerateArray()).GetProperty("group_id").GetString());

        ApiAnswer accepted = await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/invite", jwt: bob.Jwt);
        Assert.True(accepted.Ok, accepted.Text);
        Assert.Equal((3, 0), await groups.MemberAsync(group, bob.UserId));
        Assert.Equal(2, await groups.KeyRowsAsync(group, bob.UserId));
        Assert.Empty((await app.SendAsync(HttpMethod.Get, "/group/invite/0/none", jwt: bob.Jwt)).Result.EnumerateArray());

        ApiAnswer again = await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/invite", jwt: bob.Jwt);
        Assert.Equal(307, again.ErrCode);
    }

    [Theory, Databases]
    public async Task Invite_UserRejects_InviteAndItsKeysAreGone(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        TestGroup group = await groups.CreateAsync(alice, keys: 2);
        Assert.True((await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/{bob.UserId}", GroupBuilder.KeysBody(group), jwt: alice.Jwt)).Ok);

        ApiAnswer rejected = await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/invite", jwt: bob.Jwt);
        Assert.True(rejected.Ok, rejected.Text);
        Assert.Equal(0, await groups.KeyRowsAsync(group, bob.UserId));
        Assert.Equal(0, await groups.RequestsAsync(group, bob.UserId, kind: 0));
        Assert.Equal(307, (await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/invite", jwt: bob.Jwt)).ErrCode);
        Assert.Equal(307, (await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/invite", jwt: bob.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task Invite_EachRuleBroken_AnswersItsCodeInTheOrderOfTheSpec(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser member = await app.RegisterAsync("member");
        TestUser manager = await app.RegisterAsync("manager");
        string bob = await groups.RegisterOnlyAsync("bob");
        string carol = await groups.RegisterOnlyAsync("carol");
        TestGroup group = await groups.CreateAsync(alice, keys: 2);
        TestGroup other = await groups.CreateAsync(alice);
        await groups.AddMemberAsync(group, member.UserId, rank: 3);
        await groups.AddMemberAsync(group, manager.UserId, rank: 2);
        string keys = GroupBuilder.KeysBody(group);
        string empty = GroupBuilder.KeysBody([]);
        string tooMany = GroupBuilder.KeysBody(Enumerable.Repeat(group.KeyIds[0], 101));
        string unknown = "00000000-0000-4000-8000-000000000001";

        async Task<int> Invite(TestUser by, string target, string body, string path = "invite") =>
            (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/{path}/{target}", body, jwt: by.Jwt)).ErrCode;

        Assert.Equal(301, await Invite(member, bob, empty)); // 2 before 3
        Assert.Equal(303, await Invite(alice, bob, empty));
        Assert.Equal(305, await Invite(alice, bob, tooMany));
        Assert.Equal(301, await Invite(alice, bob, GroupBuilder.KeysBody(group, rank: 0)));
        Assert.Equal(301, await Invite(alice, bob, GroupBuilder.KeysBody(group, rank: 5))); // §8 #18
        Assert.Equal(301, await Invite(manager, bob, GroupBuilder.KeysBody(group, rank: 1))); // stronger than the inviter
        Assert.Equal(100, await Invite(alice, unknown, keys)); // §8 #17
        Assert.Equal(100, await Invite(alice, group.Id, keys)); // a group id is no user
        Assert.Equal(302, await Invite(alice, member.UserId, keys));
        Assert.Equal(304, await Invite(alice, bob, GroupBuilder.KeysBody(other)));
        Assert.Equal(0, await Invite(alice, bob, keys));
        ApiAnswer pending = await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite_auto/{bob}", keys, jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.BadRequest, 302), (pending.Status, pending.ErrCode)); // §8 #20: HTTP 400

        await groups.SetInviteOpenAsync(group, open: false);
        Assert.Equal(303, await Invite(alice, carol, empty)); // 3 before 4
        Assert.Equal(317, await Invite(alice, carol, GroupBuilder.KeysBody(group, rank: 9))); // 4 before 5
        Assert.Equal(317, await Invite(alice, unknown, keys)); // 4 before 6
        Assert.Equal(317, await Invite(alice, carol, keys, "invite_auto"));
        Assert.Equal(317, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/{carol}/light", GroupBuilder.LightBody(), jwt: alice.Jwt)).ErrCode);
        Assert.Equal(317, await Invite(alice, member.UserId, keys, "re_invite"));

        // Pipeline errors: no access, bad group id, body.
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/{carol}", keys, jwt: (await app.RegisterAsync("eve")).Jwt)).ErrCode);
        Assert.Equal(1, (await app.SendAsync(HttpMethod.Put, $"/group/not-a-uuid/invite/{carol}", keys, jwt: alice.Jwt)).ErrCode);
        Assert.Equal(11, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/{carol}", "{\"keys\":1}", jwt: alice.Jwt)).ErrCode);

        // Nothing was written by any failed call.
        Assert.Equal(0, await groups.CountAsync("SELECT COUNT(*) FROM member_key WHERE member_id = @carol", new { carol }));
        Assert.Equal(0, await groups.CountAsync("SELECT COUNT(*) FROM membership_request WHERE member_id = @carol", new { carol }));
    }

    [Theory, Databases]
    public async Task InviteAuto_MakesAMemberAtOnce_AndDropsAPendingJoinRequest(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        TestUser carol = await app.RegisterAsync("carol");
        TestGroup group = await groups.CreateAsync(alice, keys: 3);
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/join_req", jwt: bob.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/join_req", jwt: carol.Jwt)).Ok);

        ApiAnswer auto = await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite_auto/{bob.UserId}", GroupBuilder.KeysBody(group, rank: 2), jwt: alice.Jwt);
        Assert.True(auto.Ok, auto.Text);
        Assert.Equal((2, 0), await groups.MemberAsync(group, bob.UserId));
        Assert.Equal(3, await groups.KeyRowsAsync(group, bob.UserId));
        Assert.Equal(0, await groups.RequestsAsync(group, bob.UserId, kind: 1)); // §8 #16

        // An invite replaces the join request; rejecting it leaves no keys behind (§8 #16).
        Assert.True((await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/{carol.UserId}", GroupBuilder.KeysBody(group), jwt: alice.Jwt)).Ok);
        Assert.Equal((0, 1), (await groups.RequestsAsync(group, carol.UserId, kind: 1), await groups.RequestsAsync(group, carol.UserId, kind: 0)));
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/invite", jwt: carol.Jwt)).Ok);
        Assert.Equal(0, await groups.KeyRowsAsync(group, carol.UserId));
        Assert.Equal(0, await groups.CountAsync("SELECT COUNT(*) FROM membership_request WHERE member_id = @m", new { m = carol.UserId }));
    }

    [Theory, Databases]
    public async Task InviteLight_AndAutoLight_WorkWithoutKeys(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        string carol = await groups.RegisterOnlyAsync("carol");
        TestGroup group = await groups.CreateAsync(alice);

        ApiAnswer light = await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/{bob.UserId}/light", "{}", jwt: alice.Jwt);
        Assert.True(light.Ok, light.Text);
        Assert.Equal("Success", light.Result.GetString());
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/invite", jwt: bob.Jwt)).Ok);
        Assert.Equal((4, 0), await groups.MemberAsync(group, bob.UserId));

        Assert.True((await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite_auto/{carol}/light", GroupBuilder.LightBody(3), jwt: alice.Jwt)).Ok);
        Assert.Equal((3, 0), await groups.MemberAsync(group, carol));
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite_auto/{carol}/light", GroupBuilder.LightBody(7), jwt: alice.Jwt)).ErrCode);
        Assert.Equal(302, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite_auto/{carol}/light", GroupBuilder.LightBody(), jwt: alice.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task KeySession_GroupWithMoreThan50Keys_NewMemberGetsEveryKey(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        string carol = await groups.RegisterOnlyAsync("carol");
        TestGroup group = await groups.CreateAsync(alice, keys: 120);

        // The client sends the first 50 keys with key_session = true (§8 #8: a session even with fewer than 100)…
        ApiAnswer invited = await app.SendAsync(
            HttpMethod.Put, $"/group/{group.Id}/invite/{bob.UserId}", GroupBuilder.KeysBody(group.KeyIds.Take(50), keySession: true), jwt: alice.Jwt);
        Assert.True(invited.Ok, invited.Text);
        string session = invited.Result.GetProperty("session_id").GetString()!;

        // …then the other pages in parallel, overlapping.
        ApiAnswer[] pages = await Task.WhenAll(
            app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/session/{session}", GroupBuilder.KeysArray(group.KeyIds.Skip(45).Take(50)), jwt: alice.Jwt),
            app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/session/{session}", GroupBuilder.KeysArray(group.KeyIds.Skip(95)), jwt: alice.Jwt));
        Assert.All(pages, p => Assert.True(p.Ok, p.Text));
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/invite", jwt: bob.Jwt)).Ok);
        Assert.Equal(120, await groups.KeyRowsAsync(group, bob.UserId));

        // What bob's client sees: every key, page by page (50 newest first, then on from the last one).
        var seen = new HashSet<string>();
        string next = "/0/none";
        for (int page = 0; page < 5; page++)
        {
            ApiAnswer keys = await app.SendAsync(HttpMethod.Get, $"/group/{group.Id}/keys{next}", jwt: bob.Jwt);
            Assert.True(keys.Ok, keys.Text);
            JsonElement[] items = [.. keys.Result.EnumerateArray()];
            seen.UnionWith(items.Select(k => k.GetProperty("group_key_id").GetString()!));
            if (items.Length < 50)
            {
                break;
            }

            next = $"/{items[^1].GetProperty("time").GetInt64()}/{items[^1].GetProperty("group_key_id").GetString()}";
        }

        Assert.Equal(group.KeyIds.Order(), seen.Order());

        // Auto invite: the session belongs to the membership (join_req/session).
        ApiAnswer auto = await app.SendAsync(
            HttpMethod.Put, $"/group/{group.Id}/invite_auto/{carol}", GroupBuilder.KeysBody(group.KeyIds.Take(50), keySession: true), jwt: alice.Jwt);
        string memberSession = auto.Result.GetProperty("session_id").GetString()!;
        foreach (IEnumerable<string> page in (IEnumerable<string>[])[group.KeyIds.Skip(50).Take(50), group.KeyIds.Skip(100)])
        {
            ApiAnswer added = await app.SendAsync(
                HttpMethod.Put, $"/group/{group.Id}/join_req/session/{memberSession}", GroupBuilder.KeysArray(page), jwt: alice.Jwt);
            Assert.True(added.Ok, added.Text);
        }

        Assert.Equal(120, await groups.KeyRowsAsync(group, carol));
    }

    [Theory, Databases]
    public async Task KeySession_OfAnInvite_StillTakesKeysAfterTheInviteWasAccepted(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        TestGroup group = await groups.CreateAsync(alice, keys: 60);
        string session = (await app.SendAsync(
                HttpMethod.Put, $"/group/{group.Id}/invite/{bob.UserId}", GroupBuilder.KeysBody(group.KeyIds.Take(50), keySession: true), jwt: alice.Jwt))
            .Result.GetProperty("session_id").GetString()!;

        // Bob accepts before the inviter's second page arrives: the session moved to the membership.
        Assert.True((await app.SendAsync(HttpMethod.Patch, $"/group/{group.Id}/invite", jwt: bob.Jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/session/{session}", GroupBuilder.KeysArray(group.KeyIds.Skip(50)), jwt: alice.Jwt)).Ok);
        Assert.Equal(60, await groups.KeyRowsAsync(group, bob.UserId));
        Assert.Equal(50, (await app.SendAsync(HttpMethod.Get, $"/group/{group.Id}", jwt: bob.Jwt)).Result.GetProperty("keys").GetArrayLength()); // first page
    }

    [Theory, Databases]
    public async Task KeySession_UnknownExpiredOrBadBody_IsRejected(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        string bob = await groups.RegisterOnlyAsync("bob");
        string carol = await groups.RegisterOnlyAsync("carol");
        TestGroup group = await groups.CreateAsync(alice, keys: 3);
        TestGroup other = await groups.CreateAsync(alice);
        string invite = (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/{bob}", GroupBuilder.KeysBody(group.KeyIds.Take(1), keySession: true), jwt: alice.Jwt))
            .Result.GetProperty("session_id").GetString()!;
        string member = (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite_auto/{carol}", GroupBuilder.KeysBody(group.KeyIds.Take(1), keySession: true), jwt: alice.Jwt))
            .Result.GetProperty("session_id").GetString()!;
        string rest = GroupBuilder.KeysArray(group.KeyIds.Skip(1));

        Assert.Equal(306, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/session/{NewId.Uuid()}", rest, jwt: alice.Jwt)).ErrCode);
        Assert.Equal(306, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/join_req/session/{invite}", rest, jwt: alice.Jwt)).ErrCode); // not a membership
        Assert.Equal(306, (await app.SendAsync(HttpMethod.Put, $"/group/{other.Id}/invite/session/{invite}", rest, jwt: alice.Jwt)).ErrCode); // other group
        Assert.Equal(303, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/session/{invite}", "[]", jwt: alice.Jwt)).ErrCode);
        Assert.Equal(305, (await app.SendAsync(
            HttpMethod.Put, $"/group/{group.Id}/invite/session/{invite}", GroupBuilder.KeysArray(Enumerable.Repeat(group.KeyIds[1], 101)), jwt: alice.Jwt)).ErrCode);
        Assert.Equal(304, (await app.SendAsync(
            HttpMethod.Put, $"/group/{group.Id}/invite/session/{invite}", GroupBuilder.KeysArray(other.KeyIds), jwt: alice.Jwt)).ErrCode);

        app.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(306, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/session/{invite}", rest, jwt: (await app.LoginAsync("alice")).Jwt)).ErrCode);
        Assert.Equal(306, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/join_req/session/{member}", rest, jwt: (await app.LoginAsync("alice")).Jwt)).ErrCode);
        Assert.Equal(1, await groups.KeyRowsAsync(group, bob));
    }

    [Theory, Databases]
    public async Task ReInvite_ValidatesBeforeRemovingAnything(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser member = await app.RegisterAsync("member");
        string bob = await groups.RegisterOnlyAsync("bob");
        TestGroup group = await groups.CreateAsync(alice, keys: 2);
        await groups.AddMemberAsync(group, member.UserId, rank: 4);
        string keys = GroupBuilder.KeysBody(group);

        // §8 #5: a rank-4 member cannot remove the creator through re-invite, nor can anyone while invites are stopped.
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/re_invite/{alice.UserId}", keys, jwt: member.Jwt)).ErrCode);
        Assert.Equal(303, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/re_invite/{member.UserId}", GroupBuilder.KeysBody([]), jwt: alice.Jwt)).ErrCode);
        await groups.SetInviteOpenAsync(group, open: false);
        Assert.Equal(317, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/re_invite/{member.UserId}", keys, jwt: alice.Jwt)).ErrCode);
        await groups.SetInviteOpenAsync(group, open: true);
        Assert.Equal(320, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/re_invite/{bob}", keys, jwt: alice.Jwt)).ErrCode);
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/re_invite/{NewId.Uuid()}", keys, jwt: alice.Jwt)).ErrCode);
        Assert.Equal((0, 0), await groups.MemberAsync(group, alice.UserId));
        Assert.Equal(2, await groups.KeyRowsAsync(group, alice.UserId));
        Assert.Equal((4, 0), await groups.MemberAsync(group, member.UserId));

        // Success: old keys and pending rotations gone, new keys in, rank kept (the creator stays 0).
        await groups.AddPendingRotationAsync(group, member.UserId);
        ApiAnswer reInvited = await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/re_invite/{member.UserId}", GroupBuilder.KeysBody(group.KeyIds.Take(1), rank: 1), jwt: alice.Jwt);
        Assert.True(reInvited.Ok, reInvited.Text);
        Assert.Equal((4, 0), await groups.MemberAsync(group, member.UserId)); // rank in the body is ignored
        Assert.Equal(1, await groups.KeyRowsAsync(group, member.UserId));
        Assert.Equal("enc-for-new-device-" + group.KeyIds[0], await groups.KeyCopyAsync(group, group.KeyIds[0], member.UserId));
        Assert.Equal(0, await groups.CountAsync("SELECT COUNT(*) FROM rotation_pending WHERE member_id = @m", new { m = member.UserId }));

        Assert.True((await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/re_invite/{alice.UserId}", keys, jwt: alice.Jwt)).Ok);
        Assert.Equal((0, 0), await groups.MemberAsync(group, alice.UserId));
    }

    [Theory, Databases]
    public async Task Init_ReturnsTheFirstPageOfInvitesNewestFirst(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        var invitedTo = new List<string>();
        for (int i = 0; i < 52; i++)
        {
            TestGroup group = await groups.CreateAsync(alice);
            app.Clock.Advance(TimeSpan.FromMilliseconds(1));
            Assert.True((await app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/{bob.UserId}/light", "{}", jwt: alice.Jwt)).Ok);
            invitedTo.Add(group.Id);
        }

        ApiAnswer init = await app.SendAsync(HttpMethod.Post, "/init", Bodies.RefreshToken(bob.RefreshToken), jwt: bob.Jwt);
        Assert.True(init.Ok, init.Text);
        string[] first = [.. init.Result.GetProperty("invites").EnumerateArray().Select(i => i.GetProperty("group_id").GetString()!)];
        Assert.Equal(invitedTo.AsEnumerable().Reverse().Take(50), first);

        // GET /group/invite pages on with the last item's time and id.
        JsonElement last = init.Result.GetProperty("invites")[49];
        ApiAnswer next = await app.SendAsync(
            HttpMethod.Get, $"/group/invite/{last.GetProperty("time").GetInt64()}/{last.GetProperty("group_id").GetString()}", jwt: bob.Jwt);
        Assert.Equal(invitedTo.Take(2).Reverse(), next.Result.EnumerateArray().Select(i => i.GetProperty("group_id").GetString()!));
        Assert.Equal(13, (await app.SendAsync(HttpMethod.Get, "/group/invite/x/none", jwt: bob.Jwt)).ErrCode);
    }

}
