using System.Data.Common;
using Coffer.Chat.Api;
using Coffer.Chat.Data;
using Coffer.Chat.Messages;
using Coffer.Chat.Profiles;
using Dapper;

namespace Coffer.Chat.SecretChats;

/// <summary>A secret chat as stored and as answered by GET /api/secret-chat/get (the seed's field names).</summary>
public sealed class SecretChat
{
    public long Id { get; init; }

    public string User1 { get; init; } = "";

    public string User2 { get; init; } = "";

    public string? User1PublicKey { get; init; }

    public string? User2PublicKey { get; init; }

    public string? User1EncryptedSymmetricKey { get; init; }

    public string? User2EncryptedSymmetricKey { get; init; }

    public bool User2Accepted { get; init; }

    public bool KeyFinalized { get; init; }

    public bool IsParticipant(string user) => user == User1 || user == User2;

    public object ToWire() => new
    {
        id = Id,
        user_1 = User1,
        user_2 = User2,
        user_1_public_key = User1PublicKey,
        user_2_public_key = User2PublicKey,
        user_1_encrypted_symmetric_key = User1EncryptedSymmetricKey,
        user_2_encrypted_symmetric_key = User2EncryptedSymmetricKey,
        user_2_accepted = User2Accepted,
        key_finalized = KeyFinalized,
    };
}

/// <summary>
/// The seed's workflow as SQL. Every rule of a change sits in the predicate of the statement that makes it (only
/// user B approves and uploads the symmetric keys, nothing changes once the keys are finalized); when the statement
/// changes no row, the chat is read again inside the same transaction to name the rule that failed.
/// </summary>
public sealed class SecretChatStore(ChatDatabase database, ThreadDirectory directory, TimeProvider time)
{
    private const string Columns =
        "id AS Id, user_1 AS User1, user_2 AS User2, user_1_public_key AS User1PublicKey, user_2_public_key AS User2PublicKey, " +
        "user_1_encrypted_symmetric_key AS User1EncryptedSymmetricKey, user_2_encrypted_symmetric_key AS User2EncryptedSymmetricKey, " +
        "user_2_accepted AS User2Accepted, key_finalized AS KeyFinalized";

    public Task<SecretChat> CreateAsync(string user, string target, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            if (target == user)
            {
                throw ChatProblem.BadRequest("Cannot create a secret chat with yourself");
            }

            if (!await ProfileStore.ExistsAsync(connection, transaction, target, ct))
            {
                throw ChatProblem.NotFound("User not found");
            }

            return await connection.QuerySingleAsync<SecretChat>(new CommandDefinition(
                $"INSERT INTO chat_secret_chat (user_1, user_2, user_2_accepted, key_finalized, created_at) " +
                $"VALUES (@user, @target, FALSE, FALSE, @now) RETURNING {Columns};",
                new { user, target, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction, cancellationToken: ct));
        }, ct);

    /// <summary>The chat if the user takes part in it: 404 when it does not exist, 403 when they are not a participant.</summary>
    public async Task<SecretChat> GetAsync(long id, string user, CancellationToken ct)
    {
        await using DbConnection connection = await database.OpenAsync(ct);
        return Participant(await FindAsync(connection, null, id, ct), user);
    }

    public async Task<IReadOnlyList<SecretChat>> ListAsync(string user, CancellationToken ct)
    {
        await using DbConnection connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<SecretChat>(new CommandDefinition(
            $"SELECT {Columns} FROM chat_secret_chat WHERE user_1 = @user OR user_2 = @user ORDER BY id DESC;",
            new { user }, cancellationToken: ct))).AsList();
    }

    /// <summary>User B accepts the chat (idempotent). Returns the chat as accepted.</summary>
    public Task<SecretChat> ApproveAsync(long id, string user, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            int changed = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE chat_secret_chat SET user_2_accepted = TRUE WHERE id = @id AND user_2 = @user;",
                new { id, user }, transaction, cancellationToken: ct));
            if (changed == 0)
            {
                Participant(await FindAsync(connection, transaction, id, ct), user);
                throw ChatProblem.Forbidden("Only User B can approve the secret chat");
            }

            return (await FindAsync(connection, transaction, id, ct))!;
        }, ct);

    /// <summary>Stores the caller's public key; refused once the keys are finalized.</summary>
    public Task AddPublicKeyAsync(long id, string user, string publicKey, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            int changed = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE chat_secret_chat SET " +
                "user_1_public_key = CASE WHEN user_1 = @user THEN @publicKey ELSE user_1_public_key END, " +
                "user_2_public_key = CASE WHEN user_2 = @user THEN @publicKey ELSE user_2_public_key END " +
                "WHERE id = @id AND (user_1 = @user OR user_2 = @user) AND key_finalized = FALSE;",
                new { id, user, publicKey }, transaction, cancellationToken: ct));
            if (changed == 0)
            {
                Participant(await FindAsync(connection, transaction, id, ct), user);
                throw ChatProblem.Conflict("The keys of this chat are finalized");
            }

            return true;
        }, ct);

    /// <summary>
    /// User B uploads both encrypted copies of the symmetric key and so finalizes the keys: only after approving,
    /// only when both public keys are there, and only once.
    /// </summary>
    public Task<SecretChat> AddSymmetricKeyAsync(long id, string user, string forUser1, string forUser2, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            int changed = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE chat_secret_chat SET user_1_encrypted_symmetric_key = @forUser1, user_2_encrypted_symmetric_key = @forUser2, " +
                "key_finalized = TRUE WHERE id = @id AND user_2 = @user AND user_2_accepted = TRUE AND key_finalized = FALSE " +
                "AND user_1_public_key IS NOT NULL AND user_2_public_key IS NOT NULL;",
                new { id, user, forUser1, forUser2 }, transaction, cancellationToken: ct));
            if (changed == 0)
            {
                SecretChat chat = Participant(await FindAsync(connection, transaction, id, ct), user);
                throw chat switch
                {
                    _ when chat.User1 == user => ChatProblem.Forbidden("Only User B can upload symmetric keys"),
                    { KeyFinalized: true } => ChatProblem.Conflict("The keys of this chat are finalized"),
                    { User2Accepted: false } => ChatProblem.Conflict("The secret chat is not approved yet"),
                    _ => ChatProblem.Conflict("Both public keys must be uploaded first"),
                };
            }

            return (await FindAsync(connection, transaction, id, ct))!;
        }, ct);

    /// <summary>Either participant deletes the chat with all its messages.</summary>
    public async Task DeleteAsync(long id, string user, CancellationToken ct)
    {
        try
        {
            await database.InTransactionAsync(async (connection, transaction) =>
            {
                int changed = await connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM chat_secret_chat WHERE id = @id AND (user_1 = @user OR user_2 = @user);",
                    new { id, user }, transaction, cancellationToken: ct));
                if (changed == 0)
                {
                    Participant(await FindAsync(connection, transaction, id, ct), user);
                }

                return true;
            }, ct);
        }
        finally
        {
            // The ThreadDirectory keeps finalized chats (nothing else about them changes) until they are deleted.
            directory.SecretChatChanged(id);
        }
    }

    public static Task<SecretChat?> FindAsync(DbConnection connection, DbTransaction? transaction, long id, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<SecretChat>(new CommandDefinition(
            $"SELECT {Columns} FROM chat_secret_chat WHERE id = @id;", new { id }, transaction, cancellationToken: ct));

    public static SecretChat Participant(SecretChat? chat, string user) =>
        chat is null ? throw ChatProblem.NotFound("Secret chat not found")
        : chat.IsParticipant(user) ? chat
        : throw ChatProblem.Forbidden("Not a participant");
}
