using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Client;
using Coffer.Crypto;

namespace Coffer.Chat.Client;

// The seed's secret-chat workflow. "Each side's key pair" is the user's Coffer user key: its public key is uploaded
// as base64 of Coffer.Crypto's key export (the key id inside names the generation), and before wrapping the chat key
// for the peer, user B checks the uploaded key against the Coffer platform (signed by the peer's sign key), so the
// chat server cannot slip in a key of its own. The chat key K is a fresh AES-256-GCM key; messages are K's blobs.
public sealed partial class ChatClient
{
    /// <summary>
    /// User A: creates a secret chat with <paramref name="targetUserId"/> (POST /api/secret-chat/create) and uploads
    /// A's public key. User B then approves (<see cref="ApproveSecretChatAsync"/>).
    /// </summary>
    public async Task<SecretChatInfo> CreateSecretChatAsync(string targetUserId, CancellationToken cancellationToken = default)
    {
        JsonElement answer = await SendAsync(HttpMethod.Post, "secret-chat/create", new JsonObject { ["target_user"] = targetUserId }, cancellationToken)
            .ConfigureAwait(false);
        long id = answer.GetProperty("chat").GetProperty("id").GetInt64();
        await UploadPublicKeyAsync(id, cancellationToken).ConfigureAwait(false);
        return await GetSecretChatAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET /api/secret-chat/list: the caller's secret chats, newest first.</summary>
    public async Task<IReadOnlyList<SecretChatInfo>> ListSecretChatsAsync(CancellationToken cancellationToken = default)
    {
        JsonElement answer = await SendAsync(HttpMethod.Get, "secret-chat/list", null, cancellationToken).ConfigureAwait(false);
        return [.. answer.GetProperty("chats").EnumerateArray().Select(ReadSecretChat)];
    }

    /// <summary>GET /api/secret-chat/get/{id}.</summary>
    public async Task<SecretChatInfo> GetSecretChatAsync(long chatId, CancellationToken cancellationToken = default) =>
        ReadSecretChat(await SendAsync(HttpMethod.Get, $"secret-chat/get/{chatId}", null, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// User B: approves the chat, uploads B's public key and — when A's public key is there — generates the chat key,
    /// wraps it for both and uploads both copies (the keys are then final). Returns the chat as it is afterwards.
    /// </summary>
    public async Task<SecretChatInfo> ApproveSecretChatAsync(long chatId, CancellationToken cancellationToken = default)
    {
        await SendAsync(HttpMethod.Post, $"secret-chat/approve/{chatId}", new JsonObject(), cancellationToken).ConfigureAwait(false);
        SecretChatInfo chat = await GetSecretChatAsync(chatId, cancellationToken).ConfigureAwait(false);
        if (!chat.KeyFinalized && chat.User2PublicKey is null)
        {
            await UploadPublicKeyAsync(chatId, cancellationToken).ConfigureAwait(false);
        }

        await FinalizeSecretChatAsync(chatId, cancellationToken).ConfigureAwait(false);
        return await GetSecretChatAsync(chatId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// User B: finalizes the keys if that is possible now (approved, both public keys uploaded, not final yet): a new
    /// chat key, wrapped for A's public key (checked against the Coffer platform first) and for B's own. Returns true
    /// when the keys are final afterwards.
    /// </summary>
    public async Task<bool> FinalizeSecretChatAsync(long chatId, CancellationToken cancellationToken = default)
    {
        SecretChatInfo chat = await GetSecretChatAsync(chatId, cancellationToken).ConfigureAwait(false);
        if (chat.KeyFinalized)
        {
            return true;
        }

        if (chat.User2 != UserId || !chat.User2Accepted || chat.User1PublicKey is null || chat.User2PublicKey is null)
        {
            return false;
        }

        PublicKey forA = await VerifiedPeerKeyAsync(chat.User1, chat.User1PublicKey, cancellationToken).ConfigureAwait(false);
        PublicKey forB = ImportUploadedKey(chat.User2PublicKey);
        if (User.FindUserKey(forB.KeyId) is not { } own || !own.PublicKey.Equals(forB))
        {
            throw new ChatCryptoException("The public key stored for this user is not this user's key.");
        }

        using SymmetricKey key = SymmetricKey.Generate();
        await SendAsync(HttpMethod.Post, $"secret-chat/add-symmetric-key/{chatId}", new JsonObject
        {
            ["user_1_encrypted_symmetric_key"] = Convert.ToBase64String(forA.Wrap(key)),
            ["user_2_encrypted_symmetric_key"] = Convert.ToBase64String(forB.Wrap(key)),
        }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>DELETE /api/secret-chat/{id}: either participant deletes the chat and its messages.</summary>
    public async Task DeleteSecretChatAsync(long chatId, CancellationToken cancellationToken = default)
    {
        await SendAsync(HttpMethod.Delete, $"secret-chat/{chatId}", null, cancellationToken).ConfigureAwait(false);
        lock (cacheLock)
        {
            if (chatKeys.Remove(chatId, out SymmetricKey? key))
            {
                key.Dispose();
            }
        }
    }

    /// <summary>
    /// The safety number of this user and the chat's other participant (from both users' verify keys as the Coffer
    /// platform has them, crypto-std.md §13): the same on both sides; compare it out of band.
    /// </summary>
    public async Task<string> GetSafetyNumberAsync(long chatId, CancellationToken cancellationToken = default)
    {
        SecretChatInfo chat = await GetSecretChatAsync(chatId, cancellationToken).ConfigureAwait(false);
        return await GetSafetyNumberWithAsync(chat.Peer(UserId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The safety number of this user and <paramref name="otherUserId"/> (see <see cref="GetSafetyNumberAsync"/>).</summary>
    public async Task<string> GetSafetyNumberWithAsync(string otherUserId, CancellationToken cancellationToken = default)
    {
        var other = new UserId(otherUserId);
        UserPublicKey key = await User.Client.FetchPublicKeyAsync(other, verify: true, cancellationToken).ConfigureAwait(false);
        VerifyKey verifyKey = await User.Client.FetchVerifyKeyAsync(
            other, key.SignatureKeyId ?? throw new ChatCryptoException("The user's public key is not signed."), cancellationToken).ConfigureAwait(false);
        return User.CreateSafetyNumber(verifyKey, other);
    }

    /// <summary>The chat key (cached): this user's wrapped copy, unwrapped with the user key it was made for.</summary>
    private async Task<SymmetricKey> SecretChatKeyAsync(long chatId, CancellationToken cancellationToken)
    {
        lock (cacheLock)
        {
            if (chatKeys.TryGetValue(chatId, out SymmetricKey? known))
            {
                return known;
            }
        }

        SecretChatInfo chat = await GetSecretChatAsync(chatId, cancellationToken).ConfigureAwait(false);
        if (!chat.KeyFinalized && chat.User2 == UserId && await FinalizeSecretChatAsync(chatId, cancellationToken).ConfigureAwait(false))
        {
            chat = await GetSecretChatAsync(chatId, cancellationToken).ConfigureAwait(false);
        }

        bool first = chat.User1 == UserId;
        if (!chat.KeyFinalized
            || (first ? chat.User1PublicKey : chat.User2PublicKey) is not { } mine
            || (first ? chat.User1EncryptedSymmetricKey : chat.User2EncryptedSymmetricKey) is not { } wrapped)
        {
            throw new ChatCryptoException("The keys of this secret chat are not finalized yet.");
        }

        PublicKey uploaded = ImportUploadedKey(mine);
        UserKey userKey = await User.GetUserKeyAsync(uploaded.KeyId, cancellationToken).ConfigureAwait(false);
        SymmetricKey key;
        try
        {
            key = userKey.PrivateKey.UnwrapSymmetricKey(Convert.FromBase64String(wrapped), "");
        }
        catch (Exception e) when (e is CryptoException or FormatException)
        {
            throw new ChatCryptoException("This user's copy of the chat key does not open.", e);
        }

        lock (cacheLock)
        {
            if (chatKeys.TryGetValue(chatId, out SymmetricKey? raced))
            {
                key.Dispose();
                return raced;
            }

            chatKeys[chatId] = key;
            return key;
        }
    }

    private async Task UploadPublicKeyAsync(long chatId, CancellationToken cancellationToken)
    {
        string publicKey = Convert.ToBase64String(Encoding.UTF8.GetBytes(User.NewestUserKey.PublicKey.ExportJson()));
        await SendAsync(HttpMethod.Post, $"secret-chat/add-public-key/{chatId}", new JsonObject { ["public_key"] = publicKey }, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The peer's uploaded key, accepted only if the Coffer platform has the same key (signed) for that user.</summary>
    private async Task<PublicKey> VerifiedPeerKeyAsync(string peer, string uploaded, CancellationToken cancellationToken)
    {
        PublicKey key = ImportUploadedKey(uploaded);
        UserPublicKey platform;
        try
        {
            platform = await User.Client.FetchPublicKeyAsync(new UserId(peer), key.KeyId, verify: true, cancellationToken).ConfigureAwait(false);
        }
        catch (CofferException e)
        {
            throw new ChatCryptoException("The peer's public key is not a verified key of that user on the Coffer platform.", e);
        }

        return platform.Key.Equals(key) ? key : throw new ChatCryptoException("The peer's public key differs from the one on the Coffer platform.");
    }

    private static PublicKey ImportUploadedKey(string base64)
    {
        try
        {
            return PublicKey.ImportJson(Encoding.UTF8.GetString(Convert.FromBase64String(base64)));
        }
        catch (Exception e) when (e is CryptoException or FormatException or JsonException)
        {
            throw new ChatCryptoException("The uploaded public key is not a Coffer public key.", e);
        }
    }

    private static string DecryptChatText(SymmetricKey key, string sealedText) =>
        key.TryDecrypt(Convert.FromBase64String(sealedText), out byte[]? plain)
            ? Encoding.UTF8.GetString(plain)
            : throw new ChatCryptoException("The message does not decrypt with the chat key.");

    private static SecretChatInfo ReadSecretChat(JsonElement c) => new(
        c.GetProperty("id").GetInt64(),
        c.GetProperty("user_1").GetString()!,
        c.GetProperty("user_2").GetString()!,
        Str(c, "user_1_public_key"),
        Str(c, "user_2_public_key"),
        Str(c, "user_1_encrypted_symmetric_key"),
        Str(c, "user_2_encrypted_symmetric_key"),
        c.GetProperty("user_2_accepted").GetBoolean(),
        c.GetProperty("key_finalized").GetBoolean());
}
