using System.Net;
using System.Text.Json;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Groups;

/// <summary>Keys, key, update checks and the lists (api.md §4.5, §1.8 pagination) with more than one page.</summary>
public sealed class GroupReadTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task Keys_MoreThanOnePage_PagesNewestFirstByKeyTime(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string group = await GroupKit.CreateAsync(app, alice);
        long t0 = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var expected = new List<(long Time, string Id)> { (t0, await GroupKit.CurrentKeyAsync(app, group)) };
        for (int i = 1; i <= 60; i++)
        {
            long at = t0 + (i <= 10 ? 5 : i); // ten keys share one time: the id breaks the tie
            expected.Add((at, await GroupKit.AddKeyAsync(app, group, at, alice.UserId)));
        }

        // A key alice has no copy of is invisible to her.
        await GroupKit.AddKeyAsync(app, group, t0 + 100);
        expected = [.. expected.OrderByDescending(k => k.Time).ThenBy(k => k.Id, StringComparer.Ordinal)];

        ApiAnswer first = await app.SendAsync(HttpMethod.Get, $"/group/{group}", jwt: alice.Jwt);
        List<(long, string)> embedded = Page(first.Result.GetProperty("keys"));
        Assert.Equal(expected.Take(50), embedded);

        var seen = new List<(long Time, string Id)>();
        string path = $"/group/{group}/keys/0/none";
        for (int round = 0; round < 5; round++)
        {
            ApiAnswer page = await app.SendAsync(HttpMethod.Get, path, jwt: alice.Jwt);
            Assert.True(page.Ok, page.Text);
            List<(long Time, string Id)> items = Page(page.Result);
            seen.AddRange(items);
            if (items.Count < 50)
            {
                break;
            }

            path = $"/group/{group}/keys/{items[^1].Time}/{items[^1].Id}";
        }

        Assert.Equal(expected, seen);
    }

    [Theory, Databases]
    public async Task Key_ById_ReturnsTheMembersCopyOr304(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string group = await GroupKit.CreateAsync(app, alice);
        string other = await GroupKit.CreateAsync(app, alice);
        string key = await GroupKit.CurrentKeyAsync(app, group);

        ApiAnswer found = await app.SendAsync(HttpMethod.Get, $"/group/{group}/key/{key}", jwt: alice.Jwt);
        Assert.True(found.Ok, found.Text);
        Assert.Equal(key, found.Result.GetProperty("group_key_id").GetString());

        string otherKey = await GroupKit.CurrentKeyAsync(app, other);
        string noCopy = await GroupKit.AddKeyAsync(app, group, 5);
        foreach (string missing in new[] { otherKey, noCopy, "unknown" })
        {
            ApiAnswer answer = await app.SendAsync(HttpMethod.Get, $"/group/{group}/key/{missing}", jwt: alice.Jwt);
            Assert.Equal((HttpStatusCode.BadRequest, 304), (answer.Status, answer.ErrCode));
        }
    }

    [Theory, Databases]
    public async Task UpdateCheck_ReportsPendingRotationAndRank(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        string group = await GroupKit.CreateAsync(app, alice);
        await GroupKit.AddMemberAsync(app, group, bob.UserId, rank: 3);
        string key = await GroupKit.AddKeyAsync(app, group, 10, alice.UserId);
        await GroupKit.AddPendingRotationAsync(app, group, key, bob.UserId);

        Assert.Equal("""{"status":true,"result":{"key_update":true,"rank":3}}""",
            (await app.SendAsync(HttpMethod.Get, $"/group/{group}/update_check", jwt: bob.Jwt)).Text);
        Assert.Equal("""{"status":true,"result":{"key_update":false,"rank":0}}""",
            (await app.SendAsync(HttpMethod.Get, $"/group/{group}/update_check", jwt: alice.Jwt)).Text);
        Assert.Equal("""{"status":true,"result":{"rank":3}}""",
            (await app.SendAsync(HttpMethod.Get, $"/group/{group}/update_check_light", jwt: bob.Jwt)).Text);
        Assert.True((await app.SendAsync(HttpMethod.Get, $"/group/{group}", jwt: bob.Jwt)).Result.GetProperty("key_update").GetBoolean());
    }

    [Theory, Databases]
    public async Task Lists_BadTime_Answer13(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string group = await GroupKit.CreateAsync(app, alice);
        foreach (string path in new[]
        {
            "/group/all/-1/none", $"/group/{group}/keys/x/none", $"/group/{group}/children/1.5/none",
            $"/group/{group}/member/+3/none", $"/group/{group}/all/99999999999999999999/none",
        })
        {
            ApiAnswer answer = await app.SendAsync(HttpMethod.Get, path, jwt: alice.Jwt);
            Assert.True((HttpStatusCode.BadRequest, 13) == (answer.Status, answer.ErrCode), path + " " + answer.Text);
        }
    }

    [Theory, Databases]
    public async Task Members_MoreThanOnePage_AscendingByJoinTimeWithoutTheCaller(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string group = await GroupKit.CreateAsync(app, alice);
        long t0 = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var expected = new List<(string Id, long Joined)>();
        for (int i = 1; i <= 55; i++)
        {
            string member = Guid.NewGuid().ToString("D");
            long joined = t0 + (i <= 6 ? 1 : i); // six share one join time
            await GroupKit.AddMemberAsync(app, group, member, rank: 4, type: i == 7 ? 2 : 0, joined: joined);
            expected.Add((member, joined));
        }

        expected = [.. expected.OrderBy(m => m.Joined).ThenBy(m => m.Id, StringComparer.Ordinal)];
        var seen = new List<(string Id, long Joined)>();
        string path = $"/group/{group}/member/0/none";
        for (int round = 0; round < 5; round++)
        {
            ApiAnswer page = await app.SendAsync(HttpMethod.Get, path, jwt: alice.Jwt);
            Assert.True(page.Ok, page.Text);
            var items = page.Result.EnumerateArray()
                .Select(m => (m.GetProperty("user_id").GetString()!, m.GetProperty("joined_time").GetInt64())).ToList();
            seen.AddRange(items);
            if (items.Count < 50)
            {
                break;
            }

            path = $"/group/{group}/member/{items[^1].Item2}/{items[^1].Item1}";
        }

        Assert.Equal(expected, seen);
        ApiAnswer firstPage = await app.SendAsync(HttpMethod.Get, $"/group/{group}/member/0/none", jwt: alice.Jwt);
        JsonElement groupMember = firstPage.Result.EnumerateArray().Single(m => m.GetProperty("user_id").GetString() == expected.Single(e => e.Joined == t0 + 7).Id);
        Assert.Equal((4, 2), (groupMember.GetProperty("rank").GetInt32(), groupMember.GetProperty("user_type").GetInt32()));
    }

    [Theory, Databases]
    public async Task All_MoreThanOnePage_ListsDirectMembershipsAscendingByGroupTime(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        var expected = new List<string>();
        for (int i = 0; i < 52; i++)
        {
            app.Clock.Advance(TimeSpan.FromMilliseconds(i % 3 == 0 ? 0 : 1)); // some groups share a creation time
            ApiAnswer created = await app.SendAsync(HttpMethod.Post, "/group/light", jwt: alice.Jwt);
            string group = created.Result.GetProperty("group_id").GetString()!;
            expected.Add(group);
            if (i == 51)
            {
                // Bob joins late: the list still sorts by the group's creation time, not the join time.
                await GroupKit.AddMemberAsync(app, group, bob.UserId, rank: 2, joined: 1);
            }
        }

        // A child (reachable only via its parent) is not listed for alice.
        app.Clock.Advance(TimeSpan.FromMilliseconds(5));
        await app.SendAsync(HttpMethod.Post, $"/group/{expected[0]}/child/light", jwt: alice.Jwt);
        List<(long Time, string Id)> times = [];
        var seen = new List<string>();
        string path = "/group/all/0/none";
        for (int round = 0; round < 5; round++)
        {
            ApiAnswer page = await app.SendAsync(HttpMethod.Get, path, jwt: alice.Jwt);
            Assert.True(page.Ok, page.Text);
            var items = page.Result.EnumerateArray().ToList();
            seen.AddRange(items.Select(g => g.GetProperty("group_id").GetString()!));
            times.AddRange(items.Select(g => (g.GetProperty("time").GetInt64(), g.GetProperty("group_id").GetString()!)));
            if (items.Count < 50)
            {
                break;
            }

            path = $"/group/all/{items[^1].GetProperty("time").GetInt64()}/{items[^1].GetProperty("group_id").GetString()}";
        }

        Assert.Equal(52, seen.Count);
        Assert.Equal(expected.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.Equal([.. times.OrderBy(t => t.Time).ThenBy(t => t.Id, StringComparer.Ordinal)], times);

        JsonElement bobs = Assert.Single((await app.SendAsync(HttpMethod.Get, "/group/all/0/none", jwt: bob.Jwt)).Result.EnumerateArray());
        Assert.Equal((expected[51], 2, 1L), (bobs.GetProperty("group_id").GetString(), bobs.GetProperty("rank").GetInt32(), bobs.GetProperty("joined_time").GetInt64()));
        Assert.Equal(JsonValueKind.Null, bobs.GetProperty("parent").ValueKind);
    }

    [Theory, Databases]
    public async Task Children_MoreThanOnePage_ListsDirectChildrenOnly(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string parent = await GroupKit.CreateAsync(app, alice);
        var expected = new List<string>();
        for (int i = 0; i < 53; i++)
        {
            app.Clock.Advance(TimeSpan.FromMilliseconds(i % 2));
            ApiAnswer child = await app.SendAsync(HttpMethod.Post, $"/group/{parent}/child/light", jwt: alice.Jwt);
            Assert.True(child.Ok, child.Text);
            expected.Add(child.Result.GetProperty("group_id").GetString()!);
        }

        // A grandchild is not a direct child.
        await app.SendAsync(HttpMethod.Post, $"/group/{expected[0]}/child/light", jwt: alice.Jwt);

        ApiAnswer first = await app.SendAsync(HttpMethod.Get, $"/group/{parent}/children/0/none", jwt: alice.Jwt);
        Assert.Equal(50, first.Result.GetArrayLength());
        JsonElement last = first.Result[49];
        ApiAnswer second = await app.SendAsync(
            HttpMethod.Get, $"/group/{parent}/children/{last.GetProperty("time").GetInt64()}/{last.GetProperty("group_id").GetString()}", jwt: alice.Jwt);
        List<string> seen = [.. first.Result.EnumerateArray().Concat(second.Result.EnumerateArray()).Select(c => c.GetProperty("group_id").GetString()!)];
        Assert.Equal(expected.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.All(first.Result.EnumerateArray(), c => Assert.Equal(parent, c.GetProperty("parent").GetString()));
    }

    private static List<(long Time, string Id)> Page(JsonElement keys) =>
        [.. keys.EnumerateArray().Select(k => (k.GetProperty("time").GetInt64(), k.GetProperty("group_key_id").GetString()!))];
}
