using System.Globalization;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Client;
using Coffer.Client.Groups;
using Coffer.Crypto;

namespace Coffer.Chat.Client;

/// <summary>
/// A Coffer.Chat client for one logged-in <see cref="CofferUser"/>: every chat endpoint, with the end-to-end
/// encryption done on this device. Secret chats follow the seed's workflow (each side's Coffer public key, user B
/// wraps a fresh symmetric key for both); secret groups are Coffer platform groups whose keys the SDK decrypts.
/// Message texts of secret chats and secret groups are encrypted before they leave and decrypted when they arrive;
/// the chat server only ever sees ciphertext and wrapped keys. Keys are cached in memory for the client's life.
/// Thread-safe; dispose it to zero the cached keys.
/// </summary>
public sealed partial class ChatClient : IDisposable
{
    private readonly HttpClient http;
    private readonly bool ownsHttp;
    private readonly Uri baseUrl;
    private readonly Dictionary<long, SymmetricKey> chatKeys = [];
    private readonly Dictionary<long, GroupId?> groupKinds = [];
    private readonly Dictionary<string, CofferGroup> cofferGroups = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim groupLock = new(1, 1);
    private readonly object cacheLock = new();

    /// <summary>How long a closing live socket waits for the server's close frame before it is dropped.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    /// <summary>A client for the chat server at <paramref name="baseUrl"/> (the part before <c>/api/</c>), acting as <paramref name="user"/>.</summary>
    /// <param name="baseUrl">The chat server, e.g. <c>http://127.0.0.1:8080</c> (in-process: the Coffer server's URL).</param>
    /// <param name="user">The logged-in Coffer user; its JWT (refreshed when needed) authenticates every request.</param>
    /// <param name="httpClient">An HTTP client to use (not disposed by this client); null creates one.</param>
    public ChatClient(Uri baseUrl, CofferUser user, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(user);
        this.baseUrl = new Uri(baseUrl.ToString().TrimEnd('/') + "/");
        User = user;
        http = httpClient ?? new HttpClient();
        ownsHttp = httpClient is null;
    }

    /// <summary>The Coffer user this client acts as.</summary>
    public CofferUser User { get; }

    /// <summary>The user's id (the chat's user id).</summary>
    public string UserId => User.UserId.Value;

    // ---- profiles ----

    /// <summary>GET /api/profile: the caller's profile (created on the first chat request).</summary>
    public async Task<ChatProfile> GetProfileAsync(CancellationToken cancellationToken = default) =>
        ReadProfile(await SendAsync(HttpMethod.Get, "profile", null, cancellationToken).ConfigureAwait(false));

    /// <summary>GET /api/profile/{user_id}: another user's profile (404 until they used the chat once).</summary>
    public async Task<ChatProfile> GetProfileAsync(string userId, CancellationToken cancellationToken = default) =>
        ReadProfile(await SendAsync(HttpMethod.Get, "profile/" + Esc(userId), null, cancellationToken).ConfigureAwait(false));

    /// <summary>PUT /api/profile: sets the username and/or avatar (null = unchanged).</summary>
    public async Task<ChatProfile> UpdateProfileAsync(string? username, string? avatarUrl = null, CancellationToken cancellationToken = default) =>
        ReadProfile(await SendAsync(HttpMethod.Put, "profile", new JsonObject { ["username"] = username, ["avatar_url"] = avatarUrl }, cancellationToken).ConfigureAwait(false));

    // ---- groups ----

    /// <summary>POST /api/group/create: a public or private group (secret groups: <see cref="CreateSecretGroupAsync"/>).</summary>
    public async Task<ChatGroup> CreateGroupAsync(
        string name, ChatGroupType type, string? description = null, string? avatarUrl = null, CancellationToken cancellationToken = default)
    {
        if (type == ChatGroupType.Secret)
        {
            throw new ArgumentException("Secret groups are created with CreateSecretGroupAsync.", nameof(type));
        }

        JsonElement answer = await SendAsync(HttpMethod.Post, "group/create", new JsonObject
        {
            ["name"] = name,
            ["description"] = description,
            ["type"] = TypeName(type),
            ["avatar_url"] = avatarUrl,
        }, cancellationToken).ConfigureAwait(false);
        return Remember(ReadGroup(answer.GetProperty("group"), ChatRole.Admin));
    }

