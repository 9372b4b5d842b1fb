using Coffer.Crypto;

namespace Coffer.Interop.Tests;

/// <summary>
/// A group the official client created (<c>group_prepare_create_group</c>) for a C# creator, read back through the
/// official client's own <c>group_decrypt_key</c>: its group key and key pair are wasm-generated, and the JSON
/// strings are the wasm's own exports.
/// </summary>
public sealed record WasmGroup(
    string CreateBody, string GroupKeyJson, string PrivateGroupKeyJson, string PublicGroupKeyJson, string ExportedPublicGroupKey)
{
    public const string GroupKeyId = "gkey_w1";
    public const string KeyPairId = "gkp_w1";

    public static async Task<WasmGroup> CreateAsync(OfficialClient wasm)
    {
        (PrivateKey creator, PublicKey creatorPublic) = Keys.EncryptionPair("ukp_creator");
        using (creator)
        {
            string body = await wasm.CallStringAsync("group_prepare_create_group", creatorPublic.ExportJson(), null, "user_creator");

            // What the server hands back to the creator: the body's key material with the ids the server assigned.
            var create = ServerJson.Parse(body);
            PublicKey groupPublic = PublicKey.FromWireText(
                EncryptionAlgorithm.FromId(create.Str("keypair_encrypt_alg")), create.Str("public_group_key"), KeyPairId);
            string serverOutput = ServerJson.GroupKeyServerOutput(
                create.Str("encrypted_group_key"), GroupKeyId, create.Str("encrypted_private_group_key"), groupPublic,
                creatorPublic.KeyId, signedBy: null);
            var keys = await wasm.CallAsync("group_decrypt_key", creator.ExportJson(), serverOutput, null);

            return new WasmGroup(
                body, keys.Str("group_key"), keys.Str("private_group_key"), keys.Str("public_group_key"),
                keys.Str("exported_public_group_key"));
        }
    }
}
