using System.Text.Json;
using Coffer.Chat.Client;
using Coffer.Chat.Live;
using Coffer.Chat.Tests.Infrastructure;
using Coffer.Client;
using Coffer.Client.Groups;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Chat.Tests.EndToEnd;

/// <summary>
/// Real Coffer users (registered and logged in through the SDK) chatting through Coffer.Chat.Client against the one-process
/// server on a loopback port: the server sees only wrapped keys and ciphertext, the clients decrypt.
/// </summary>
public sealed class ChatClientTests(TestDatabases databases)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, Databases]
    public async Task SecretChat_TwoUsers_ApprovedKeysFinalized_MessagesDecryptedBothWaysAndLive_SafetyNumbersMatch(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases, kestrel: true, clock: false);
        using SdkUsers users = SdkUsers.For(app);
        ChatClient alice = await users.ChatAsync("alice");
        ChatClient bob = await users.ChatAsync("bob");

        SecretChatInfo created = await alice.CreateSecretChatAsync(bob.UserId, Ct);
        Assert.Equal((alice.UserId, bob.UserId), (created.User1, created.User2));
        Assert.NotNull(created.User1PublicKey);
        Assert.False(created.KeyFinalized);
        var thread = ChatThread.SecretChat(created.Id);
        ChatCryptoException early = await Assert.ThrowsAsync<ChatCryptoException>(() => alice.SendMessageAsync(thread, "too early", cancellationToken: Ct));
        Assert.Contains("not finalized", early.Message);

        SecretChatInfo approved = await bob.ApproveSecretChatAsync(created.Id, Ct);
        Assert.True(approved.User2Accepted);
        Assert.True(approved.KeyFinalized);
        Assert.NotEqual(approved.User1EncryptedSymmetricKey, approved.User2EncryptedSymmetricKey);
        // Finalized keys cannot be replaced: B's client does nothing more, the server refuses a second upload.
        Assert.True(await bob.FinalizeSecretChatAsync(created.Id, Ct));
        Assert.Equal(409, (await Assert.ThrowsAsync<ChatApiException>(() => bob.SendAsync(HttpMethod.Post, $"secret-chat/add-symmetric-key/{created.Id}",
            new System.Text.Json.Nodes.JsonObject { ["user_1_encrypted_symmetric_key"] = "AAAA", ["user_2_encrypted_symmetric_key"] = "AAAA" }, Ct))).Status);

        // Live: bob listens while alice writes.
        using var live = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        live.CancelAfter(TimeSpan.FromSeconds(30));
        Task<ChatEvent> received = FirstEventAsync(bob, live.Token);
        await WaitForConnectionAsync(app, bob.UserId);

        ChatMessage sent = await alice.SendMessageAsync(thread, "hello bob, only you can read this", cancellationToken: Ct);
        Assert.Equal("hello bob, only you can read this", sent.Text);
        ChatEvent pushed = await received;
        Assert.Equal(ChatEventKind.MessageCreated, pushed.Kind);
        Assert.Equal(thread, pushed.Thread);
        Assert.Equal("hello bob, only you can read this", pushed.Message!.Text);
        await live.CancelAsync();

        await bob.SendMessageAsync(thread, "hi alice ✓", cancellationToken: Ct);
        MessagePage forAlice = await alice.GetMessagesAsync(thread, cancellationToken: Ct);
        Assert.Equal(["hi alice ✓", "hello bob, only you can read this"], forAlice.Messages.Select(m => m.Text));
        Assert.All(forAlice.Messages, m => Assert.True(m.IsEncrypted));
        ChatMessage edited = await alice.EditMessageAsync(thread, sent.Id, "hello bob (edited)", Ct);
        Assert.NotNull(edited.EditedAt);
        Assert.Equal("hello bob (edited)", (await bob.GetMessagesAsync(thread, cancellationToken: Ct)).Messages[1].Text);
        await bob.DeleteMessageAsync(thread, (await bob.GetMessagesAsync(thread, cancellationToken: Ct)).Messages[0].Id, Ct);
        Assert.Single((await alice.GetMessagesAsync(thread, cancellationToken: Ct)).Messages);

        // What the server stores is not the text.
        JsonElement raw = await alice.SendAsync(HttpMethod.Get, $"secret-chat/{created.Id}/messages", null, Ct);
        Assert.DoesNotContain("hello bob", raw.GetRawText());

        string aliceNumber = await alice.GetSafetyNumberAsync(created.Id, Ct);
        Assert.Equal(aliceNumber, await bob.GetSafetyNumberAsync(created.Id, Ct));
        Assert.False(string.IsNullOrWhiteSpace(aliceNumber));
        Assert.Equal([created.Id], (await bob.ListSecretChatsAsync(Ct)).Select(c => c.Id));
    }

    [Theory, Databases]
    public async Task SecretGroup_ThreeUsers_JoinByCode_KeysHandedOver_HistoryReadable_RemovalRotates_RemovedMemberCannotDecryptNewMessages(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases, kestrel: true, clock: false);
        using SdkUsers users = SdkUsers.For(app);
        ChatClient alice = await users.ChatAsync("alice");
        ChatClient bob = await users.ChatAsync("bob");
        ChatClient carol = await users.ChatAsync("carol");

        ChatGroup group = await alice.CreateSecretGroupAsync("Plans", "end to end", cancellationToken: Ct);
        Assert.Equal(ChatGroupType.Secret, group.Type);
        GroupId platform = group.CofferGroupId!.Value;
        var thread = ChatThread.Group(group.Id);
        await alice.SendMessageAsync(thread, "history from before bob joined", cancellationToken: Ct);

        // Joined the chat group, but no keys until an admin's client hands them over.
        ChatGroup joined = await bob.JoinGroupByInviteCodeAsync(group.InviteCode!, Ct);
        Assert.Equal(platform, joined.CofferGroupId);
        ChatMessage locked = Assert.Single((await bob.GetMessagesAsync(thread, cancellationToken: Ct)).Messages);
        Assert.Null(locked.Text);
        Assert.NotNull(locked.DecryptionError);
        await Assert.ThrowsAsync<ChatCryptoException>(() => bob.SendMessageAsync(thread, "no key yet", cancellationToken: Ct));
        // The hand-over ledger: the creator holds the keys, bob waits for them.
        Assert.Equal([(alice.UserId, true), (bob.UserId, false)], await KeysReadyAsync(bob, group.Id));

        SecretGroupSync sync = await alice.SyncSecretGroupAsync(group.Id, Ct);
        Assert.Equal([bob.UserId], sync.KeysHandedOver);
        Assert.Null(sync.RotatedKeyId);
        Assert.Equal([(alice.UserId, true), (bob.UserId, true)], await KeysReadyAsync(bob, group.Id));
        Assert.Equal("history from before bob joined", Assert.Single((await bob.GetMessagesAsync(thread, cancellationToken: Ct)).Messages).Text);

        // Added by an admin: the admin's client hands the keys over at once. A role change moves the platform rank along.
        await alice.AddMemberAsync(group.Id, carol.UserId, Ct);
        Assert.Equal([(alice.UserId, true), (bob.UserId, true), (carol.UserId, true)], await KeysReadyAsync(alice, group.Id));
        await alice.ChangeRoleAsync(group.Id, bob.UserId, ChatRole.Moderator, Ct);
        IReadOnlyList<GroupMember> platformMembers = await (await alice.PlatformGroupAsync(platform, Ct)).GetMembersAsync(cancellationToken: Ct);
        Assert.Equal([(bob.UserId, 2), (carol.UserId, 4)], platformMembers.Select(m => (m.MemberId, m.Rank)).OrderBy(m => m.Item2));
        await bob.SendMessageAsync(thread, "bob to all", cancellationToken: Ct);
        Assert.Equal(["bob to all", "history from before bob joined"], (await carol.GetMessagesAsync(thread, cancellationToken: Ct)).Messages.Select(m => m.Text));
        CofferGroup carolsKeys = await carol.PlatformGroupAsync(platform, Ct);
        string oldCiphertext = await CiphertextAsync(bob, group.Id, 0);

        // Removal: the server kicks carol from the platform group, alice's client rotates the key in the same call
        // (no window: the platform's newest key is the new one when RemoveMemberAsync returns).
        string? rotatedOnRemoval = await alice.RemoveMemberAsync(group.Id, carol.UserId, Ct);
        Assert.NotNull(rotatedOnRemoval);
        Assert.Equal(rotatedOnRemoval, await app.Services.GetRequiredService<Coffer.Chat.Platform.ICofferPlatform>().NewestKeyIdAsync(platform.Value, Ct));
        ChatGroupDetails after = await alice.GetGroupAsync(group.Id, Ct);
        Assert.False(after.Group.KeyRotationPending);
        Assert.Equal([(alice.UserId, true), (bob.UserId, true)], after.Members.Select(m => (m.UserId, m.KeysReady ?? false)));
        Assert.DoesNotContain(after.Members, m => m.UserId == carol.UserId);
        await alice.SendMessageAsync(thread, "after carol was removed", cancellationToken: Ct);
        await bob.SendMessageAsync(thread, "bob after the rotation", cancellationToken: Ct);
        Assert.Equal(
            ["bob after the rotation", "after carol was removed", "bob to all", "history from before bob joined"],
            (await bob.GetMessagesAsync(thread, cancellationToken: Ct)).Messages.Select(m => m.Text));
        Assert.Equal("after carol was removed", (await alice.GetMessagesAsync(thread, cancellationToken: Ct)).Messages[1].Text);

        // Carol: no access to the thread, and the new messages do not open with the keys she kept (positive control: an old one does).
        Assert.Equal(404, (await Assert.ThrowsAsync<ChatApiException>(() => carol.GetMessagesAsync(thread, cancellationToken: Ct))).Status);
        string newCiphertext = await CiphertextAsync(bob, group.Id, 1);
        Assert.Equal("bob to all", await carolsKeys.DecryptStringAsync(oldCiphertext, cancellationToken: Ct));
        CofferException denied = await Assert.ThrowsAsync<CofferException>(() => carolsKeys.DecryptStringAsync(newCiphertext, cancellationToken: Ct));
        Assert.True(denied.SdkError == SdkError.GroupKeyRequired || denied.ServerCode is not null, denied.Message);
        Assert.Null(carolsKeys.FindKey(KeyIdOf(newCiphertext)));
        await Assert.ThrowsAsync<CofferException>(() => carol.User.GetGroupAsync(platform, cancellationToken: Ct));

        // Leaving also marks the key; an admin's sync rotates it.
        await bob.LeaveGroupAsync(group.Id, Ct);
        Assert.True((await alice.GetGroupAsync(group.Id, Ct)).Group.KeyRotationPending);
        SecretGroupSync rotated = await alice.SyncSecretGroupAsync(group.Id, Ct);
        Assert.NotNull(rotated.RotatedKeyId);
        Assert.False((await alice.GetGroupAsync(group.Id, Ct)).Group.KeyRotationPending);
        Assert.Equal(4, (await alice.GetMessagesAsync(thread, cancellationToken: Ct)).Messages.Count(m => m.Text is not null));

        await alice.DeleteGroupAsync(group.Id, Ct);
        await Assert.ThrowsAsync<CofferException>(() => alice.User.GetGroupAsync(platform, cancellationToken: Ct));
    }

    [Theory, Databases]
    public async Task LiveNotices_ThroughTheClient_ArriveAsTypedEvents(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases, kestrel: true, clock: false);
        using SdkUsers users = SdkUsers.For(app);
        ChatClient alice = await users.ChatAsync("alice");
        ChatClient bob = await users.ChatAsync("bob");
        using var live = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        live.CancelAfter(TimeSpan.FromSeconds(60));
        Task<List<ChatEvent>> aliceEvents = EventsAsync(alice, 3, live.Token);
        Task<List<ChatEvent>> bobEvents = EventsAsync(bob, 3, live.Token);
        await WaitForConnectionAsync(app, alice.UserId);
        await WaitForConnectionAsync(app, bob.UserId);

        // Secret chat: bob hears the request, alice the acceptance and the finalized keys.
        SecretChatInfo chat = await alice.CreateSecretChatAsync(bob.UserId, Ct);
        await bob.ApproveSecretChatAsync(chat.Id, Ct);
        // Secret group: bob joins by code and waits; alice's client hands the keys over; bob hears it.
        ChatGroup group = await alice.CreateSecretGroupAsync("Plans", cancellationToken: Ct);
        await bob.JoinGroupByInviteCodeAsync(group.InviteCode!, Ct);
        await alice.SyncSecretGroupAsync(group.Id, Ct);

        List<ChatEvent> toAlice = await aliceEvents;
        List<ChatEvent> toBob = await bobEvents;
        Assert.Equal(
            [(ChatEventKind.SecretChatAccepted, ChatThread.SecretChat(chat.Id), bob.UserId), (ChatEventKind.SecretChatKeysFinalized, ChatThread.SecretChat(chat.Id), bob.UserId),
             (ChatEventKind.GroupKeysNeeded, ChatThread.Group(group.Id), bob.UserId)],
            toAlice.Select(e => (e.Kind, e.Thread, e.UserId!)));
        Assert.Equal(
            [(ChatEventKind.SecretChatRequested, ChatThread.SecretChat(chat.Id), alice.UserId), (ChatEventKind.GroupMemberJoined, ChatThread.Group(group.Id), bob.UserId),
             (ChatEventKind.GroupKeysHandedOver, ChatThread.Group(group.Id), bob.UserId)],
            toBob.Select(e => (e.Kind, e.Thread, e.UserId!)));
        Assert.Equal("joined", toBob[1].Reason);
    }

    [Theory, Databases]
    public async Task LiveAsync_Cancelled_EndsWithoutError_ServerDropsTheConnection(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases, kestrel: true, clock: false);
        using SdkUsers users = SdkUsers.For(app);
        ChatClient alice = await users.ChatAsync("alice");
        ChatClient bob = await users.ChatAsync("bob");
        using var live = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var connected = new TaskCompletionSource();
        Task<int> listening = Task.Run(async () =>
        {
            int events = 0;
            await foreach (ChatEvent e in alice.LiveAsync(live.Token))
            {
                events++;
                connected.TrySetResult();
            }

            return events;
        }, Ct);
        // One event first, so the socket is surely open (not still connecting) when the cancellation comes.
        await WaitForConnectionAsync(app, alice.UserId);
        await bob.CreateSecretChatAsync(alice.UserId, Ct);
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);

        await live.CancelAsync();
        // Ends normally, without an exception; the bound only guards against a hang (no timing is asserted: on a busy
        // machine the close handshake may take up to the client's 2 s give-up).
        Assert.Equal(1, await listening.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        ChatHub hub = app.Services.GetRequiredService<ChatHub>();
        for (int i = 0; i < 50 && hub.ConnectionCount(alice.UserId) > 0; i++)
        {
            await Task.Delay(100, Ct);
        }

        Assert.Equal(0, hub.ConnectionCount(alice.UserId));
    }

    private static async Task<List<ChatEvent>> EventsAsync(ChatClient client, int count, CancellationToken ct)
    {
        var events = new List<ChatEvent>();
        await foreach (ChatEvent e in client.LiveAsync(ct))
        {
            events.Add(e);
            if (events.Count == count)
            {
                break;
            }
        }

        return events;
    }

    /// <summary>Who in the group holds the keys, as the server's hand-over ledger says (group details, <c>keys_ready</c>).</summary>
    private static async Task<(string, bool)[]> KeysReadyAsync(ChatClient reader, long groupId) =>
        [.. (await reader.GetGroupAsync(groupId, Ct)).Members.Select(m => (m.UserId, m.KeysReady ?? throw new InvalidOperationException("keys_ready missing")))];

    /// <summary>The stored ciphertext of the message at <paramref name="index"/> (newest first), as the server answers it.</summary>
    internal static async Task<string> CiphertextAsync(ChatClient reader, long groupId, int index) =>
        (await reader.SendAsync(HttpMethod.Get, $"group/{groupId}/messages", null, Ct)).GetProperty("messages")[index].GetProperty("encrypted_content").GetString()!;

    private static string KeyIdOf(string ciphertext) => Coffer.Crypto.Sentc.EncryptedData.ReadHead(Convert.FromBase64String(ciphertext)).Id;

    internal static async Task<ChatEvent> FirstEventAsync(ChatClient client, CancellationToken ct)
    {
        await foreach (ChatEvent e in client.LiveAsync(ct))
        {
            return e;
        }

        throw new InvalidOperationException("The live connection closed without an event.");
    }

    /// <summary>Bounded wait (100 × 100 ms) until the hub has the user's socket, so no event goes out before it.</summary>
    internal static async Task WaitForConnectionAsync(ChatTestApp app, string user)
    {
        ChatHub hub = app.Services.GetRequiredService<ChatHub>();
        for (int i = 0; i < 100 && hub.ConnectionCount(user) == 0; i++)
        {
            await Task.Delay(100, Ct);
        }

        Assert.Equal(1, hub.ConnectionCount(user));
    }
}
