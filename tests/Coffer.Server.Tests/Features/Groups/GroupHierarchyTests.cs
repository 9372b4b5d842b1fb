using System.Text.Json;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Groups;

/// <summary>Child and connected groups (api.md §4.9, §4.10, §5): deep hierarchies, nearest ancestor, member groups.</summary>
public sealed class GroupHierarchyTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task Child_FourLevels_ParentMembersReachEveryLevelWithTheNearestAncestorsRank(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser carol = await app.RegisterAsync("carol");
        TestUser dave = await app.RegisterAsync("dave");
        string a = await GroupKit.CreateAsync(app, alice);
        string b = await GroupKit.CreateUnderAsync(app, alice, a, "child");
        string c = await GroupKit.CreateUnderAsync(app, alice, b, "child");
        string d = await GroupKit.CreateUnderAsync(app, alice, c, "child");

        // The creator row of a child is its parent (type 1, rank 0), holding the child's first key.
        Assert.Equal(1, await GroupKit.CountAsync(
            app, "SELECT COUNT(*) FROM group_member WHERE group_id = @d AND member_id = @c AND member_type = 1 AND rank = 0", new { c, d }));
        Assert.Equal(1, await GroupKit.CountAsync(app, "SELECT COUNT(*) FROM member_key WHERE group_id = @d AND member_id = @c", new { c, d }));

        ApiAnswer deep = await app.SendAsync(HttpMethod.Get, $"/group/{d}", jwt: alice.Jwt);
        Assert.True(deep.Ok, deep.Text);
        Assert.Equal(c, deep.Result.GetProperty("parent_group_id").GetString());
        Assert.Equal(a, deep.Result.GetProperty("access_by").GetProperty("Parent").GetString());
        Assert.Equal(0, deep.Result.GetProperty("rank").GetInt32());
        JsonElement key = Assert.Single(deep.Result.GetProperty("keys").EnumerateArray());
        Assert.Equal(await GroupKit.CurrentKeyAsync(app, c), key.GetProperty("user_public_key_id").GetString());

        // carol is a direct member of B (rank 3); dave of A (rank 1) and of C (rank 4): the nearest ancestor decides.
        await GroupKit.AddMemberAsync(app, b, carol.UserId, rank: 3);
        await GroupKit.AddMemberAsync(app, a, dave.UserId, rank: 1);
        await GroupKit.AddMemberAsync(app, c, dave.UserId, rank: 4);
        Assert.Equal((3, b), await RankAndViaAsync(app, carol, d));
        Assert.Equal((4, c), await RankAndViaAsync(app, dave, d));
        Assert.Equal((1, a), await RankAndViaAsync(app, dave, b));
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Get, $"/group/{a}", jwt: carol.Jwt)).ErrCode);

        // Creating below needs r ≤ 1 at that level: dave may under B (rank 1 via A), not under D (rank 4 via C).
        Assert.True((await app.SendAsync(HttpMethod.Post, $"/group/{b}/child/light", jwt: dave.Jwt)).Ok);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Post, $"/group/{d}/child/light", jwt: dave.Jwt)).ErrCode);

        // A rank change in the ancestor applies below immediately.
        Assert.True((await app.SendAsync(HttpMethod.Put, $"/group/{b}/change_rank", """{"changed_user_id":"CAROL","new_rank":1}""".Replace("CAROL", carol.UserId), jwt: alice.Jwt)).Ok);
        Assert.Equal((1, b), await RankAndViaAsync(app, carol, d));
    }

    [Theory, Databases]
    public async Task Connected_FromNormalGroup_CreatorRowIsTheGroupAsMember(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string m = await GroupKit.CreateAsync(app, alice);
        string x = await GroupKit.CreateUnderAsync(app, alice, m, "connected");
        Assert.Equal(1, await GroupKit.CountAsync(
            app, "SELECT COUNT(*) FROM group_member WHERE group_id = @x AND member_id = @m AND member_type = 2 AND rank = 0", new { m, x }));

        // Alice has no row in X herself: she reaches it only as member group M.
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Get, $"/group/{x}", jwt: alice.Jwt)).ErrCode);
        ApiAnswer asM = await app.SendGroupAsync(HttpMethod.Get, $"/group/{x}", null, alice.Jwt, accessGroup: m);
        Assert.True(asM.Ok, asM.Text);
        Assert.True(asM.Result.GetProperty("is_connected_group").GetBoolean());
        Assert.Equal(JsonValueKind.Null, asM.Result.GetProperty("parent_group_id").ValueKind);
        Assert.Equal(m, asM.Result.GetProperty("access_by").GetProperty("GroupAsUser").GetString());
        Assert.Equal(await GroupKit.CurrentKeyAsync(app, m), asM.Result.GetProperty("keys")[0].GetProperty("user_public_key_id").GetString());

        // Connected from connected: 318 (also via the forced route); a child of a connected group is connected.
        ApiAnswer again = await app.SendGroupAsync(HttpMethod.Post, $"/group/{x}/connected", GroupKit.CreateBody("k"), alice.Jwt, accessGroup: m);
        Assert.Equal(318, again.ErrCode);
        Assert.Equal(318, (await app.SendGroupAsync(HttpMethod.Post, $"/group/{x}/connected/light", null, alice.Jwt, accessGroup: m)).ErrCode);
        string y = await GroupKit.CreateUnderAsync(app, alice, x, "child", accessGroup: m);
        ApiAnswer child = await app.SendGroupAsync(HttpMethod.Get, $"/group/{y}/light", null, alice.Jwt, accessGroup: m);
        Assert.True(child.Result.GetProperty("is_connected_group").GetBoolean());
        Assert.Equal(318, (await app.SendGroupAsync(HttpMethod.Post, $"/group/{y}/connected/light", null, alice.Jwt, accessGroup: m)).ErrCode);

        // GET /group/:gid/all lists where M is a member (X, type 2), not its children (type 1 rows).
        await app.SendAsync(HttpMethod.Post, $"/group/{m}/child/light", jwt: alice.Jwt);
        ApiAnswer memberships = await app.SendAsync(HttpMethod.Get, $"/group/{m}/all/0/none", jwt: alice.Jwt);
        JsonElement only = Assert.Single(memberships.Result.EnumerateArray());
        Assert.Equal((x, 0), (only.GetProperty("group_id").GetString(), only.GetProperty("rank").GetInt32()));
    }

    [Theory, Databases]
    public async Task Connected_ReachedViaChildOfMemberGroup_UsesTheWeakerRank(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        string p = await GroupKit.CreateAsync(app, alice);
        string c = await GroupKit.CreateUnderAsync(app, alice, p, "child");
        string x = await GroupKit.CreateUnderAsync(app, alice, c, "connected"); // alice reaches C via P (rank 0)
        string y = await GroupKit.CreateUnderAsync(app, alice, x, "child", accessGroup: c);
        await GroupKit.AddMemberAsync(app, p, bob.UserId, rank: 2);

        ApiAnswer direct = await app.SendGroupAsync(HttpMethod.Get, $"/group/{x}", null, bob.Jwt, accessGroup: c);
        Assert.True(direct.Ok, direct.Text);
        Assert.Equal((2, c), (direct.Result.GetProperty("rank").GetInt32(), direct.Result.GetProperty("access_by").GetProperty("GroupAsUser").GetString()));

        ApiAnswer viaParent = await app.SendGroupAsync(HttpMethod.Get, $"/group/{y}", null, bob.Jwt, accessGroup: c);
        Assert.True(viaParent.Ok, viaParent.Text);
        JsonElement by = viaParent.Result.GetProperty("access_by").GetProperty("GroupAsUserAsParent");
        Assert.Equal((x, c), (by.GetProperty("parent").GetString(), by.GetProperty("group_as_user").GetString()));
        Assert.Equal(await GroupKit.CurrentKeyAsync(app, x), viaParent.Result.GetProperty("keys")[0].GetProperty("user_public_key_id").GetString());

        // bob's effective rank 2 cannot create below X; without the header he has no access at all.
        Assert.Equal(301, (await app.SendGroupAsync(HttpMethod.Post, $"/group/{x}/child/light", null, bob.Jwt, accessGroup: c)).ErrCode);
        Assert.Equal(310, (await app.SendAsync(HttpMethod.Get, $"/group/{x}", jwt: bob.Jwt)).ErrCode);
        Assert.Equal(310, (await app.SendGroupAsync(HttpMethod.Get, $"/group/{x}", null, bob.Jwt, accessGroup: y)).ErrCode);
    }

    private static async Task<(int Rank, string Via)> RankAndViaAsync(TestApp app, TestUser user, string group)
    {
        ApiAnswer answer = await app.SendAsync(HttpMethod.Get, $"/group/{group}/light", jwt: user.Jwt);
        Assert.True(answer.Ok, answer.Text);
        JsonElement by = answer.Result.GetProperty("access_by");
        return (answer.Result.GetProperty("rank").GetInt32(), by.ValueKind == JsonValueKind.String ? "User" : by.GetProperty("Parent").GetString()!);
    }
}
