using Coffer.Client;

namespace Coffer.Chat.Client;

/// <summary>A chat user's profile: the Coffer user id and what they chose to show.</summary>
/// <param name="UserId">The Coffer user id (the chat's user id).</param>
/// <param name="Username">The chosen name, if any.</param>
/// <param name="AvatarUrl">The avatar URL, if any.</param>
public sealed record ChatProfile(string UserId, string? Username, string? AvatarUrl);

/// <summary>A secret chat as the server stores it (the seed's <c>GET /api/secret-chat/get</c>): public keys and wrapped keys only.</summary>
/// <param name="Id">The chat id.</param>
/// <param name="User1">User A, who created the chat.</param>
/// <param name="User2">User B, who approves it and generates the symmetric key.</param>
/// <param name="User1PublicKey">A's public key (base64 of the Coffer public key export), once uploaded.</param>
/// <param name="User2PublicKey">B's public key, once uploaded.</param>
/// <param name="User1EncryptedSymmetricKey">The chat key wrapped for A (base64), once finalized.</param>
/// <param name="User2EncryptedSymmetricKey">The chat key wrapped for B (base64), once finalized.</param>
/// <param name="User2Accepted">True once B approved.</param>
/// <param name="KeyFinalized">True once B uploaded both wrapped keys; only then can messages be sent.</param>
public sealed record SecretChatInfo(
    long Id,
    string User1,
    string User2,
    string? User1PublicKey,
    string? User2PublicKey,
    string? User1EncryptedSymmetricKey,
    string? User2EncryptedSymmetricKey,
    bool User2Accepted,
    bool KeyFinalized)
{
    /// <summary>The other participant, seen from <paramref name="me"/>.</summary>
    public string Peer(string me) => me == User1 ? User2 : User1;
}

/// <summary>Group types of the chat: public (searchable, joinable by id), private and secret (invite code; secret = end-to-end encrypted).</summary>
public enum ChatGroupType
{
    /// <summary>Searchable, joinable by id, plaintext messages.</summary>
    Public,

    /// <summary>Joinable by invite code only, plaintext messages.</summary>
    Private,

    /// <summary>Joinable by invite code only; a Coffer platform group holds the keys and messages are end-to-end encrypted.</summary>
    Secret,
}

/// <summary>Roles in a chat group (admin ⊃ moderator ⊃ member; see the README for their powers).</summary>
public enum ChatRole
{
    /// <summary>Everything: update, delete, roles, invite code, add and remove anyone, key hand-over and rotation.</summary>
    Admin,

    /// <summary>Add members, remove plain members, delete others' messages.</summary>
    Moderator,

    /// <summary>Read, write, edit and delete own messages, leave.</summary>
    Member,
}

/// <summary>A group as one user sees it (fields the answer did not carry are null).</summary>
/// <param name="Id">The chat group id.</param>
/// <param name="Name">The name.</param>
/// <param name="Description">The description, if any.</param>
/// <param name="Type">Public, private or secret.</param>
/// <param name="AvatarUrl">The avatar URL, if any.</param>
/// <param name="CreatedBy">The creator's user id (null where the answer leaves it out).</param>
/// <param name="CreatedAt">Creation time (null where the answer leaves it out).</param>
/// <param name="MemberCount">Number of members (null where the answer leaves it out).</param>
/// <param name="Role">The caller's role; null when not a member.</param>
/// <param name="InviteCode">The invite code (private and secret groups; admins and moderators only).</param>
/// <param name="IsMember">True when the caller is a member (search answers; otherwise Role is not null).</param>
/// <param name="CofferGroupId">Secret groups: the Coffer platform group that holds the keys.</param>
/// <param name="KeyRotationPending">Secret groups: a member left or was removed and no admin has rotated the key since.</param>
public sealed record ChatGroup(
    long Id,
    string Name,
    string? Description,
    ChatGroupType Type,
    string? AvatarUrl,
    string? CreatedBy,
    DateTimeOffset? CreatedAt,
    long? MemberCount,
    ChatRole? Role,
    string? InviteCode,
    bool IsMember,
    GroupId? CofferGroupId,
    bool KeyRotationPending);

/// <summary>A member of a group (group details).</summary>
/// <param name="UserId">The member's user id.</param>
/// <param name="Username">Their username, if set.</param>
/// <param name="AvatarUrl">Their avatar URL, if set.</param>
/// <param name="Role">Their role.</param>
/// <param name="JoinedAt">When they joined.</param>
/// <param name="KeysReady">
/// Secret groups: true once an admin's client has handed this member the group keys, false while they wait for them
/// (null for other groups, and for members who joined before the server kept the hand-over ledger).
/// </param>
public sealed record ChatGroupMember(string UserId, string? Username, string? AvatarUrl, ChatRole Role, DateTimeOffset JoinedAt, bool? KeysReady = null);

/// <summary>A group with its members (<c>GET /api/group/{id}</c>).</summary>
/// <param name="Group">The group.</param>
/// <param name="Members">Its members, by join time.</param>
public sealed record ChatGroupDetails(ChatGroup Group, IReadOnlyList<ChatGroupMember> Members);

/// <summary>Where messages live: a secret chat or a group.</summary>
public enum ChatThreadKind
{
    /// <summary>A 1:1 secret chat (always encrypted with the chat key).</summary>
    SecretChat,

    /// <summary>A group (encrypted with the platform group key when the group is secret).</summary>
    Group,
}

