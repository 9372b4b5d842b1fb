using Coffer.Protocol;
using Coffer.Protocol.Groups;

namespace Coffer.Server.Features.Groups;

/// <summary>
/// Who acts on a group: the app, the user access is resolved for (the JWT user, or <c>:user_id</c> on forced routes)
/// and the member group of the <c>x-sentc-group-access-id</c> header. Mutating use cases re-resolve access for it
/// inside their transaction.
/// </summary>
public sealed record GroupActor(AppId App, string User, string? MemberGroup);

/// <summary>The new group's id, or why it was not created.</summary>
public sealed record CreateOutcome(string? GroupId, ProtocolError? Error)
{
    public static CreateOutcome Failed(ProtocolError error) => new(null, error);
}

/// <summary>Where a group is created below an existing one: a child (§4.9) or a connected group (§4.10).</summary>
public enum SubGroupKind
{
    Child,
    Connected,
}

/// <summary>The columns of one group key as one member sees it (<c>gk</c> = group_key, <c>mk</c> = member_key).</summary>
public sealed class GroupKeyRow
{
    public const string Columns =
        """
        mk.encrypted_group_key AS EncryptedGroupKey, gk.group_key_alg AS GroupKeyAlg, gk.id AS Id,
        gk.encrypted_private_key AS EncryptedPrivateKey, gk.public_key AS PublicKey, gk.keypair_encrypt_alg AS KeypairEncryptAlg,
        mk.encrypted_by_key_id AS EncryptedByKeyId, gk.created_at AS CreatedAt, gk.signed_by_user_id AS SignedByUserId,
        gk.signed_by_user_sign_key_id AS SignedByUserSignKeyId, gk.group_key_sig AS GroupKeySig,
        gk.encrypted_sign_key AS EncryptedSignKey, gk.verify_key AS VerifyKey, gk.keypair_sign_alg AS KeypairSignAlg,
        gk.public_key_sig AS PublicKeySig
        """;

    public string EncryptedGroupKey { get; set; } = "";

    public string GroupKeyAlg { get; set; } = "";

    public string Id { get; set; } = "";

    public string EncryptedPrivateKey { get; set; } = "";

    public string PublicKey { get; set; } = "";

    public string KeypairEncryptAlg { get; set; } = "";

    public string EncryptedByKeyId { get; set; } = "";

    public long CreatedAt { get; set; }

    public string? SignedByUserId { get; set; }

    public string? SignedByUserSignKeyId { get; set; }

    public string? GroupKeySig { get; set; }

    public string? EncryptedSignKey { get; set; }

    public string? VerifyKey { get; set; }

    public string? KeypairSignAlg { get; set; }

    public string? PublicKeySig { get; set; }

    /// <summary>§4.0 mapping: group_key_id = key_pair_id = key id; [ref] always emits keypair_sign_id and public_key_sig_key_id = key id.</summary>
    public GroupKeyServerOutput ToOutput() => new(
        EncryptedGroupKey, GroupKeyAlg, Id, EncryptedPrivateKey, PublicKey, KeypairEncryptAlg, Id, EncryptedByKeyId, CreatedAt,
        SignedByUserId, SignedByUserSignKeyId, GroupKeySig, EncryptedSignKey, VerifyKey, KeypairSignAlg,
        KeypairSignId: Id, PublicKeySig, PublicKeySigKeyId: Id);
}

// Dapper row types: classes with setters (SQLite returns Int64 for every integer, see AppStore).
internal sealed class SearchKeyRow
{
    public string Id { get; set; } = "";

    public string EncryptedKey { get; set; } = "";

    public string Alg { get; set; } = "";

    public string EncryptionKeyId { get; set; } = "";

    public long CreatedAt { get; set; }
}

internal sealed class ListGroupRow
{
    public string GroupId { get; set; } = "";

    public long Time { get; set; }

    public long JoinedTime { get; set; }

    public int Rank { get; set; }

    public string? Parent { get; set; }
}

internal sealed class ChildRow
{
    public string GroupId { get; set; } = "";

    public long Time { get; set; }

    public string? Parent { get; set; }
}

internal sealed class MemberRow
{
    public string UserId { get; set; } = "";

    public int Rank { get; set; }

    public long JoinedTime { get; set; }

    public int UserType { get; set; }

    public GroupUserListItem ToOutput() => new(UserId, Rank, JoinedTime, UserType);
}
