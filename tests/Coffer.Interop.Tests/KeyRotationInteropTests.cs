using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Crypto;

namespace Coffer.Interop.Tests;

/// <summary>
/// Group key rotation (crypto-std.md §15.6), in both directions. Start: new group key G′, ephemeral key eph,
/// <c>encrypted_ephemeral_key = AES(previous, eph)</c>, <c>encrypted_group_key_by_ephemeral = AES(eph, G′)</c>.
/// Server step: <c>hybrid(member pk, b64decode(encrypted_ephemeral_key))</c>. Finish: the member recovers G′ and
/// sends it back encrypted to its own public key (<c>PUT /api/v1/group/{id}/key_rotation/{new_key_id}</c>).
/// </summary>
public class KeyRotationInteropTests(OfficialClient wasm) : IClassFixture<OfficialClient>
{
    private const string GroupId = "group_1";
    private const string NewGroupKeyId = "gkey_c2";

    [Fact]
    public async Task FinishKeyRotation_CSharpStartAndServerStep_WasmMemberRecoversTheNewKey()
    {
        using var group = CSharpGroup.Create();   // the member (its keys handed to the wasm) holds G
        (PrivateKey invokerPrivate, PublicKey invokerPublic) = Keys.EncryptionPair("ukp_starter");
        using (invokerPrivate)
        using (var rotation = CSharpRotationStart.Create(group.GroupKey, invokerPublic, group.SignKey))
        {
            // Server step, for the member.
            byte[] ephemeralForMember = group.MemberPublic.Encrypt(Convert.FromBase64String(rotation.Body.Str("encrypted_ephemeral_key")));
            string input = ServerJson.KeyRotationInput(
                Convert.ToBase64String(ephemeralForMember), rotation.Body.Str("encrypted_group_key_by_ephemeral"),
                group.MemberPublic.KeyId, group.GroupKey.KeyId, NewGroupKeyId);

            var parsed = await wasm.CallAsync("group_get_done_key_rotation_server_input", input);
            Assert.Equal(NewGroupKeyId, parsed.Str("new_group_key_id"));
            Assert.Equal(group.MemberPublic.KeyId, parsed.Str("encrypted_eph_key_key_id"));

            string baseUrl = await wasm.StartCaptureServerAsync();
            await wasm.TakeCapturedAsync();
            await wasm.CallAsync(
                "group_finish_key_rotation", baseUrl, "app_token", "jwt", GroupId, input, group.GroupKey.ExportJson(),
                group.MemberPublic.ExportJson(), group.MemberPrivate.ExportJson(), null);

            CapturedRequest put = Assert.Single(await wasm.TakeCapturedAsync());
            Assert.Equal("PUT", put.Method);
            Assert.Equal($"/api/v1/group/{GroupId}/key_rotation/{NewGroupKeyId}", put.Path);
            JsonElement done = put.Json;
            Assert.Equal(group.MemberPublic.KeyId, done.Str("public_key_id"));
            Assert.Equal(group.MemberPublic.Algorithm.Id, done.Str("encrypted_alg"));
            using SymmetricKey recovered = group.MemberPrivate.UnwrapSymmetricKey(done.B64("encrypted_new_group_key"), NewGroupKeyId);
            Assert.Equal(rotation.NewGroupKey.ExportRaw(), recovered.ExportRaw());

            // The member later fetches the new key with signature checking on: the starter's group_key_sig holds.
            string serverOutput = ServerJson.GroupKeyServerOutput(
                done.Str("encrypted_new_group_key"), NewGroupKeyId, rotation.Body.Str("encrypted_private_group_key"),
                rotation.NewGroupPublic, group.MemberPublic.KeyId,
                (CSharpGroup.StarterUserId, group.SignKey.KeyId, rotation.Body.Str("group_key_sig")));
            var keys = await wasm.CallAsync(
                "group_decrypt_key", group.MemberPrivate.ExportJson(), serverOutput, Keys.VerifyKeyData(group.VerifyKey));
            Assert.Equal(rotation.NewGroupKey.WithKeyId(NewGroupKeyId).ExportJson(), keys.Str("group_key"));
        }
    }