    /// <summary>
    /// A secret group: creates its Coffer platform group (this user is its creator, holding the first key) and then
    /// the chat group bound to it (POST /api/group/create-secret with <c>coffer_group_id</c>; the server checks that
    /// the caller created it). Messages are encrypted with the platform group's key.
    /// </summary>
    public async Task<ChatGroup> CreateSecretGroupAsync(
        string name, string? description = null, string? avatarUrl = null, CancellationToken cancellationToken = default)
    {
        CofferGroup platform = await User.CreateGroupAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            JsonElement answer = await SendAsync(HttpMethod.Post, "group/create-secret", new JsonObject
            {
                ["name"] = name,
                ["description"] = description,
                ["avatar_url"] = avatarUrl,
                ["coffer_group_id"] = platform.GroupId.Value,
            }, cancellationToken).ConfigureAwait(false);
            ChatGroup group = Remember(ReadGroup(answer.GetProperty("group"), ChatRole.Admin));
            lock (cacheLock)
            {
                cofferGroups[platform.GroupId.Value] = platform;
            }

            return group;
        }
        catch
        {
            // The chat refused: the platform group must not linger without its chat group.
            try
            {
                await platform.DeleteAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (CofferException)
            {
                // best effort; the original failure is what the caller needs
            }

            platform.Dispose();
            throw;
        }
    }

    /// <summary>GET /api/group/user-groups: the caller's groups with their role.</summary>
    public async Task<IReadOnlyList<ChatGroup>> GetUserGroupsAsync(CancellationToken cancellationToken = default)
    {
        JsonElement answer = await SendAsync(HttpMethod.Get, "group/user-groups", null, cancellationToken).ConfigureAwait(false);
        return [.. answer.GetProperty("groups").EnumerateArray().Select(g => Remember(ReadGroup(g, null)))];
    }

    /// <summary>POST /api/group/join with a group id (public groups).</summary>
    public Task<ChatGroup> JoinGroupAsync(long groupId, CancellationToken cancellationToken = default) =>
        JoinAsync(new JsonObject { ["group_id"] = groupId }, cancellationToken);

    /// <summary>
    /// POST /api/group/join with an invite code (private and secret groups). For a secret group this user also asks the
    /// platform group to let them in (a join request); an admin's client hands over the keys
    /// (<see cref="SyncSecretGroupAsync"/>), after which the whole history is readable.
    /// </summary>
    public Task<ChatGroup> JoinGroupByInviteCodeAsync(string inviteCode, CancellationToken cancellationToken = default) =>
        JoinAsync(new JsonObject { ["invite_code"] = inviteCode }, cancellationToken);

    /// <summary>POST /api/group/leave/{id}. In a secret group the server also removes the platform membership; an admin rotates the key.</summary>
    public async Task LeaveGroupAsync(long groupId, CancellationToken cancellationToken = default)
    {
        await SendAsync(HttpMethod.Post, $"group/leave/{groupId}", new JsonObject(), cancellationToken).ConfigureAwait(false);
        Forget(groupId);
    }

    /// <summary>GET /api/group/{id}: the group with its members.</summary>
    public async Task<ChatGroupDetails> GetGroupAsync(long groupId, CancellationToken cancellationToken = default)
    {
        JsonElement group = (await SendAsync(HttpMethod.Get, $"group/{groupId}", null, cancellationToken).ConfigureAwait(false)).GetProperty("group");
        ChatGroupMember[] members = [.. group.GetProperty("members").EnumerateArray().Select(m => new ChatGroupMember(
            m.GetProperty("user_id").GetString()!,
            Str(m, "username"),
            Str(m, "avatar_url"),
            ParseRole(m.GetProperty("role").GetString()),
            ParseTime(m.GetProperty("joined_at").GetString()),
            m.TryGetProperty("keys_ready", out JsonElement ready) && ready.ValueKind is JsonValueKind.True or JsonValueKind.False ? ready.GetBoolean() : null))];
        ChatRole? mine = members.FirstOrDefault(m => m.UserId == UserId)?.Role;
        return new ChatGroupDetails(Remember(ReadGroup(group, mine)), members);
    }

