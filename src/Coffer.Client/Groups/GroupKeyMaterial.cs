using System.Security.Cryptography;
using Coffer.Crypto;
using Coffer.Crypto.Formats;
using Coffer.Protocol.Groups;

namespace Coffer.Client.Groups;

/// <summary>
/// The client-side group constructions of crypto-std.md §15.2–§15.4, built only from Coffer.Crypto's typed keys:
/// a new group's CreateData (optionally signed), a key rotation's start and finish (§15.6), decrypting a member's copy of a group key (optionally verifying its
/// signature), the HMAC and sortable keys, and the group keys for a new member.
/// </summary>
internal static class GroupKeyMaterial
{
    /// <summary>
    /// CreateData for a new group (§15.2): group key encrypted to the creator public key (the user's newest public
    /// key, or the parent's / connected group's newest public key), key pair, HMAC and sortable keys. With a sign key
    /// the raw group key is signed and <c>signed_by_*</c> is set; a user group also gets a sign key pair (§15.1).
    /// </summary>
    public static CreateData NewGroup(PublicKey creator, SignKey? signKey = null, string? starterUserId = null, bool userGroup = false)
    {
        using SymmetricKey groupKey = SymmetricKey.Generate();
        using SearchableKey hmacKey = SearchableKey.Generate();
        using SortableKey sortableKey = SortableKey.Generate();
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        using (privateKey)
        {
            OptionalKeyFields extra = OptionalFields(groupKey, publicKey, signKey, starterUserId, userGroup);
            return new CreateData(
                EncryptedGroupKey: B64(creator.Wrap(groupKey)),
                GroupKeyAlg: SymmetricKey.AlgorithmId,
                EncryptedGroupKeyAlg: creator.Algorithm.Id,
                EncryptedPrivateGroupKey: B64(groupKey.Wrap(privateKey)),
                PublicGroupKey: publicKey.ToWireText(),
                KeypairEncryptAlg: publicKey.Algorithm.Id,
                CreatorPublicKeyId: creator.KeyId,
                EncryptedHmacKey: B64(hmacKey.WrapWith(groupKey)),
                EncryptedHmacAlg: SearchableKey.AlgorithmId,
                EncryptedSortableKey: B64(sortableKey.WrapWith(groupKey)),
                EncryptedSortableAlg: SortableKey.AlgorithmId,
                SignedByUserId: extra.SignedByUserId,
                SignedByUserSignKeyId: extra.SignKeyId,
                GroupKeySig: extra.GroupKeySig,
                EncryptedSignKey: extra.EncryptedSignKey,
                VerifyKey: extra.VerifyKey,
                KeypairSignAlg: extra.KeypairSignAlg,
                PublicKeySig: extra.PublicKeySig);
        }
    }

    /// <summary>
    /// KeyRotationData for a rotation start (§15.6): a new group key G′ and key pair, G′ encrypted to the invoker
    /// public key (the user's newest public key, the parent's or member group's newest group key, or — for a user-key
    /// rotation — the device key), a fresh ephemeral key wrapping G′, and the ephemeral key wrapped by
    /// <paramref name="previous"/>. With a sign key the raw G′ is signed; a user group gets a new sign key pair.
    /// </summary>
    public static KeyRotationData NewRotation(
        SymmetricKey previous, PublicKey invoker, SignKey? signKey = null, string? starterUserId = null, bool userGroup = false)
    {
        using SymmetricKey groupKey = SymmetricKey.Generate();
        using SymmetricKey ephemeral = SymmetricKey.Generate();
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        using (privateKey)
        {
            OptionalKeyFields extra = OptionalFields(groupKey, publicKey, signKey, starterUserId, userGroup);
            return new KeyRotationData(
                EncryptedGroupKeyByUser: B64(invoker.Wrap(groupKey)),
                GroupKeyAlg: SymmetricKey.AlgorithmId,
                EncryptedGroupKeyAlg: invoker.Algorithm.Id,
                EncryptedPrivateGroupKey: B64(groupKey.Wrap(privateKey)),
                PublicGroupKey: publicKey.ToWireText(),
                KeypairEncryptAlg: publicKey.Algorithm.Id,
                EncryptedGroupKeyByEphemeral: B64(ephemeral.Wrap(groupKey)),
                EphemeralAlg: SymmetricKey.AlgorithmId,
                EncryptedEphemeralKey: B64(previous.Wrap(ephemeral)),
                PreviousGroupKeyId: previous.KeyId,
                InvokerPublicKeyId: invoker.KeyId,
                SignedByUserId: extra.SignedByUserId,
                SignedByUserSignKeyId: extra.SignKeyId,
                GroupKeySig: extra.GroupKeySig,
                EncryptedSignKey: extra.EncryptedSignKey,
                VerifyKey: extra.VerifyKey,
                KeypairSignAlg: extra.KeypairSignAlg,
                PublicKeySig: extra.PublicKeySig);
        }
    }

    /// <summary>
    /// Finish steps 1–3 of §15.6: the member's private key (the one <c>encrypted_eph_key_key_id</c> names) opens the
    /// server's ciphertext, the previous group key opens the ephemeral key, the ephemeral key opens G′ (named by
    /// <c>new_group_key_id</c>). A wrong key or tampered data fails the AES-GCM tag (a crypto error, never a wrong key).
    /// </summary>
    public static SymmetricKey OpenRotation(KeyRotationInput rotation, PrivateKey member, SymmetricKey previous)
    {
        byte[] wrappedEphemeral = member.Decrypt(Decode(rotation.EncryptedEphemeralKeyByGroupKeyAndPublicKey));
        try
        {
            using SymmetricKey ephemeral = previous.UnwrapSymmetricKey(wrappedEphemeral, string.Empty);
            return ephemeral.UnwrapSymmetricKey(Decode(rotation.EncryptedGroupKeyByEphemeral), rotation.NewGroupKeyId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wrappedEphemeral);
        }
    }

