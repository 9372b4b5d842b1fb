using Coffer.Protocol;
using Coffer.Protocol.Groups;
using Coffer.Server.Features.Groups;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Features.Groups;

/// <summary>
/// The mutating group use cases re-resolve access inside their transaction (so a rank lost after the pipeline's check
/// counts), and concurrent requests cannot both pass rules that exclude each other.
/// </summary>
public sealed class GroupConcurrencyTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task Store_ChecksAccessItself_NotOnlyThePipeline(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        TestUser eve = await app.RegisterAsync("eve");
        string group = await GroupKit.CreateAsync(app, alice);
        await GroupKit.AddMemberAsync(app, group, bob.UserId, rank: 2);
        GroupStore store = app.Services.GetRequiredService<GroupStore>();
        CancellationToken ct = TestContext.Current.CancellationToken;
        var manager = new GroupActor(app.App.App, bob.UserId, null);
        var stranger = new GroupActor(app.App.App, eve.UserId, null);
        CreateData data = System.Text.Json.JsonSerializer.Deserialize(
            GroupKit.CreateBody("k"), Coffer.Protocol.Json.ProtocolJson.Context.CreateData)!;

        foreach ((GroupActor actor, ProtocolError expected) in new[] { (manager, ProtocolError.GroupUserRank), (stranger, ProtocolError.GroupAccess) })
        {
            Assert.Same(expected, await store.ChangeRankAsync(actor, group, bob.UserId, 1, ct));
            Assert.Same(expected, await store.ToggleInviteAsync(actor, group, ct));
            Assert.Same(expected, await store.DeleteAsync(actor, group, ct));
            Assert.Same(expected, (await store.CreateSubGroupAsync(actor, group, SubGroupKind.Child, data, ct)).Error);
            Assert.Same(expected, (await store.CreateSubGroupAsync(actor, group, SubGroupKind.Connected, null, ct)).Error);
        }

        Assert.Equal(1, await GroupKit.CountAsync(app, "SELECT COUNT(*) FROM grp WHERE kind = 0"));
        Assert.Equal(2, (await app.SendAsync(HttpMethod.Get, $"/group/{group}/update_check_light", jwt: bob.Jwt)).Result.GetProperty("rank").GetInt32());
    }

    [Theory, Databases]
    public async Task DemoteAndDelete_AtTheSameTime_NeverBothSucceed(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        for (int round = 0; round < 10; round++)
        {
            string group = await GroupKit.CreateAsync(app, alice);
            await GroupKit.AddMemberAsync(app, group, bob.UserId, rank: 1);
            Task<ApiAnswer> demote = app.SendAsync(
                HttpMethod.Put, $"/group/{group}/change_rank", $$"""{"changed_user_id":"{{bob.UserId}}","new_rank":4}""", jwt: alice.Jwt);
            Task<ApiAnswer> delete = app.SendAsync(HttpMethod.Delete, $"/group/{group}", jwt: bob.Jwt);
            ApiAnswer[] answers = await Task.WhenAll(demote, delete);

            Assert.False(answers[0].Ok && answers[1].Ok, $"round {round}: both succeeded");
            Assert.True(answers[0].Ok || answers[1].Ok, $"round {round}: {answers[0].Text} {answers[1].Text}");
            long exists = await GroupKit.CountAsync(app, "SELECT COUNT(*) FROM grp WHERE id = @group", new { group });
            Assert.Equal(answers[1].Ok ? (0L, 310) : (1L, 301), (exists, answers[1].Ok ? answers[0].ErrCode : answers[1].ErrCode));
        }
    }

    [Theory, Databases]
    public async Task CreateChildAndDeleteParent_AtTheSameTime_LeaveNoOrphan(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        for (int round = 0; round < 10; round++)
        {
            string parent = await GroupKit.CreateAsync(app, alice);
            await GroupKit.AddMemberAsync(app, parent, bob.UserId, rank: 1);
            string key = await GroupKit.CurrentKeyAsync(app, parent);
            Task<ApiAnswer> create = app.SendAsync(HttpMethod.Post, $"/group/{parent}/child", GroupKit.CreateBody(key), jwt: alice.Jwt);
            Task<ApiAnswer> delete = app.SendAsync(HttpMethod.Delete, $"/group/{parent}", jwt: bob.Jwt);
            ApiAnswer[] answers = await Task.WhenAll(create, delete);

            Assert.True(answers[1].Ok, answers[1].Text);
            Assert.True(answers[0].Ok || answers[0].ErrCode == 310, answers[0].Text);
        }

        Assert.Equal(0, await GroupKit.CountAsync(
            app, "SELECT COUNT(*) FROM grp c WHERE c.parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM grp p WHERE p.id = c.parent_id)"));
        Assert.Equal(0, await GroupKit.CountAsync(app, "SELECT COUNT(*) FROM grp WHERE kind = 0"));
    }
}