    /// <summary>GET /api/group/search?q=: public groups whose name or description contains the text.</summary>
    public async Task<IReadOnlyList<ChatGroup>> SearchGroupsAsync(string query, CancellationToken cancellationToken = default)
    {
        JsonElement answer = await SendAsync(HttpMethod.Get, "group/search?q=" + Uri.EscapeDataString(query), null, cancellationToken).ConfigureAwait(false);
        return [.. answer.GetProperty("groups").EnumerateArray().Select(g => ReadGroup(g, null))];
    }

    /// <summary>PUT /api/group/{id}: name, description, avatar (null = unchanged); admins only.</summary>
    public async Task<ChatGroup> UpdateGroupAsync(
        long groupId, string? name = null, string? description = null, string? avatarUrl = null, CancellationToken cancellationToken = default)
    {
        JsonElement answer = await SendAsync(HttpMethod.Put, $"group/{groupId}", new JsonObject
        {
            ["name"] = name,
            ["description"] = description,
            ["avatar_url"] = avatarUrl,
        }, cancellationToken).ConfigureAwait(false);
        return ReadGroup(answer.GetProperty("group"), ChatRole.Admin);
    }

    /// <summary>DELETE /api/group/{id}; admins only. The server deletes a secret group's platform group (and so its keys) too.</summary>
    public async Task DeleteGroupAsync(long groupId, CancellationToken cancellationToken = default)
    {
        await SendAsync(HttpMethod.Delete, $"group/{groupId}", null, cancellationToken).ConfigureAwait(false);
        Forget(groupId);
    }

