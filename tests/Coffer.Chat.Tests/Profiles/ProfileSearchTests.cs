using System.Net;
using Coffer.Chat.Tests.Infrastructure;

namespace Coffer.Chat.Tests.Profiles;

public sealed class ProfileSearchTests(TestDatabases databases)
{
    private static string[] Ids(ChatAnswer answer) =>
        [.. answer["users"].EnumerateArray().Select(u => u.GetProperty("user_id").GetString()!)];

    [Theory, Databases]
    public async Task FindUsers_ByUsername_CaseInsensitiveExactMatches(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync("Alice");
        ChatUser bob = await app.UserAsync("bob");
        ChatUser otherAlice = await app.UserAsync("alice");
        await app.UserAsync("alicea");

        ChatAnswer found = (await app.GetAsync("/api/users?username=ALICE", bob)).Ok();
        Assert.Equal(new[] { alice.Id, otherAlice.Id }.Order(), Ids(found).Order());
        Assert.Equal(["Alice", "alice"], found["users"].EnumerateArray().Select(u => u.GetProperty("username").GetString()!).Order(StringComparer.Ordinal));

        Assert.Equal([bob.Id], Ids((await app.GetAsync("/api/users?username=bob", alice)).Ok()));
        Assert.Empty(Ids((await app.GetAsync("/api/users?username=nobody", alice)).Ok()));
    }

    [Theory, Databases]
    public async Task FindUsers_MissingOrTooLongName_BadRequest_NoJwt_Unauthorized(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync("alice");
        Assert.Equal(HttpStatusCode.BadRequest, (await app.GetAsync("/api/users", alice)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.GetAsync("/api/users?username=%20", alice)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.GetAsync("/api/users?username=" + new string('a', 51), alice)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.GetAsync("/api/users?username=alice", null)).Status);
    }
}
