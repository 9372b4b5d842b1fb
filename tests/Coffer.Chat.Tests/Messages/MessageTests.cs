using System.Net;
using Coffer.Chat.Tests.Infrastructure;

namespace Coffer.Chat.Tests.Messages;

public sealed class MessageTests(TestDatabases databases)
{
    private static async Task<long> FinalizedChatAsync(ChatTestApp app, ChatUser a, ChatUser b)
    {
        long id = (await app.PostAsync("/api/secret-chat/create", a, new { target_user = b.Id })).Ok()["chat"].GetProperty("id").GetInt64();
        (await app.PostAsync($"/api/secret-chat/approve/{id}", b)).Ok();
        (await app.PostAsync($"/api/secret-chat/add-public-key/{id}", a, new { public_key = Answers.B64("pa") })).Ok();
        (await app.PostAsync($"/api/secret-chat/add-public-key/{id}", b, new { public_key = Answers.B64("pb") })).Ok();
        (await app.PostAsync($"/api/secret-chat/add-symmetric-key/{id}", b,
            new { user_1_encrypted_symmetric_key = Answers.B64("k1"), user_2_encrypted_symmetric_key = Answers.B64("k2") })).Ok();
        return id;
    }

    [Theory, Databases]
    public async Task SecretChat_PagesNewestFirst_EditAndDeleteOwnOnly(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser a = await app.UserAsync();
        ChatUser b = await app.UserAsync();
        ChatUser eve = await app.UserAsync();
        long id = await FinalizedChatAsync(app, a, b);
        var ids = new List<long>();
        for (int i = 0; i < 5; i++)
        {
            ids.Add((await app.PostAsync($"/api/secret-chat/{id}/messages", i % 2 == 0 ? a : b, new { encrypted_content = Answers.B64($"m{i}") }))
                .Ok()["message"].GetProperty("id").GetInt64());
        }

        ChatAnswer first = (await app.GetAsync($"/api/secret-chat/{id}/messages?limit=2", a)).Ok();
        Assert.Equal([ids[4], ids[3]], first["messages"].EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
        Assert.True(first["has_more"].GetBoolean());
        ChatAnswer last = (await app.GetAsync($"/api/secret-chat/{id}/messages?limit=10&before={ids[1]}", b)).Ok();
        Assert.Equal([ids[0]], last["messages"].EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
        Assert.False(last["has_more"].GetBoolean());
        Assert.Equal(HttpStatusCode.Forbidden, (await app.GetAsync($"/api/secret-chat/{id}/messages", eve)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync($"/api/secret-chat/{id}/messages", eve, new { encrypted_content = Answers.B64("x") })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync($"/api/secret-chat/{id}/messages", a, new { encrypted_content = "plain text!" })).Status);

        // Edit own: new content and edited_at; someone else's: 403; unknown: 404.
        ChatAnswer edited = (await app.SendAsync(HttpMethod.Put, $"/api/secret-chat/{id}/messages/{ids[0]}", a, new { encrypted_content = Answers.B64("m0'") })).Ok();
        Assert.Equal(Answers.B64("m0'"), edited["message"].GetProperty("encrypted_content").GetString());
        Assert.NotNull(edited["message"].GetProperty("edited_at").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await app.SendAsync(HttpMethod.Put, $"/api/secret-chat/{id}/messages/{ids[1]}", a, new { encrypted_content = Answers.B64("z") })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await app.SendAsync(HttpMethod.Put, $"/api/secret-chat/{id}/messages/{ids[4] + 100}", a, new { encrypted_content = Answers.B64("z") })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.SendAsync(HttpMethod.Delete, $"/api/secret-chat/{id}/messages/{ids[1]}", a)).Status);
        (await app.SendAsync(HttpMethod.Delete, $"/api/secret-chat/{id}/messages/{ids[1]}", b)).Ok();
        Assert.DoesNotContain(ids[1], (await app.GetAsync($"/api/secret-chat/{id}/messages", a)).Ok()["messages"].EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
    }

    [Theory, Databases]
    public async Task Group_MembersOnly_ModeratorsDeleteOthers_MembersDoNot(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser admin = await app.UserAsync();
        ChatUser member = await app.UserAsync();
        ChatUser moderator = await app.UserAsync();
        ChatUser outsider = await app.UserAsync();
        long group = (await app.PostAsync("/api/group/create", admin, new { name = "g", type = "public" })).Ok()["group"].GetProperty("id").GetInt64();
        (await app.PostAsync("/api/group/join", member, new { group_id = group })).Ok();
        (await app.PostAsync("/api/group/join", moderator, new { group_id = group })).Ok();
        (await app.PostAsync($"/api/group/{group}/change-role", admin, new { user_id = moderator.Id, role = "moderator" })).Ok();

        ChatAnswer sent = (await app.PostAsync($"/api/group/{group}/messages", member, new { content = "hi all" })).Ok();
        long m1 = sent["message"].GetProperty("id").GetInt64();
        Assert.Equal("hi all", sent["message"].GetProperty("content").GetString());
        Assert.False(sent["message"].GetProperty("is_encrypted").GetBoolean());
        long m2 = (await app.PostAsync($"/api/group/{group}/messages", admin, new { content = "welcome" })).Ok()["message"].GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync($"/api/group/{group}/messages", admin, new { })).Status);

        // Not joined: no reading, no writing (public group: 403; it is visible, just not joined).
        Assert.Equal(HttpStatusCode.Forbidden, (await app.GetAsync($"/api/group/{group}/messages", outsider)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync($"/api/group/{group}/messages", outsider, new { content = "x" })).Status);

        ChatAnswer page = (await app.GetAsync($"/api/group/{group}/messages", member)).Ok();
        Assert.Equal([m2, m1], page["messages"].EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));

        Assert.Equal(HttpStatusCode.Forbidden, (await app.SendAsync(HttpMethod.Put, $"/api/group/{group}/messages/{m2}", member, new { content = "hacked" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.SendAsync(HttpMethod.Delete, $"/api/group/{group}/messages/{m2}", member)).Status);
        Assert.Equal("edited", (await app.SendAsync(HttpMethod.Put, $"/api/group/{group}/messages/{m1}", member, new { content = "edited" })).Ok()["message"].GetProperty("content").GetString());
        // Moderators may delete what others wrote, but not edit it.
        Assert.Equal(HttpStatusCode.Forbidden, (await app.SendAsync(HttpMethod.Put, $"/api/group/{group}/messages/{m1}", moderator, new { content = "x" })).Status);
        (await app.SendAsync(HttpMethod.Delete, $"/api/group/{group}/messages/{m1}", moderator)).Ok();
        Assert.Equal([m2], (await app.GetAsync($"/api/group/{group}/messages", admin)).Ok()["messages"].EnumerateArray().Select(m => m.GetProperty("id").GetInt64()));
    }
}