    /// <summary>
    /// POST /api/group/{id}/add-member; admins and moderators. In a secret group this client also hands the group keys
    /// to the new member (encrypted for their public key).
    /// </summary>
    public async Task AddMemberAsync(long groupId, string userId, CancellationToken cancellationToken = default)
    {
        await SendAsync(HttpMethod.Post, $"group/{groupId}/add-member", new JsonObject { ["user_id"] = userId }, cancellationToken).ConfigureAwait(false);
        if (await CofferGroupIdAsync(groupId, cancellationToken).ConfigureAwait(false) is { } platform)
        {
            CofferGroup group = await PlatformGroupAsync(platform, cancellationToken).ConfigureAwait(false);
            await group.InviteAutoAsync(new UserId(userId), RankOf(ChatRole.Member), cancellationToken).ConfigureAwait(false);
            await ReportKeysHandedOverAsync(groupId, [userId], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// POST /api/group/{id}/remove-member; admins (anyone) and moderators (members). In a secret group the server
    /// removes the platform membership and this client then rotates the key right away, so the removed member cannot
    /// read anything sent afterwards. Returns the new key id, or null for other groups and when the platform refuses
    /// this user the rotation (an app whose <c>min_rank_key_rotation</c> excludes moderators): the group then stays
    /// marked for rotation and an admin's client rotates on its next sync.
    /// </summary>
    public async Task<string?> RemoveMemberAsync(long groupId, string userId, CancellationToken cancellationToken = default)
    {
        await SendAsync(HttpMethod.Post, $"group/{groupId}/remove-member", new JsonObject { ["user_id"] = userId }, cancellationToken).ConfigureAwait(false);
        if (await CofferGroupIdAsync(groupId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        try
        {
            return await RotateGroupKeyAsync(groupId, cancellationToken).ConfigureAwait(false);
        }
        catch (CofferException e) when (e.Is(Coffer.Protocol.ProtocolError.GroupUserRank))
        {
            return null;
        }
    }

    /// <summary>POST /api/group/{id}/change-role; admins only. In a secret group the platform rank follows (admin 1, moderator 2, member 4).</summary>
    public async Task ChangeRoleAsync(long groupId, string userId, ChatRole role, CancellationToken cancellationToken = default)
    {
        await SendAsync(HttpMethod.Post, $"group/{groupId}/change-role", new JsonObject { ["user_id"] = userId, ["role"] = RoleName(role) }, cancellationToken)
            .ConfigureAwait(false);
        if (await CofferGroupIdAsync(groupId, cancellationToken).ConfigureAwait(false) is { } platform)
        {
            CofferGroup group = await PlatformGroupAsync(platform, cancellationToken).ConfigureAwait(false);
            await group.UpdateRankAsync(userId, RankOf(role), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>POST /api/group/{id}/renew-invite-code; admins only. Returns the new code (the old one stops working).</summary>
    public async Task<string> RenewInviteCodeAsync(long groupId, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, $"group/{groupId}/renew-invite-code", new JsonObject(), cancellationToken).ConfigureAwait(false))
        .GetProperty("invite_code").GetString()!;

    // ---- messages ----

    /// <summary>Sends a message; in a secret chat or secret group the text is encrypted here first.</summary>
    public async Task<ChatMessage> SendMessageAsync(ChatThread thread, string text, string messageType = "text", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return await WriteMessageAsync(thread, HttpMethod.Post, MessagesPath(thread), text, messageType, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One page of messages, newest first; <paramref name="before"/> = the oldest id seen for the next page. Decrypted here.</summary>
    public async Task<MessagePage> GetMessagesAsync(ChatThread thread, long? before = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        string query = $"?limit={limit.ToString(CultureInfo.InvariantCulture)}" + (before is long b ? $"&before={b.ToString(CultureInfo.InvariantCulture)}" : "");
        JsonElement answer = await SendAsync(HttpMethod.Get, MessagesPath(thread) + query, null, cancellationToken).ConfigureAwait(false);
        var messages = new List<ChatMessage>();
        foreach (JsonElement m in answer.GetProperty("messages").EnumerateArray())
        {
            messages.Add(await ReadMessageAsync(thread, m, cancellationToken).ConfigureAwait(false));
        }

        return new MessagePage(messages, answer.GetProperty("has_more").GetBoolean());
    }

    /// <summary>Edits one's own message (encrypted again in secret threads).</summary>
    public async Task<ChatMessage> EditMessageAsync(ChatThread thread, long messageId, string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return await WriteMessageAsync(thread, HttpMethod.Put, $"{MessagesPath(thread)}/{messageId}", text, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a message (one's own; group admins and moderators: any).</summary>
    public Task DeleteMessageAsync(ChatThread thread, long messageId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"{MessagesPath(thread)}/{messageId}", null, cancellationToken);

    // ---- live ----

    /// <summary>
    /// GET /api/live over a WebSocket: this user's events until <paramref name="cancellationToken"/> is cancelled or the
    /// server closes. Messages come decrypted. Events missed while disconnected are not replayed: re-list the messages.
    /// </summary>
    public async IAsyncEnumerable<ChatEvent> LiveAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + await User.GetJwtAsync(cancellationToken).ConfigureAwait(false));
        var builder = new UriBuilder(new Uri(baseUrl, "api/live")) { Scheme = baseUrl.Scheme == "https" ? "wss" : "ws" };
        try
        {
            await socket.ConnectAsync(builder.Uri, http, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            yield break; // cancelled while connecting: ends like a cancelled receive, without events
        }

        byte[] buffer = new byte[16 * 1024];
        using var frame = new MemoryStream();
        // On cancellation the socket is closed with the handshake (the server answers the close frame, which ends the
        // pending receive), not aborted; the receive gives up CloseTimeout later if the server does not answer.
        using var receiveStop = new CancellationTokenSource();
        Task closing = Task.CompletedTask;
        using CancellationTokenRegistration closeOnCancel = cancellationToken.Register(() =>
        {
            receiveStop.CancelAfter(CloseTimeout);
            closing = CloseOutputAsync(socket, receiveStop.Token);
        });
        while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer, receiveStop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (WebSocketException) when (cancellationToken.IsCancellationRequested)
            {
                break; // the server went away while this side was closing
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            frame.Write(buffer, 0, result.Count);
            if (!result.EndOfMessage)
            {
                continue;
            }

            JsonElement root;
            using (JsonDocument doc = JsonDocument.Parse(frame.ToArray()))
            {
                root = doc.RootElement.Clone();
            }

            frame.SetLength(0);
            if (cancellationToken.IsCancellationRequested)
            {
                continue; // closing: read on until the server's close frame, yield nothing more
            }

            yield return await ReadEventAsync(root, cancellationToken).ConfigureAwait(false);
        }

        await closing.ConfigureAwait(false);
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var close = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, close.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // the server went away first
            }
        }
    }

    /// <summary>Sends the close frame of <see cref="LiveAsync"/>'s socket; failures mean the connection is gone already.</summary>
    private static async Task CloseOutputAsync(ClientWebSocket socket, CancellationToken giveUp)
    {
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, giveUp).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // the server went away first, or the socket was not open any more
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (cacheLock)
        {
            foreach (SymmetricKey key in chatKeys.Values)
            {
                key.Dispose();
            }

            chatKeys.Clear();
            foreach (CofferGroup group in cofferGroups.Values)
            {
                group.Dispose();
            }

            cofferGroups.Clear();
        }

        groupLock.Dispose();
        if (ownsHttp)
        {
            http.Dispose();
        }
    }

    // ---- plumbing ----

    /// <summary>The raw bytes of every key this client holds in memory (chat keys, platform group keys), for leak scans.</summary>
    internal IReadOnlyList<byte[]> CachedKeyBytes()
    {
        lock (cacheLock)
        {
            return [.. chatKeys.Values.Select(k => k.ExportRaw()), .. cofferGroups.Values.SelectMany(g => g.Keys).Select(k => k.SymmetricKey.ExportRaw())];
        }
    }

    private async Task<ChatGroup> JoinAsync(JsonObject body, CancellationToken cancellationToken)
    {
        JsonElement answer = await SendAsync(HttpMethod.Post, "group/join", body, cancellationToken).ConfigureAwait(false);
        ChatGroup group = Remember(ReadGroup(answer.GetProperty("group"), ChatRole.Member));
        if (group.CofferGroupId is { } platform)
        {
            await User.SendJoinRequestAsync(platform, cancellationToken).ConfigureAwait(false);
        }

        return group;
    }

    /// <summary>Sends or edits a message: encrypted with the chat key, the current platform group key, or as plain content.</summary>
    private async Task<ChatMessage> WriteMessageAsync(
        ChatThread thread, HttpMethod method, string path, string text, string? messageType, CancellationToken cancellationToken)
    {
        async Task<ChatMessage> SendBodyAsync(JsonObject body)
        {
            if (messageType is not null)
            {
                body["message_type"] = messageType;
            }

            JsonElement answer = await SendAsync(method, path, body, cancellationToken).ConfigureAwait(false);
            return await ReadMessageAsync(thread, answer.GetProperty("message"), cancellationToken).ConfigureAwait(false);
        }

        if (thread.Kind == ChatThreadKind.SecretChat)
        {
            SymmetricKey key = await SecretChatKeyAsync(thread.Id, cancellationToken).ConfigureAwait(false);
            byte[] plain = Encoding.UTF8.GetBytes(text);
            string sealedText = Convert.ToBase64String(key.Encrypt(plain));
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plain);
            return await SendBodyAsync(new JsonObject { ["encrypted_content"] = sealedText }).ConfigureAwait(false);
        }

        if (await CofferGroupIdAsync(thread.Id, cancellationToken).ConfigureAwait(false) is { } platform)
        {
            return await WithCurrentGroupKeyAsync(
                platform, group => SendBodyAsync(new JsonObject { ["encrypted_content"] = group.EncryptString(text) }), cancellationToken).ConfigureAwait(false);
        }

        return await SendBodyAsync(new JsonObject { ["content"] = text }).ConfigureAwait(false);
    }

    private async Task<ChatMessage> ReadMessageAsync(ChatThread thread, JsonElement m, CancellationToken cancellationToken)
    {
        bool encrypted = thread.Kind == ChatThreadKind.SecretChat || (m.TryGetProperty("is_encrypted", out JsonElement e) && e.GetBoolean());
        string? text = null;
        string? error = null;
        if (!encrypted)
        {
            text = Str(m, "content");
        }
        else if (Str(m, "encrypted_content") is not { } sealedText)
        {
            error = "The message has no encrypted content.";
        }
        else
        {
            try
            {
                text = thread.Kind == ChatThreadKind.SecretChat
                    ? DecryptChatText(await SecretChatKeyAsync(thread.Id, cancellationToken).ConfigureAwait(false), sealedText)
                    : await DecryptGroupTextAsync(thread.Id, sealedText, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception failure) when (failure is CofferException or ChatCryptoException or CryptoException or FormatException or ChatApiException)
            {
                error = failure.Message;
            }
        }

        return new ChatMessage(
            m.GetProperty("id").GetInt64(),
            thread,
            m.GetProperty("sender_id").GetString()!,
            text,
            Str(m, "message_type") ?? "text",
            encrypted,
            ParseTime(m.GetProperty("created_at").GetString()),
            Str(m, "edited_at") is { } edited ? ParseTime(edited) : null,
            error);
    }

    private async Task<ChatEvent> ReadEventAsync(JsonElement root, CancellationToken cancellationToken)
    {
        string type = Str(root, "type") ?? "";
        ChatThread thread = new(
            Str(root, "thread") == "secret_chat" ? ChatThreadKind.SecretChat : ChatThreadKind.Group,
            root.TryGetProperty("thread_id", out JsonElement id) && id.ValueKind == JsonValueKind.Number ? id.GetInt64() : 0);
        switch (type)
        {
            case "message.created" or "message.updated":
                ChatMessage message = await ReadMessageAsync(thread, root.GetProperty("message"), cancellationToken).ConfigureAwait(false);
                return new ChatEvent(type == "message.created" ? ChatEventKind.MessageCreated : ChatEventKind.MessageUpdated, type, thread, message, message.Id);
            case "message.deleted":
                return new ChatEvent(ChatEventKind.MessageDeleted, type, thread, null, root.GetProperty("message_id").GetInt64());
            default:
                ChatEventKind kind = type switch
                {
                    "group.keys_needed" => ChatEventKind.GroupKeysNeeded,
                    "group.keys_handed_over" => ChatEventKind.GroupKeysHandedOver,
                    "group.member_joined" => ChatEventKind.GroupMemberJoined,
                    "group.member_removed" => ChatEventKind.GroupMemberRemoved,
                    "secret_chat.requested" => ChatEventKind.SecretChatRequested,
                    "secret_chat.accepted" => ChatEventKind.SecretChatAccepted,
                    "secret_chat.keys_finalized" => ChatEventKind.SecretChatKeysFinalized,
                    _ => ChatEventKind.Other,
                };
                return new ChatEvent(kind, type, thread, null, null, Str(root, "user_id"), Str(root, "reason"));
        }
    }

    internal async Task<JsonElement> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(baseUrl, "api/" + path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await User.GetJwtAsync(cancellationToken).ConfigureAwait(false));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        string text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        JsonElement root;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new ChatApiException((int)response.StatusCode, "The server's answer is not JSON");
        }

        if (!response.IsSuccessStatusCode)
        {
            string detail = root.ValueKind == JsonValueKind.Object && Str(root, "detail") is { } d ? d : response.ReasonPhrase ?? "Request failed";
            throw new ChatApiException((int)response.StatusCode, detail);
        }

        return root;
    }

    private ChatGroup Remember(ChatGroup group)
    {
        lock (cacheLock)
        {
            groupKinds[group.Id] = group.Type == ChatGroupType.Secret ? group.CofferGroupId : null;
        }

        return group;
    }

    private void Forget(long groupId)
    {
        lock (cacheLock)
        {
            groupKinds.Remove(groupId);
        }
    }

    /// <summary>The platform group of a secret chat group; null for public and private groups.</summary>
    private async Task<GroupId?> CofferGroupIdAsync(long groupId, CancellationToken cancellationToken)
    {
        lock (cacheLock)
        {
            if (groupKinds.TryGetValue(groupId, out GroupId? known))
            {
                return known;
            }
        }

        return (await GetGroupAsync(groupId, cancellationToken).ConfigureAwait(false)).Group.CofferGroupId;
    }

    private static string MessagesPath(ChatThread thread) =>
        thread.Kind == ChatThreadKind.SecretChat ? $"secret-chat/{thread.Id}/messages" : $"group/{thread.Id}/messages";

    private static ChatProfile ReadProfile(JsonElement answer)
    {
        JsonElement p = answer.GetProperty("profile");
        return new ChatProfile(p.GetProperty("user_id").GetString()!, Str(p, "username"), Str(p, "avatar_url"));
    }

    private static ChatGroup ReadGroup(JsonElement g, ChatRole? knownRole)
    {
        ChatRole? role = Str(g, "role") is { } r ? ParseRole(r) : knownRole;
        return new ChatGroup(
            g.GetProperty("id").GetInt64(),
            g.GetProperty("name").GetString()!,
            Str(g, "description"),
            ParseType(g.GetProperty("type").GetString()),
            Str(g, "avatar_url"),
            Str(g, "created_by"),
            Str(g, "created_at") is { } created ? ParseTime(created) : null,
            g.TryGetProperty("member_count", out JsonElement count) && count.ValueKind == JsonValueKind.Number ? count.GetInt64() : null,
            role,
            Str(g, "invite_code"),
            g.TryGetProperty("is_member", out JsonElement isMember) && isMember.ValueKind is JsonValueKind.True or JsonValueKind.False ? isMember.GetBoolean() : role is not null,
            Str(g, "coffer_group_id") is { } platform ? new GroupId(platform) : null,
            g.TryGetProperty("key_rotation_pending", out JsonElement pending) && pending.ValueKind == JsonValueKind.True);
    }

    internal static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset ParseTime(string? text) =>
        DateTimeOffset.Parse(text ?? throw new ChatApiException(0, "A timestamp is missing"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static ChatGroupType ParseType(string? type) => type switch
    {
        "public" => ChatGroupType.Public,
        "private" => ChatGroupType.Private,
        "secret" => ChatGroupType.Secret,
        _ => throw new ChatApiException(0, $"Unknown group type {type}"),
    };

    private static ChatRole ParseRole(string? role) => role switch
    {
        "admin" => ChatRole.Admin,
        "moderator" => ChatRole.Moderator,
        "member" => ChatRole.Member,
        _ => throw new ChatApiException(0, $"Unknown role {role}"),
    };

    private static string TypeName(ChatGroupType type) => type switch
    {
        ChatGroupType.Public => "public",
        ChatGroupType.Private => "private",
        ChatGroupType.Secret => "secret",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    internal static string RoleName(ChatRole role) => role switch
    {
        ChatRole.Admin => "admin",
        ChatRole.Moderator => "moderator",
        ChatRole.Member => "member",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    /// <summary>The platform rank of a chat role (0 creator, 1 admin, 2 moderator — may kick —, 4 member).</summary>
    internal static int RankOf(ChatRole role) => role switch
    {
        ChatRole.Admin => 1,
        ChatRole.Moderator => 2,
        ChatRole.Member => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    private static string Esc(string value) => Uri.EscapeDataString(value);
}
