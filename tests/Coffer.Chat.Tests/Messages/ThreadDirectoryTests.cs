using System.Net;
using Coffer.Chat.Messages;
using Coffer.Chat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Chat.Tests.Messages;

/// <summary>
/// Sends and history pages take the caller's access and the live recipients from the in-memory ThreadDirectory. Every
/// step below first warms it (a send or a page), then changes the thread through the API and checks at once — well
/// within the directory's 5 s lifetime — that the change is in force: a stale entry would let these fail.
/// </summary>
public sealed class ThreadDirectoryTests(TestDatabases databases)
{
    private static async Task<IReadOnlyCollection<string>> RecipientsAsync(ChatTestApp app, MessageThread thread, long id) =>
        await app.Services.GetRequiredService<MessageStore>().RecipientsAsync(thread, id, CancellationToken.None);

    private static Task<ChatAnswer> SendAsync(ChatTestApp app, long group, ChatUser user, string text) =>
        app.PostAsync($"/api/group/{group}/messages", user, new { content = text });

    [Theory, Databases]
    public async Task GroupMembershipChanges_TakeEffectOnTheNextSendPageAndDelivery(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        ChatUser bob = await app.UserAsync();
        ChatUser carol = await app.UserAsync();
        long group = (await app.PostAsync("/api/group/create", alice, new { name = "g", type = "private" })).Ok()["group"].GetProperty("id").GetInt64();
        string code = (await app.GetAsync($"/api/group/{group}", alice)).Ok()["group"].GetProperty("invite_code").GetString()!;
        (await SendAsync(app, group, alice, "warm")).Ok();
        Assert.Equal([alice.Id], await RecipientsAsync(app, MessageThread.Group, group));

        // Join: the new member writes and reads at once and receives the next event.
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(app, group, bob, "before joining")).Status);
        (await app.PostAsync("/api/group/join", bob, new { invite_code = code })).Ok();
        (await SendAsync(app, group, bob, "joined")).Ok();
        (await app.GetAsync($"/api/group/{group}/messages", bob)).Ok();
        Assert.Equal(new[] { alice.Id, bob.Id }.Order(), (await RecipientsAsync(app, MessageThread.Group, group)).Order());

        // Added by an admin: the same.
        (await app.PostAsync($"/api/group/{group}/add-member", alice, new { user_id = carol.Id })).Ok();
        (await SendAsync(app, group, carol, "added")).Ok();

        // Removed: no send, no page (a private group no longer exists for her: 404), no delivery.
        (await app.PostAsync($"/api/group/{group}/remove-member", alice, new { user_id = carol.Id })).Ok();
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(app, group, carol, "removed")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync($"/api/group/{group}/messages", carol)).Status);
        Assert.DoesNotContain(carol.Id, await RecipientsAsync(app, MessageThread.Group, group));

        // Left: the same.
        (await app.PostAsync($"/api/group/leave/{group}", bob)).Ok();
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(app, group, bob, "left")).Status);
        Assert.Equal([alice.Id], await RecipientsAsync(app, MessageThread.Group, group));

        // Deleted: nobody writes, nobody receives.
        (await app.SendAsync(HttpMethod.Delete, $"/api/group/{group}", alice)).Ok();
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(app, group, alice, "gone")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync($"/api/group/{group}/messages", alice)).Status);
        Assert.Empty(await RecipientsAsync(app, MessageThread.Group, group));
    }

    [Theory, Databases]
    public async Task PublicGroup_LeaverIsForbiddenAtOnce_AndRejoinWorksAtOnce(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        ChatUser bob = await app.UserAsync();
        long group = (await app.PostAsync("/api/group/create", alice, new { name = "pub", type = "public" })).Ok()["group"].GetProperty("id").GetInt64();
        (await app.PostAsync("/api/group/join", bob, new { group_id = group })).Ok();
        (await SendAsync(app, group, bob, "hi")).Ok();
        (await app.PostAsync($"/api/group/leave/{group}", bob)).Ok();
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(app, group, bob, "after leaving")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.GetAsync($"/api/group/{group}/messages", bob)).Status);
        (await app.PostAsync("/api/group/join", bob, new { group_id = group })).Ok();
        (await SendAsync(app, group, bob, "back")).Ok();
    }

    [Theory, Databases]
    public async Task SecretChat_UsableOnceFinalized_GoneOnceDeleted(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser a = await app.UserAsync();
        ChatUser b = await app.UserAsync();
        long id = (await app.PostAsync("/api/secret-chat/create", a, new { target_user = b.Id })).Ok()["chat"].GetProperty("id").GetInt64();
        string path = $"/api/secret-chat/{id}/messages";

        // Not finalized yet: refused, and the refusal is not remembered past the finalization.
        Assert.Equal(HttpStatusCode.Conflict, (await app.PostAsync(path, a, new { encrypted_content = Answers.B64("early") })).Status);
        (await app.PostAsync($"/api/secret-chat/approve/{id}", b)).Ok();
        (await app.PostAsync($"/api/secret-chat/add-public-key/{id}", a, new { public_key = Answers.B64("pa") })).Ok();
        (await app.PostAsync($"/api/secret-chat/add-public-key/{id}", b, new { public_key = Answers.B64("pb") })).Ok();
        Assert.Equal(HttpStatusCode.Conflict, (await app.PostAsync(path, b, new { encrypted_content = Answers.B64("early") })).Status);
        (await app.PostAsync($"/api/secret-chat/add-symmetric-key/{id}", b,
            new { user_1_encrypted_symmetric_key = Answers.B64("k1"), user_2_encrypted_symmetric_key = Answers.B64("k2") })).Ok();
        (await app.PostAsync(path, a, new { encrypted_content = Answers.B64("sealed") })).Ok();
        Assert.Equal(new[] { a.Id, b.Id }.Order(), (await RecipientsAsync(app, MessageThread.SecretChat, id)).Order());

        (await app.SendAsync(HttpMethod.Delete, $"/api/secret-chat/{id}", b)).Ok();
        Assert.Equal(HttpStatusCode.NotFound, (await app.PostAsync(path, a, new { encrypted_content = Answers.B64("gone") })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync(path, a)).Status);
        Assert.Empty(await RecipientsAsync(app, MessageThread.SecretChat, id));
    }
}
