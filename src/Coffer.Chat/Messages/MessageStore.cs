using System.Data.Common;
using Coffer.Chat.Api;
using Coffer.Chat.Data;
using Coffer.Chat.Groups;
using Coffer.Chat.SecretChats;
using Coffer.Crypto;
using Coffer.Crypto.Sentc;
using Dapper;

namespace Coffer.Chat.Messages;

public sealed class ChatMessage
{
    public long Id { get; init; }

    public long ThreadId { get; init; }

    public string SenderId { get; init; } = "";

    public string Content { get; init; } = "";

    public string? EncryptedContent { get; init; }

    public string MessageType { get; init; } = "";

    public bool IsEncrypted { get; init; }

    public long CreatedAt { get; init; }

    public long? EditedAt { get; init; }
}

/// <summary>Where a thread's messages live: a secret chat's (always encrypted) or a group's.</summary>
public sealed record MessageThread(string Table, string ParentColumn, string Select)
{
    public static MessageThread SecretChat { get; } = new("chat_secret_message", "chat_id",
        "SELECT id AS Id, chat_id AS ThreadId, sender_id AS SenderId, '' AS Content, encrypted_content AS EncryptedContent, " +
        "message_type AS MessageType, TRUE AS IsEncrypted, created_at AS CreatedAt, edited_at AS EditedAt FROM chat_secret_message ");

    public static MessageThread Group { get; } = new("chat_group_message", "group_id",
        "SELECT id AS Id, group_id AS ThreadId, sender_id AS SenderId, content AS Content, encrypted_content AS EncryptedContent, " +
        "message_type AS MessageType, is_encrypted AS IsEncrypted, created_at AS CreatedAt, edited_at AS EditedAt FROM chat_group_message ");
}

/// <summary>What the caller may do in a thread, decided inside the transaction of the change.</summary>
// CofferKeyId: secret groups: the key new contents must be encrypted with (the platform group's newest as recorded).
public readonly record struct ThreadAccess(bool CanSend, string? SendRefusal, bool Encrypted, bool Moderates, string? CofferKeyId = null);

