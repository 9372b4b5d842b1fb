using System.Net;
using Coffer.Chat.Tests.Infrastructure;

namespace Coffer.Chat.Tests.Groups;

public sealed class GroupConcurrencyTests(TestDatabases databases)
{
    /// <summary>
    /// Two admins leave at the same moment: the rules are checked inside the transaction that writes, so exactly one
    /// of them succeeds and the group keeps an admin (5 rounds, each two concurrent requests).
    /// </summary>
    [Theory, Databases]
    public async Task TwoAdminsLeaveAtOnce_OneStays(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        ChatUser bob = await app.UserAsync();
        for (int round = 0; round < 5; round++)
        {
            long id = (await app.PostAsync("/api/group/create", alice, new { name = $"g{round}" })).Ok()["group"].GetProperty("id").GetInt64();
            (await app.PostAsync("/api/group/join", bob, new { group_id = id })).Ok();
            (await app.PostAsync($"/api/group/{id}/change-role", alice, new { user_id = bob.Id, role = "admin" })).Ok();

            ChatAnswer[] answers = await Task.WhenAll(app.PostAsync($"/api/group/leave/{id}", alice), app.PostAsync($"/api/group/leave/{id}", bob));
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], answers.Select(a => a.Status).Order());
            ChatUser stayed = answers[0].Status == HttpStatusCode.OK ? bob : alice;
            ChatAnswer details = (await app.GetAsync($"/api/group/{id}", stayed)).Ok();
            Assert.Equal(["admin"], details["group"].GetProperty("members").EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        }
    }
}