/// <summary>A conversation: a secret chat or a group, by its chat id.</summary>
/// <param name="Kind">Secret chat or group.</param>
/// <param name="Id">The secret chat id or the group id.</param>
public readonly record struct ChatThread(ChatThreadKind Kind, long Id)
{
    /// <summary>The secret chat with this id.</summary>
    public static ChatThread SecretChat(long id) => new(ChatThreadKind.SecretChat, id);

    /// <summary>The group with this id.</summary>
    public static ChatThread Group(long id) => new(ChatThreadKind.Group, id);

    /// <inheritdoc/>
    public override string ToString() => $"{(Kind == ChatThreadKind.SecretChat ? "secret-chat" : "group")}/{Id}";
}

/// <summary>A message, decrypted on this device where it was encrypted.</summary>
/// <param name="Id">The message id.</param>
/// <param name="Thread">Its conversation.</param>
/// <param name="SenderId">The sender's user id.</param>
/// <param name="Text">The plaintext; null when it could not be decrypted (see <paramref name="DecryptionError"/>).</param>
/// <param name="MessageType">"text", "image" or "file".</param>
/// <param name="IsEncrypted">True when the server holds only ciphertext of it.</param>
/// <param name="CreatedAt">When it was sent.</param>
/// <param name="EditedAt">When it was last edited, if ever.</param>
/// <param name="DecryptionError">Why <paramref name="Text"/> is null (e.g. the key is not obtainable), else null.</param>
public sealed record ChatMessage(
    long Id,
    ChatThread Thread,
    string SenderId,
    string? Text,
    string MessageType,
    bool IsEncrypted,
    DateTimeOffset CreatedAt,
    DateTimeOffset? EditedAt,
    string? DecryptionError);

/// <summary>One page of messages, newest first.</summary>
/// <param name="Messages">The messages, newest first.</param>
/// <param name="HasMore">True when older messages exist (pass the last id as <c>before</c>).</param>
public sealed record MessagePage(IReadOnlyList<ChatMessage> Messages, bool HasMore);

/// <summary>What happened in a live event.</summary>
public enum ChatEventKind
{
    /// <summary>A new message (<see cref="ChatEvent.Message"/>).</summary>
    MessageCreated,

    /// <summary>An edited message (<see cref="ChatEvent.Message"/>).</summary>
    MessageUpdated,

    /// <summary>A deleted message (<see cref="ChatEvent.MessageId"/>).</summary>
    MessageDeleted,

    /// <summary>A secret group needs an admin's client: a joiner waits for the keys, or the key must be rotated.</summary>
    GroupKeysNeeded,

    /// <summary>Someone (<see cref="ChatEvent.UserId"/>) asks this user for a secret chat: accept it with <see cref="ChatClient.ApproveSecretChatAsync"/>.</summary>
    SecretChatRequested,

    /// <summary>The other side (<see cref="ChatEvent.UserId"/>) accepted this user's secret chat.</summary>
    SecretChatAccepted,

    /// <summary>The other side uploaded the chat key: the secret chat is ready for messages.</summary>
    SecretChatKeysFinalized,

    /// <summary>A member (<see cref="ChatEvent.UserId"/>) joined the group (<see cref="ChatEvent.Reason"/> "joined") or was added ("added").</summary>
    GroupMemberJoined,

    /// <summary>A member (<see cref="ChatEvent.UserId"/>) left the group (<see cref="ChatEvent.Reason"/> "left") or was removed ("removed"); sent to them too.</summary>
    GroupMemberRemoved,

    /// <summary>An admin's client handed this member the keys of a secret group: its messages are readable now.</summary>
    GroupKeysHandedOver,

    /// <summary>An event type this library version does not know (<see cref="ChatEvent.Type"/> names it).</summary>
    Other,
}

/// <summary>A live event from <c>GET /api/live</c>, with the message decrypted.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Type">The wire type, e.g. "message.created".</param>
/// <param name="Thread">The conversation.</param>
/// <param name="Message">The message (created/updated).</param>
/// <param name="MessageId">The message id (all message events).</param>
/// <param name="UserId">The user the notice is about (secret-chat and membership events): the requester, the joiner, the removed member.</param>
/// <param name="Reason">Why (membership events: "joined", "added", "left", "removed"; keys needed: "join", "rotation").</param>
public sealed record ChatEvent(
    ChatEventKind Kind, string Type, ChatThread Thread, ChatMessage? Message, long? MessageId, string? UserId = null, string? Reason = null);

/// <summary>A chat request the server refused: its HTTP status and the seed's <c>detail</c>.</summary>
public sealed class ChatApiException(int status, string detail) : Exception($"{status}: {detail}")
{
    /// <summary>The HTTP status (400, 401, 403, 404, 409).</summary>
    public int Status { get; } = status;

    /// <summary>The server's explanation.</summary>
    public string Detail { get; } = detail;
}

/// <summary>A client-side failure of the end-to-end encryption (a key that does not check out or cannot be obtained).</summary>
public sealed class ChatCryptoException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What an admin's client did for a secret group (<see cref="ChatClient.SyncSecretGroupAsync"/>).</summary>
/// <param name="KeysHandedOver">Users who got the group keys (their join requests were accepted).</param>
/// <param name="Rejected">Join requests of users who are not chat members, rejected.</param>
/// <param name="RotatedKeyId">The new group key id when the key was rotated, else null.</param>
public sealed record SecretGroupSync(IReadOnlyList<string> KeysHandedOver, IReadOnlyList<string> Rejected, string? RotatedKeyId);