/// <summary>
/// Messages of secret chats and groups: paged newest first, edited and deleted by their sender (group admins and
/// moderators may delete any). The server stores secret contents as opaque base64 and never reads them.
/// </summary>
public sealed class MessageStore(ChatDatabase database, ThreadDirectory directory, TimeProvider time)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 100;

    public static async Task<ThreadAccess> AccessAsync(DbConnection connection, DbTransaction? transaction, MessageThread thread, long id, string user, CancellationToken ct)
    {
        if (thread == MessageThread.SecretChat)
        {
            SecretChat chat = SecretChatStore.Participant(await SecretChatStore.FindAsync(connection, transaction, id, ct), user);
            return new ThreadAccess(chat.KeyFinalized, "No messages before the keys are finalized", Encrypted: true, Moderates: false);
        }

        GroupView group = GroupStore.Member(await GroupStore.ViewAsync(connection, transaction, id, user, ct));
        return new ThreadAccess(true, null, group.Type == GroupTypes.Secret, GroupRoles.CanModerateMessages(group.Role), group.CofferKeyId);
    }

    /// <summary>
    /// Sends a message: <paramref name="content"/> for plain groups, <paramref name="encryptedContent"/> for secret ones.
    /// The sender's access comes from the <see cref="ThreadDirectory"/> and the send is one INSERT (atomic on its own,
    /// so no transaction): the only race is with a concurrent removal, key rotation or deletion, and its outcome — the
    /// message counts as sent just before — is one a serial order allows; a thread deleted in between answers 404 (the
    /// insert's foreign key). Serializable sends conflicted with each other under load (each insert into a thread's
    /// index page broke the others' predicate locks) and were retried, which cost PostgreSQL most of its CPU.
    /// </summary>
    public async Task<ChatMessage> SendAsync(
        MessageThread thread, long id, string user, string? content, string? encryptedContent, string messageType, CancellationToken ct)
    {
        ThreadAccess access = await directory.AccessAsync(thread, id, user, ct);
        if (!access.CanSend)
        {
            throw ChatProblem.Conflict(access.SendRefusal!);
        }

        bool secret = thread == MessageThread.SecretChat || access.Encrypted;
        string? plain = secret ? "" : Required(content, "content");
        string? encrypted = !secret ? null
            : thread == MessageThread.Group ? CurrentKey(access, Required(encryptedContent, "encrypted_content"))
            : Required(encryptedContent, "encrypted_content");
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        CommandDefinition insert = thread == MessageThread.SecretChat
            ? new CommandDefinition(
                "INSERT INTO chat_secret_message (chat_id, sender_id, encrypted_content, message_type, created_at) " +
                "VALUES (@id, @user, @encrypted, @messageType, @now) RETURNING id;",
                new { id, user, encrypted, messageType, now }, cancellationToken: ct)
            : new CommandDefinition(
                "INSERT INTO chat_group_message (group_id, sender_id, content, message_type, created_at, is_encrypted, encrypted_content) " +
                "VALUES (@id, @user, @plain, @messageType, @now, @secret, @encrypted) RETURNING id;",
                new { id, user, plain, messageType, now, secret, encrypted }, cancellationToken: ct);
        long messageId;
        await using (DbConnection connection = await database.OpenAsync(ct))
        {
            try
            {
                messageId = await connection.ExecuteScalarAsync<long>(insert);
            }
            catch (DbException e) when (database.Database.Dialect.IsForeignKeyViolation(e))
            {
                throw thread == MessageThread.SecretChat ? ChatProblem.NotFound("Secret chat not found") : ChatProblem.NotFound("Group not found");
            }
        }

        // The row as inserted, without reading it back.
        return new ChatMessage
        {
            Id = messageId, ThreadId = id, SenderId = user, MessageType = messageType, IsEncrypted = secret, CreatedAt = now,
            Content = plain, EncryptedContent = encrypted,
        };
    }

    /// <summary>A page, newest first: at most <paramref name="limit"/> messages older than <paramref name="before"/> (a message id).</summary>
    public async Task<(IReadOnlyList<ChatMessage> Messages, bool HasMore)> ListAsync(
        MessageThread thread, long id, string user, long? before, int limit, CancellationToken ct)
    {
        await directory.AccessAsync(thread, id, user, ct);
        string olderThan = before is null ? "" : "AND id < @before ";
        await using DbConnection connection = await database.OpenAsync(ct);
        var page = (await connection.QueryAsync<ChatMessage>(new CommandDefinition(
            thread.Select + $"WHERE {thread.ParentColumn} = @id {olderThan}ORDER BY id DESC LIMIT {limit + 1};",
            new { id, before }, cancellationToken: ct))).AsList();
        bool hasMore = page.Count > limit;
        return (hasMore ? page[..limit] : page, hasMore);
    }

    /// <summary>The sender replaces the content of their own message.</summary>
    public Task<ChatMessage> EditAsync(
        MessageThread thread, long id, long messageId, string user, string? content, string? encryptedContent, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            ThreadAccess access = await AccessAsync(connection, transaction, thread, id, user, ct);
            string set = access.Encrypted ? "encrypted_content = @encrypted" : "content = @content";
            int changed = await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE {thread.Table} SET {set}, edited_at = @now WHERE id = @messageId AND {thread.ParentColumn} = @id AND sender_id = @user;",
                new
                {
                    id, messageId, user, now = time.GetUtcNow().ToUnixTimeMilliseconds(),
                    content = access.Encrypted ? null : Required(content, "content"),
                    encrypted = access.Encrypted ? (thread == MessageThread.Group ? CurrentKey(access, Required(encryptedContent, "encrypted_content")) : Required(encryptedContent, "encrypted_content")) : null,
                },
                transaction, cancellationToken: ct));
            if (changed == 0)
            {
                await ThrowWhyAsync(connection, transaction, thread, id, messageId, "Only the sender can edit a message", ct);
            }

            return await connection.QuerySingleAsync<ChatMessage>(new CommandDefinition(
                thread.Select + "WHERE id = @messageId;", new { messageId }, transaction, cancellationToken: ct));
        }, ct);

    /// <summary>The sender (or, in groups, an admin or moderator) deletes a message.</summary>
    public Task DeleteAsync(MessageThread thread, long id, long messageId, string user, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            ThreadAccess access = await AccessAsync(connection, transaction, thread, id, user, ct);
            string sender = access.Moderates ? "" : "AND sender_id = @user";
            int changed = await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {thread.Table} WHERE id = @messageId AND {thread.ParentColumn} = @id {sender};",
                new { id, messageId, user }, transaction, cancellationToken: ct));
            if (changed == 0)
            {
                await ThrowWhyAsync(connection, transaction, thread, id, messageId, "Only the sender can delete a message", ct);
            }

            return true;
        }, ct);

    /// <summary>Who receives live events of the thread: both participants, or every member.</summary>
    public ValueTask<IReadOnlyCollection<string>> RecipientsAsync(MessageThread thread, long id, CancellationToken ct) =>
        directory.RecipientsAsync(thread, id, ct);

    private static async Task ThrowWhyAsync(
        DbConnection connection, DbTransaction transaction, MessageThread thread, long id, long messageId, string forbidden, CancellationToken ct)
    {
        bool exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"SELECT EXISTS (SELECT 1 FROM {thread.Table} WHERE id = @messageId AND {thread.ParentColumn} = @id);",
            new { id, messageId }, transaction, cancellationToken: ct));
        throw exists ? ChatProblem.Forbidden(forbidden) : ChatProblem.NotFound("Message not found");
    }

    private static string Required(string? value, string name) => value ?? throw ChatProblem.BadRequest($"{name} is required");

    /// <summary>The start of the 409 detail for a secret-group content encrypted with another key than the group's newest.</summary>
    public const string StaleKeyDetail = "The group key was rotated";

    /// <summary>
    /// A secret group's content must be Coffer group ciphertext under the group's newest key: its head names the key
    /// (public metadata; the server reads nothing else), so nobody keeps writing with a key a removed member holds.
    /// </summary>
    private static string CurrentKey(ThreadAccess access, string encryptedContent)
    {
        string keyId;
        try
        {
            keyId = EncryptedData.ReadHead(Convert.FromBase64String(encryptedContent)).Id;
        }
        catch (Exception e) when (e is CryptoException or FormatException or ArgumentException)
        {
            throw ChatProblem.BadRequest("encrypted_content must be Coffer group ciphertext");
        }

        return access.CofferKeyId is null || keyId == access.CofferKeyId
            ? encryptedContent
            : throw ChatProblem.Conflict($"{StaleKeyDetail}: encrypt with key {access.CofferKeyId}");
    }
}
