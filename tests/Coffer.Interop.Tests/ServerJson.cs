using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Crypto;

namespace Coffer.Interop.Tests;

/// <summary>
/// The server's JSON that the official client reads, built by C# the way our server will: a
/// <c>GroupKeyServerOutput</c> (crypto-std.md §15.3) and a <c>KeyRotationInput</c> (§15.6). Fields in serde's order.
/// </summary>
public static class ServerJson
{
    public const long Time = 1_700_000_000_000;

    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A group key as a member fetches it: G hybrid-encrypted to the member, the group's private key under G.</summary>
    public static string GroupKeyServerOutput(
        string encryptedGroupKey, string groupKeyId, string encryptedPrivateGroupKey, PublicKey groupPublicKey,
        string memberPublicKeyId, (string UserId, string SignKeyId, string Signature)? signedBy)
    {
        var json = new JsonObject
        {
            ["encrypted_group_key"] = encryptedGroupKey,
            ["group_key_alg"] = SymmetricKey.AlgorithmId,
            ["group_key_id"] = groupKeyId,
            ["encrypted_private_group_key"] = encryptedPrivateGroupKey,
            ["public_group_key"] = groupPublicKey.ToWireText(),
            ["keypair_encrypt_alg"] = groupPublicKey.Algorithm.Id,
            ["key_pair_id"] = groupPublicKey.KeyId,
            ["user_public_key_id"] = memberPublicKeyId,
            ["time"] = Time,
        };
        if (signedBy is { } s)
        {
            json["signed_by_user_id"] = s.UserId;
            json["signed_by_user_sign_key_id"] = s.SignKeyId;
            json["group_key_sig"] = s.Signature;
        }

        return json.ToJsonString(Options);
    }

    /// <summary>One element of <c>GET …/key_rotation</c>: what a member needs to finish a rotation.</summary>
    public static string KeyRotationInput(
        string encryptedEphemeralKeyByMember, string encryptedGroupKeyByEphemeral, string memberPublicKeyId,
        string previousGroupKeyId, string newGroupKeyId) =>
        new JsonObject
        {
            ["error"] = null,
            ["encrypted_ephemeral_key_by_group_key_and_public_key"] = encryptedEphemeralKeyByMember,
            ["encrypted_group_key_by_ephemeral"] = encryptedGroupKeyByEphemeral,
            ["ephemeral_alg"] = SymmetricKey.AlgorithmId,
            ["encrypted_eph_key_key_id"] = memberPublicKeyId,
            ["previous_group_key_id"] = previousGroupKeyId,
            ["time"] = Time,
            ["new_group_key_id"] = newGroupKeyId,
        }.ToJsonString(Options);

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static string Str(this JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new InvalidOperationException($"{name} is null");

    public static byte[] B64(this JsonElement element, string name) => Convert.FromBase64String(element.Str(name));
}
