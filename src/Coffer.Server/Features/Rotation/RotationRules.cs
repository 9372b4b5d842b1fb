using Coffer.Protocol;
using Coffer.Protocol.Groups;

namespace Coffer.Server.Features.Rotation;

/// <summary>The pure rules of key rotation (api.md §6.1, §6.4).</summary>
public static class RotationRules
{
    /// <summary>Start of the current month (UTC) in ms: rotations started since then count against the cap.</summary>
    public static long MonthStart(DateTimeOffset now) =>
        new DateTimeOffset(now.UtcDateTime.Year, now.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>§6.1 step 3: the key ids and, when both are sent, the signer ids must be UUIDs (400/1).</summary>
    public static ProtocolError? CheckIds(KeyRotationData data) =>
        NewId.IsUuid(data.PreviousGroupKeyId) && NewId.IsUuid(data.InvokerPublicKeyId)
            && (data.SignedByUserId is null || data.SignedByUserSignKeyId is null
                || (NewId.IsUuid(data.SignedByUserId) && NewId.IsUuid(data.SignedByUserSignKeyId)))
            ? null
            : ProtocolError.IdWrongFormat;

    /// <summary>§4.3: a user-key rotation carries the new sign key pair and the public-key signature (else 117).</summary>
    public static bool HasUserKeys(KeyRotationData data) =>
        data.EncryptedSignKey is not null && data.VerifyKey is not null && data.KeypairSignAlg is not null && data.PublicKeySig is not null;
}