    /// <summary>Finish steps 4–5 of §15.6: G′ encrypted to the member's own newest public key, the body of <c>PUT …/key_rotation/{id}</c>.</summary>
    public static DoneKeyRotationData DoneRotation(SymmetricKey newKey, PublicKey own) =>
        new(B64(own.Wrap(newKey)), own.KeyId, own.Algorithm.Id);

    /// <summary>
    /// A member's copy of a group key (§15.3): the group key decrypted with <paramref name="decryptor"/> (the private
    /// key named by <c>user_public_key_id</c>), the signature checked when a verify key is given and the key is signed
    /// (a failure is <c>client_31</c>), then the private group key decrypted with the group key.
    /// </summary>
    public static GroupKey DecryptKey(GroupKeyServerOutput key, PrivateKey decryptor, VerifyKey? verifyKey = null)
    {
        EncryptionAlgorithm encryption = EncryptionAlgorithm.FromId(key.KeypairEncryptAlg);
        PublicKey publicKey = PublicKey.FromWireText(encryption, key.PublicGroupKey, key.KeyPairId);
        SymmetricKey groupKey = decryptor.UnwrapSymmetricKey(Decode(key.EncryptedGroupKey), key.GroupKeyId);
        try
        {
            bool verified = false;
            if (verifyKey is not null && key.GroupKeySig is not null)
            {
                byte[] raw = groupKey.ExportRaw();
                try
                {
                    verified = verifyKey.VerifyText(raw, key.GroupKeySig)
                        ? true
                        : throw new CryptoException(CryptoError.KeySignatureInvalid);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(raw);
                }
            }

            PrivateKey privateKey = groupKey.UnwrapPrivateKey(Decode(key.EncryptedPrivateGroupKey), encryption, key.KeyPairId);
            return new GroupKey(groupKey, privateKey, publicKey, key.Time, key.SignedByUserId, key.SignedByUserSignKeyId, verified);
        }
        catch
        {
            groupKey.Dispose();
            throw;
        }
    }

    /// <summary>The group's searchable key, decrypted with the group key it names.</summary>
    public static SearchableKey DecryptSearchableKey(GroupHmacData data, SymmetricKey groupKey) =>
        SearchableKey.Unwrap(groupKey, Decode(data.EncryptedHmacKey), data.Id);

    /// <summary>The group's sortable key, decrypted with the group key it names.</summary>
    public static SortableKey DecryptSortableKey(GroupSortableData data, SymmetricKey groupKey) =>
        SortableKey.Unwrap(groupKey, Decode(data.EncryptedSortableKey), data.Id);

    /// <summary>Every group key encrypted to a new member's newest public key (§15.4); private keys are not re-encrypted.</summary>
    public static List<GroupKeysForNewMember> KeysForNewMember(IEnumerable<GroupKey> keys, PublicKey member) =>
        [.. keys.Select(k => new GroupKeysForNewMember(
            B64(member.Wrap(k.SymmetricKey)), SymmetricKey.AlgorithmId, member.Algorithm.Id, k.KeyId, member.KeyId))];

    /// <summary>
    /// The optional fields a new group key carries in CreateData and KeyRotationData alike: with a sign key the detached
    /// signature over the raw group key (§7.4) and the <c>signed_by_*</c> ids; for a user group a new sign key pair (§14).
    /// </summary>
    private static OptionalKeyFields OptionalFields(SymmetricKey groupKey, PublicKey publicKey, SignKey? signKey, string? starterUserId, bool userGroup)
    {
        if (signKey is not null && starterUserId is null)
        {
            throw new ArgumentNullException(nameof(starterUserId), "A signed group key names the user who signed it.");
        }

        var fields = new OptionalKeyFields();
        if (signKey is not null)
        {
            byte[] raw = groupKey.ExportRaw();
            try
            {
                fields = fields with { SignedByUserId = starterUserId, SignKeyId = signKey.KeyId, GroupKeySig = signKey.SignToText(raw) };
            }
            finally
            {
                CryptographicOperations.ZeroMemory(raw);
            }
        }

        if (userGroup)
        {
            (SignKey groupSignKey, VerifyKey verifyKey) = SignKey.Generate(SignatureAlgorithm.Default);
            using (groupSignKey)
            {
                fields = fields with
                {
                    EncryptedSignKey = B64(groupKey.Wrap(groupSignKey)), VerifyKey = verifyKey.ToWireText(),
                    KeypairSignAlg = verifyKey.Algorithm.Id, PublicKeySig = groupSignKey.SignToText(publicKey.Export()),
                };
            }
        }

        return fields;
    }

    private sealed record OptionalKeyFields(
        string? SignedByUserId = null, string? SignKeyId = null, string? GroupKeySig = null,
        string? EncryptedSignKey = null, string? VerifyKey = null, string? KeypairSignAlg = null, string? PublicKeySig = null);

    private static string B64(byte[] data) => StrictBase64.Encode(data);

    private static byte[] Decode(string text) => StrictBase64.Decode(text);
}
