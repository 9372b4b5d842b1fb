using System.Net.WebSockets;
using System.Text.Json;
using Coffer.Chat.Tests.Infrastructure;
using static Coffer.Chat.Tests.Live.LiveDeliveryTests;

namespace Coffer.Chat.Tests.Live;

/// <summary>Live notices besides messages: secret-chat workflow steps and group memberships, to the right users only.</summary>
public sealed class LiveNoticeTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task SecretChat_RequestedAcceptedKeysFinalized_ReachTheOtherParticipantOnly_WithoutKeys(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        ChatUser bob = await app.UserAsync();
        ChatUser outsider = await app.UserAsync();
        using WebSocket aliceSocket = await ConnectAsync(app, alice);
        using WebSocket bobSocket = await ConnectAsync(app, bob);
        using WebSocket outsiderSocket = await ConnectAsync(app, outsider);

        long chat = (await app.PostAsync("/api/secret-chat/create", alice, new { target_user = bob.Id })).Ok()["chat"].GetProperty("id").GetInt64();
        JsonElement requested = await ReceiveAsync(bobSocket);
        Assert.Equal("secret_chat.requested", requested.GetProperty("type").GetString());
        Assert.Equal("secret_chat", requested.GetProperty("thread").GetString());
        Assert.Equal(chat, requested.GetProperty("thread_id").GetInt64());
        Assert.Equal(alice.Id, requested.GetProperty("user_id").GetString());

        (await app.PostAsync($"/api/secret-chat/add-public-key/{chat}", alice, new { public_key = Answers.B64("alice public key") })).Ok();
        (await app.PostAsync($"/api/secret-chat/approve/{chat}", bob)).Ok();
        JsonElement accepted = await ReceiveAsync(aliceSocket);
        Assert.Equal("secret_chat.accepted", accepted.GetProperty("type").GetString());
        Assert.Equal(bob.Id, accepted.GetProperty("user_id").GetString());

        (await app.PostAsync($"/api/secret-chat/add-public-key/{chat}", bob, new { public_key = Answers.B64("bob public key") })).Ok();
        (await app.PostAsync($"/api/secret-chat/add-symmetric-key/{chat}", bob,
            new { user_1_encrypted_symmetric_key = Answers.B64("wrapped for alice"), user_2_encrypted_symmetric_key = Answers.B64("wrapped for bob") })).Ok();
        JsonElement finalized = await ReceiveAsync(aliceSocket);
        Assert.Equal("secret_chat.keys_finalized", finalized.GetProperty("type").GetString());
        Assert.Equal(chat, finalized.GetProperty("thread_id").GetInt64());
        // Ids only: no public key and no wrapped key travels in a notice.
        foreach (JsonElement notice in (JsonElement[])[requested, accepted, finalized])
        {
            string text = notice.GetRawText();
            Assert.All((string[])["alice public key", "bob public key", "wrapped for alice", "wrapped for bob"],
                secret => Assert.DoesNotContain(Answers.B64(secret), text, StringComparison.Ordinal));
        }

        // Bob's own steps are not echoed to him, the outsider got nothing: their next frames are the message and their own request.
        (await app.PostAsync($"/api/secret-chat/{chat}/messages", alice, new { encrypted_content = Answers.B64("sealed") })).Ok();
        Assert.Equal("message.created", (await ReceiveAsync(bobSocket)).GetProperty("type").GetString());
        (await app.PostAsync("/api/secret-chat/create", alice, new { target_user = outsider.Id })).Ok();
        JsonElement own = await ReceiveAsync(outsiderSocket);
        Assert.Equal("secret_chat.requested", own.GetProperty("type").GetString());
        Assert.NotEqual(chat, own.GetProperty("thread_id").GetInt64());
    }

    [Theory, Databases]
    public async Task GroupMembership_JoinedAddedLeftRemoved_ReachTheMembers_NotOutsiders(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        ChatUser bob = await app.UserAsync();
        ChatUser carol = await app.UserAsync();
        ChatUser outsider = await app.UserAsync();
        ChatAnswer created = (await app.PostAsync("/api/group/create", alice, new { name = "club", type = "private" })).Ok();
        long group = created["group"].GetProperty("id").GetInt64();
        string code = created["group"].GetProperty("invite_code").GetString()!;
        using WebSocket aliceSocket = await ConnectAsync(app, alice);
        using WebSocket bobSocket = await ConnectAsync(app, bob);
        using WebSocket outsiderSocket = await ConnectAsync(app, outsider);

        (await app.PostAsync("/api/group/join", bob, new { invite_code = code })).Ok();
        AssertNotice(await ReceiveAsync(aliceSocket), "group.member_joined", group, bob.Id, "joined");
        AssertNotice(await ReceiveAsync(bobSocket), "group.member_joined", group, bob.Id, "joined");

        (await app.PostAsync($"/api/group/{group}/add-member", alice, new { user_id = carol.Id })).Ok();
        AssertNotice(await ReceiveAsync(bobSocket), "group.member_joined", group, carol.Id, "added");
        AssertNotice(await ReceiveAsync(aliceSocket), "group.member_joined", group, carol.Id, "added");

        (await app.PostAsync($"/api/group/{group}/remove-member", alice, new { user_id = carol.Id })).Ok();
        JsonElement removed = await ReceiveAsync(bobSocket);
        AssertNotice(removed, "group.member_removed", group, carol.Id, "removed");
        Assert.Equal(alice.Id, removed.GetProperty("by").GetString());
        AssertNotice(await ReceiveAsync(aliceSocket), "group.member_removed", group, carol.Id, "removed");

        // The member who leaves hears it too (their other devices), the rest as well.
        (await app.PostAsync($"/api/group/leave/{group}", bob)).Ok();
        AssertNotice(await ReceiveAsync(bobSocket), "group.member_removed", group, bob.Id, "left");
        AssertNotice(await ReceiveAsync(aliceSocket), "group.member_removed", group, bob.Id, "left");

        // Nothing reached the outsider: the first frame it sees is its own chat request.
        (await app.PostAsync("/api/secret-chat/create", alice, new { target_user = outsider.Id })).Ok();
        Assert.Equal("secret_chat.requested", (await ReceiveAsync(outsiderSocket)).GetProperty("type").GetString());
    }

    private static void AssertNotice(JsonElement notice, string type, long group, string user, string reason)
    {
        Assert.Equal(type, notice.GetProperty("type").GetString());
        Assert.Equal("group", notice.GetProperty("thread").GetString());
        Assert.Equal(group, notice.GetProperty("thread_id").GetInt64());
        Assert.Equal(user, notice.GetProperty("user_id").GetString());
        Assert.Equal(reason, notice.GetProperty("reason").GetString());
    }
}