    [Fact]
    public async Task FinishKeyRotation_WasmStart_CSharpServerStepAndMemberRecoverTheNewKey()
    {
        using var group = CSharpGroup.Create();   // the starter is the group's member "alice", with her sign key
        (PrivateKey bobPrivate, PublicKey bobPublic) = Keys.EncryptionPair("ukp_bob");
        using (bobPrivate)
        {
            JsonElement body = ServerJson.Parse(await wasm.CallStringAsync(
                "group_prepare_key_rotation", group.GroupKey.ExportJson(), group.MemberPublic.ExportJson(),
                group.SignKey.ExportJson(), CSharpGroup.StarterUserId));
            Assert.Equal(group.GroupKey.KeyId, body.Str("previous_group_key_id"));
            Assert.Equal(group.MemberPublic.KeyId, body.Str("invoker_public_key_id"));

            // Server step (C#): the 60-byte AES blob, still wrapped by the previous key, hybrid-encrypted to bob.
            byte[] ephemeralForBob = bobPublic.Encrypt(body.B64("encrypted_ephemeral_key"));

            // Finish (C#, as bob): hybrid-decrypt, then the previous group key gives eph, and eph gives G′.
            using SymmetricKey ephemeral = group.GroupKey.UnwrapSymmetricKey(bobPrivate.Decrypt(ephemeralForBob), "eph");
            using SymmetricKey newGroupKey = ephemeral.UnwrapSymmetricKey(body.B64("encrypted_group_key_by_ephemeral"), NewGroupKeyId);

            // G′ is the key the starter got, the one the starter signed, and the one that opens the new private key.
            using SymmetricKey startersCopy = group.MemberPrivate.UnwrapSymmetricKey(body.B64("encrypted_group_key_by_user"), NewGroupKeyId);
            Assert.Equal(startersCopy.ExportRaw(), newGroupKey.ExportRaw());
            Assert.True(group.VerifyKey.VerifyText(newGroupKey.ExportRaw(), body.Str("group_key_sig")));
            var algorithm = EncryptionAlgorithm.FromId(body.Str("keypair_encrypt_alg"));
            using PrivateKey newGroupPrivate = newGroupKey.UnwrapPrivateKey(body.B64("encrypted_private_group_key"), algorithm, "gkp_c2");
            Assert.Equal(body.Str("public_group_key"), newGroupPrivate.GetPublicKey().ToWireText());

            // Bob's DoneKeyRotationData, read back by the official client with bob's keys and the signature check on.
            string encryptedForBob = Convert.ToBase64String(bobPublic.Wrap(newGroupKey));
            string serverOutput = ServerJson.GroupKeyServerOutput(
                encryptedForBob, NewGroupKeyId, body.Str("encrypted_private_group_key"),
                PublicKey.FromWireText(algorithm, body.Str("public_group_key"), "gkp_c2"), bobPublic.KeyId,
                (body.Str("signed_by_user_id"), body.Str("signed_by_user_sign_key_id"), body.Str("group_key_sig")));
            var keys = await wasm.CallAsync("group_decrypt_key", bobPrivate.ExportJson(), serverOutput, Keys.VerifyKeyData(group.VerifyKey));
            Assert.Equal(newGroupKey.ExportJson(), keys.Str("group_key"));
            Assert.Equal(newGroupPrivate.ExportJson(), keys.Str("private_group_key"));
        }
    }
}

/// <summary>
/// The start of a rotation made by C# (<c>KeyRotationData</c>, crypto-std.md §15.6), with the new keys kept so the
/// test can compare what the other side recovers.
/// </summary>
public sealed class CSharpRotationStart : IDisposable
{
    private CSharpRotationStart(JsonElement body, SymmetricKey newGroupKey, PrivateKey newGroupPrivate, PublicKey newGroupPublic)
    {
        Body = body;
        NewGroupKey = newGroupKey;
        NewGroupPrivate = newGroupPrivate;
        NewGroupPublic = newGroupPublic;
    }

    public JsonElement Body { get; }

    public SymmetricKey NewGroupKey { get; }

    public PrivateKey NewGroupPrivate { get; }

    public PublicKey NewGroupPublic { get; }

    public static CSharpRotationStart Create(SymmetricKey previousGroupKey, PublicKey invokerPublic, SignKey starterSignKey)
    {
        var newGroupKey = SymmetricKey.Generate();
        (PrivateKey newGroupPrivate, PublicKey newGroupPublic) = Keys.EncryptionPair("gkp_c2");
        using var ephemeral = SymmetricKey.Generate();
        var body = new JsonObject
        {
            ["encrypted_group_key_by_user"] = Convert.ToBase64String(invokerPublic.Wrap(newGroupKey)),
            ["group_key_alg"] = SymmetricKey.AlgorithmId,
            ["encrypted_group_key_alg"] = invokerPublic.Algorithm.Id,
            ["encrypted_private_group_key"] = Convert.ToBase64String(newGroupKey.Wrap(newGroupPrivate)),
            ["public_group_key"] = newGroupPublic.ToWireText(),
            ["keypair_encrypt_alg"] = newGroupPublic.Algorithm.Id,
            ["encrypted_group_key_by_ephemeral"] = Convert.ToBase64String(ephemeral.Wrap(newGroupKey)),
            ["ephemeral_alg"] = SymmetricKey.AlgorithmId,
            ["encrypted_ephemeral_key"] = Convert.ToBase64String(previousGroupKey.Wrap(ephemeral)),
            ["previous_group_key_id"] = previousGroupKey.KeyId,
            ["invoker_public_key_id"] = invokerPublic.KeyId,
            ["signed_by_user_id"] = CSharpGroup.StarterUserId,
            ["signed_by_user_sign_key_id"] = starterSignKey.KeyId,
            ["group_key_sig"] = starterSignKey.SignToText(newGroupKey.ExportRaw()),
        };
        return new CSharpRotationStart(ServerJson.Parse(body.ToJsonString()), newGroupKey, newGroupPrivate, newGroupPublic);
    }

    public void Dispose()
    {
        NewGroupKey.Dispose();
        NewGroupPrivate.Dispose();
    }
}
