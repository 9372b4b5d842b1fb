using System.Text;
using System.Text.Json;
using Coffer.Crypto.Password;
using Coffer.Crypto.Primitives;
using Coffer.Crypto.Sentc;

namespace Coffer.Crypto.Tests.Sentc;

/// <summary>
/// The protocol constructions of the official client (register, login, group create, key rotation), walked with our
/// keys and primitives: every wrapped key the wasm produced unwraps to the value the vectors recorded, every
/// signature verifies, and the server-side steps the vectors recorded are reproduced byte for byte.
/// </summary>
public class ProtocolVectorTests
{
    private static JsonElement Body(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static byte[] Raw(JsonElement pair) => [.. pair.B64("x_b64"), .. pair.B64("k_b64")];

    [Fact]
    public void Register_WasmBody_UnwrapsToEveryRecordedKey()
    {
        var v = SentcVectors.File("register.json");
        var d = v.GetProperty("derived");
        JsonElement body = Body(v.Str("register_body"));
        JsonElement device = body.GetProperty("device");
        JsonElement derived = device.GetProperty("derived");
        JsonElement group = body.GetProperty("group");

        Assert.Equal(PasswordKeys.AlgorithmId, derived.Str("derived_alg"));
        byte[] salt = PasswordKeys.Salt(derived.B64("client_random_value"));
        Assert.Equal(d.B64("salt_b64"), salt);
        using PasswordKeys passwordKeys = PasswordKeys.Derive(v.Str("password"), salt);
        Assert.Equal(d.Str("auth_key_b64"), passwordKeys.AuthKeyBase64);
        Assert.Equal(derived.B64("hashed_authentication_key"), passwordKeys.HashedAuthKey);

        using SymmetricKey master = passwordKeys.MasterKeyEncryptionKey.UnwrapSymmetricKey(
            device.GetProperty("master_key").B64("encrypted_master_key"), "");
        Assert.Equal(d.B64("master_key_b64"), master.ExportRaw());

        var encryptAlg = EncryptionAlgorithm.FromId(derived.Str("keypair_encrypt_alg"));
        var signAlg = SignatureAlgorithm.FromId(derived.Str("keypair_sign_alg"));
        using PrivateKey devicePrivate = master.UnwrapPrivateKey(derived.B64("encrypted_private_key"), encryptAlg, "device");
        Assert.Equal(Raw(d.GetProperty("device_private_key")), devicePrivate.Secret.ToArray()); // kept unclamped
        PublicKey devicePublic = PublicKey.FromWireText(encryptAlg, derived.Str("public_key"), "device");
        Assert.Equal(devicePublic, devicePrivate.GetPublicKey());
        Assert.Equal(derived.Str("public_key"), devicePublic.ToWireText()); // byte-identical PEM JSON

        using SignKey deviceSign = master.UnwrapSignKey(derived.B64("encrypted_sign_key"), signAlg, "device");
        Assert.Equal(Raw(d.GetProperty("device_sign_key")), deviceSign.Secret.ToArray());
        VerifyKey deviceVerify = VerifyKey.FromWireText(signAlg, derived.Str("verify_key"), "device");
        Assert.Equal(Raw(d.GetProperty("device_verify_key")), deviceVerify.Export());
        Assert.Equal(derived.Str("verify_key"), deviceVerify.ToWireText());
        Assert.True(deviceVerify.Verify("x"u8, deviceSign.Sign("x"u8)));

        // The user group, created with the device public key as creator.
        Assert.Equal("non_registered", group.Str("creator_public_key_id"));
        using SymmetricKey userGroupKey = devicePrivate.UnwrapSymmetricKey(group.B64("encrypted_group_key"), "ukey");
        Assert.Equal(d.B64("user_group_key_b64"), userGroupKey.ExportRaw());
        using PrivateKey userPrivate = userGroupKey.UnwrapPrivateKey(group.B64("encrypted_private_group_key"), encryptAlg, "ukp");
        Assert.Equal(Raw(d.GetProperty("user_private_key")), userPrivate.Secret.ToArray());
        PublicKey userPublic = PublicKey.FromWireText(encryptAlg, group.Str("public_group_key"), "ukp");
        Assert.Equal(Raw(d.GetProperty("user_public_key")), userPublic.Export());
        Assert.Equal(userPublic, userPrivate.GetPublicKey());

        Assert.Equal(d.B64("user_hmac_key_b64"), userGroupKey.UnwrapRaw(group.B64("encrypted_hmac_key"), 32));
        Assert.Equal(d.B64("user_sortable_key_b64"), userGroupKey.UnwrapRaw(group.B64("encrypted_sortable_key"), 16));
        Assert.Equal("HMAC-SHA256", group.Str("encrypted_hmac_alg"));
        Assert.Equal("OPE-16", group.Str("encrypted_sortable_alg"));

        using SignKey userSign = userGroupKey.UnwrapSignKey(group.B64("encrypted_sign_key"), signAlg, "usk");
        Assert.Equal(Raw(d.GetProperty("user_sign_key")), userSign.Secret.ToArray());
        VerifyKey userVerify = VerifyKey.FromWireText(signAlg, group.Str("verify_key"), "usk");
        Assert.Equal(Raw(d.GetProperty("user_verify_key")), userVerify.Export());

        // public_key_sig: the new user sign key over pk.x ‖ pk.k.
        Assert.True(userVerify.VerifyText(userPublic.Export(), group.Str("public_key_sig")));
        Assert.False(deviceVerify.VerifyText(userPublic.Export(), group.Str("public_key_sig")));
    }

    [Fact]
    public void Login_Challenge_ReproducedByteForByteAndDecrypted()
    {
        var v = SentcVectors.File("login.json");
        var challenge = v.GetProperty("challenge");
        var rnd = challenge.GetProperty("rnd");
        using PrivateKey devicePrivate = PrivateKey.ImportJson(v.GetProperty("login_result").Str("device_private_key"));
        PublicKey devicePublic = devicePrivate.GetPublicKey();

        byte[] encrypted = HybridEncryption.Encrypt(
            devicePublic.Bytes, Encoding.UTF8.GetBytes(challenge.Str("challenge")),
            rnd.Hex("ecies_eph_sk"), rnd.Hex("ecies_nonce"), rnd.Hex("kyber_m"), rnd.Hex("kyber_nonce"));
        Assert.Equal(challenge.Str("encrypted_b64"), Convert.ToBase64String(encrypted));
        Assert.Equal(1660, challenge.Str("encrypted_b64").Length);
        Assert.Equal(challenge.Str("challenge"), Encoding.UTF8.GetString(devicePrivate.Decrypt(encrypted)));
    }

    [Fact]
    public void Login_Exchanges_DecryptToTheKeysTheWasmExported()
    {
        var v = SentcVectors.File("login.json");
        var result = v.GetProperty("login_result");
        JsonElement[] exchanges = [.. v.GetProperty("exchanges").EnumerateArray()];
        var prepare = exchanges[0].GetProperty("response").GetProperty("result");
        var done = exchanges[1].GetProperty("response").GetProperty("result").GetProperty("Direct");
        var verify = exchanges[2].GetProperty("response").GetProperty("result");
        var deviceKeys = done.GetProperty("device_keys");

        using PasswordKeys passwordKeys = PasswordKeys.Derive(v.Str("password"), prepare.B64("salt_string"));
        Assert.Equal(exchanges[1].GetProperty("request").Str("auth_key"), passwordKeys.AuthKeyBase64);
        using SymmetricKey master = passwordKeys.MasterKeyEncryptionKey.UnwrapSymmetricKey(deviceKeys.B64("encrypted_master_key"), "");
        var alg = EncryptionAlgorithm.FromId(deviceKeys.Str("keypair_encrypt_alg"));
        using PrivateKey devicePrivate = master.UnwrapPrivateKey(deviceKeys.B64("encrypted_private_key"), alg, deviceKeys.Str("keypair_encrypt_id"));
        using PrivateKey expectedDevice = PrivateKey.ImportJson(result.Str("device_private_key"));
        Assert.Equal(expectedDevice.Secret.ToArray(), devicePrivate.Secret.ToArray());
        Assert.Equal(exchanges[2].GetProperty("request").Str("challenge"),
            Encoding.UTF8.GetString(devicePrivate.Decrypt(done.B64("challenge"))));

        JsonElement userKey = verify.GetProperty("user_keys")[0];
        var expected = result.GetProperty("user_keys_0");
        using SymmetricKey groupKey = devicePrivate.UnwrapSymmetricKey(userKey.B64("encrypted_group_key"), userKey.Str("group_key_id"));
        Assert.Equal(expected.Str("group_key"), groupKey.ExportJson());
        using PrivateKey userPrivate = groupKey.UnwrapPrivateKey(
            userKey.B64("encrypted_private_group_key"), EncryptionAlgorithm.FromId(userKey.Str("keypair_encrypt_alg")), userKey.Str("key_pair_id"));
        Assert.Equal(expected.Str("private_key"), userPrivate.ExportJson());
        using SignKey userSign = groupKey.UnwrapSignKey(
            userKey.B64("encrypted_sign_key"), SignatureAlgorithm.FromId(userKey.Str("keypair_sign_alg")), userKey.Str("keypair_sign_id"));
        Assert.Equal(expected.Str("sign_key"), userSign.ExportJson());
        Assert.Equal(expected.Str("exported_public_key"),
            new UserPublicKeyData(PublicKey.FromWireText(userPrivate.Algorithm, userKey.Str("public_group_key"), userKey.Str("key_pair_id")),
                userKey.Str("public_key_sig"), userKey.Str("keypair_sign_id")).ToJson());
    }

    [Fact]
    public void GroupCreate_WasmBody_UnwrapsAndGroupKeySigVerifies()
    {
        var v = SentcVectors.File("group.json");
        var inputs = v.GetProperty("inputs");
        var decrypted = v.GetProperty("decrypted");
        JsonElement body = Body(v.Str("create_body"));
        using PrivateKey creator = PrivateKey.ImportJson(inputs.Str("private_key"));
        VerifyKey verifyKey = UserVerifyKeyData.Parse(inputs.Str("verify_key_data"));

        using SymmetricKey groupKey = creator.UnwrapSymmetricKey(body.B64("encrypted_group_key"), "g");
        Assert.Equal(decrypted.B64("group_key_b64"), groupKey.ExportRaw());
        Assert.True(verifyKey.VerifyText(groupKey.ExportRaw(), body.Str("group_key_sig")));
        Assert.Equal(inputs.Str("starter"), body.Str("signed_by_user_id"));
        Assert.Equal(verifyKey.KeyId, body.Str("signed_by_user_sign_key_id"));

        var alg = EncryptionAlgorithm.FromId(body.Str("keypair_encrypt_alg"));
        using PrivateKey groupPrivate = groupKey.UnwrapPrivateKey(body.B64("encrypted_private_group_key"), alg, "gkp");
        Assert.Equal(Raw(decrypted.GetProperty("private_group_key")), groupPrivate.Secret.ToArray());
        Assert.Equal(body.Str("public_group_key"), groupPrivate.GetPublicKey().ToWireText());
        Assert.Equal(decrypted.B64("hmac_key_b64"), groupKey.UnwrapRaw(body.B64("encrypted_hmac_key"), 32));
        Assert.Equal(decrypted.B64("sortable_key_b64"), groupKey.UnwrapRaw(body.B64("encrypted_sortable_key"), 16));

        // The field order of the body (serde declaration order) is what our writer must reproduce.
        string[] unsigned = [.. v.GetProperty("create_body_unsigned_fields").EnumerateArray().Select(e => e.GetString()!)];
        Assert.Equal(unsigned, body.EnumerateObject().Select(p => p.Name).Take(unsigned.Length));
    }

    [Theory]
    [InlineData("server_key_output", null)]
    [InlineData("independent", "independent_server_key_output_accepted")]
    public void GroupKeyServerOutput_Decrypts_AndSignatureVerifies(string label, string? nested)
    {
        var v = SentcVectors.File("group.json");
        JsonElement output = nested is null ? v.GetProperty("server_key_output") : v.GetProperty(nested).GetProperty("server_key_output");
        using PrivateKey creator = PrivateKey.ImportJson(v.GetProperty("inputs").Str("private_key"));
        VerifyKey verifyKey = UserVerifyKeyData.Parse(v.GetProperty("inputs").Str("verify_key_data"));
        using SymmetricKey groupKey = creator.UnwrapSymmetricKey(output.B64("encrypted_group_key"), output.Str("group_key_id"));
        Assert.True(verifyKey.VerifyText(groupKey.ExportRaw(), output.Str("group_key_sig")), label);
        if (nested is not null)
        {
            Assert.Equal(v.GetProperty(nested).B64("group_key_b64"), groupKey.ExportRaw());
        }
        else
        {
            Assert.Equal(v.GetProperty("group_decrypt_key_result").Str("group_key"), groupKey.ExportJson());
        }

        using PrivateKey groupPrivate = groupKey.UnwrapPrivateKey(
            output.B64("encrypted_private_group_key"), EncryptionAlgorithm.FromId(output.Str("keypair_encrypt_alg")), output.Str("key_pair_id"));
        Assert.Equal(output.Str("public_group_key"), groupPrivate.GetPublicKey().ToWireText());

        // A signature over another key fails (client_31 at the SDK level).
        Assert.False(verifyKey.VerifyText(new byte[32], output.Str("group_key_sig")));
    }

    [Fact]
    public void KeyRotation_StartServerStepFinish_AllAgreeOnTheNewKey()
    {
        var v = SentcVectors.File("key-rotation.json");
        var start = v.GetProperty("start");
        var decrypted = start.GetProperty("decrypted");
        JsonElement body = Body(start.Str("body"));
        using SymmetricKey previous = SymmetricKey.ImportJson(start.GetProperty("inputs").Str("pre_group_key"));

        // Start: eph under the previous key, G' under eph, G' to the invoker, signed by the starter.
        byte[] ephemeral = previous.UnwrapRaw(body.B64("encrypted_ephemeral_key"), 32);
        Assert.Equal(decrypted.B64("ephemeral_key_b64"), ephemeral);
        using SymmetricKey eph = SymmetricKey.Import(ephemeral, "");
        byte[] newKey = eph.UnwrapRaw(body.B64("encrypted_group_key_by_ephemeral"), 32);
        Assert.Equal(decrypted.B64("new_group_key_b64"), newKey);
        using PrivateKey invoker = PrivateKey.ImportJson(SentcVectors.At("asymmetric-hybrid.json").Str("private_key_export"));
        Assert.Equal(invoker.GetPublicKey(), PublicKey.ImportJson(start.GetProperty("inputs").Str("public_key")));
        using SymmetricKey byUser = invoker.UnwrapSymmetricKey(body.B64("encrypted_group_key_by_user"), "");
        Assert.Equal(newKey, byUser.ExportRaw());
        VerifyKey starterVerify = VerifyKey.ImportJson(SentcVectors.At("signatures-hybrid.json").Str("verify_key_export"));
        Assert.True(starterVerify.VerifyText(newKey, body.Str("group_key_sig")));
        using SymmetricKey newGroupKey = SymmetricKey.Import(newKey, "");
        using PrivateKey newPrivate = newGroupKey.UnwrapPrivateKey(body.B64("encrypted_private_group_key"), EncryptionAlgorithm.X25519Kyber768, "");
        Assert.Equal(Raw(decrypted.GetProperty("new_private_group_key")), newPrivate.Secret.ToArray());

        // Server step, reproduced byte for byte from the recorded randomness.
        var step = v.GetProperty("server_step");
        var rnd = step.GetProperty("randomness");
        PublicKey member = UserPublicKeyData.Parse(step.Str("member_public_key_data")).PublicKey;
        byte[] forMember = HybridEncryption.Encrypt(
            member.Bytes, body.B64("encrypted_ephemeral_key"),
            rnd.Hex("ecies_eph_sk_hex"), rnd.Hex("ecies_nonce_hex"), rnd.Hex("kyber_m_hex"), rnd.Hex("kyber_nonce_hex"));
        var input = step.GetProperty("key_rotation_input");
        Assert.Equal(input.Str("encrypted_ephemeral_key_by_group_key_and_public_key"), Convert.ToBase64String(forMember));
        Assert.Equal(1648, Convert.ToBase64String(forMember).Length);

        // Finish (bob): hybrid-decrypt, AES-decrypt with the previous key, then G'; bob's PUT carries G' for himself.
        var finish = v.GetProperty("finish");
        using PrivateKey bob = PrivateKey.ImportJson(finish.GetProperty("inputs").Str("private_key"));
        Assert.Equal(newKey, FinishRotation(bob, previous, input));
        using SymmetricKey bobsCopy = bob.UnwrapSymmetricKey(finish.GetProperty("request").GetProperty("body").B64("encrypted_new_group_key"), "");
        Assert.Equal(newKey, bobsCopy.ExportRaw());

        // A rotation started by the independent code, finished by the wasm.
        var independent = v.GetProperty("independent_start_finished_by_wasm");
        var independentInput = independent.GetProperty("key_rotation_input");
        Assert.Equal(independent.B64("new_group_key_b64"), FinishRotation(bob, previous, independentInput));
        using SymmetricKey finished = bob.UnwrapSymmetricKey(independent.GetProperty("finish_request").GetProperty("body").B64("encrypted_new_group_key"), "");
        Assert.Equal(independent.B64("new_group_key_b64"), finished.ExportRaw());
    }

    [Fact]
    public void UserKeyRotation_WasmBody_NewSignKeySignsNewPublicKey()
    {
        var r = SentcVectors.At("key-rotation.json", "user_group_rotation");
        JsonElement body = r.GetProperty("body");
        using SymmetricKey previous = SymmetricKey.ImportJson(r.GetProperty("inputs").Str("pre_user_key"));
        using PrivateKey device = PrivateKey.ImportJson(SentcVectors.At("login.json", "login_result").Str("device_private_key"));
        Assert.Equal(device.GetPublicKey(), PublicKey.ImportJson(r.GetProperty("inputs").Str("device_public_key")));

        using SymmetricKey newUserKey = device.UnwrapSymmetricKey(body.B64("encrypted_group_key_by_user"), "");
        using SymmetricKey eph = previous.UnwrapSymmetricKey(body.B64("encrypted_ephemeral_key"), "");
        Assert.Equal(newUserKey.ExportRaw(), eph.UnwrapRaw(body.B64("encrypted_group_key_by_ephemeral"), 32));

        var signAlg = SignatureAlgorithm.FromId(body.Str("keypair_sign_alg"));
        using SignKey newSign = newUserKey.UnwrapSignKey(body.B64("encrypted_sign_key"), signAlg, "");
        VerifyKey newVerify = VerifyKey.FromWireText(signAlg, body.Str("verify_key"), "");
        PublicKey newPublic = PublicKey.FromWireText(EncryptionAlgorithm.FromId(body.Str("keypair_encrypt_alg")), body.Str("public_group_key"), "");
        Assert.True(newVerify.VerifyText(newPublic.Export(), body.Str("public_key_sig")));
        Assert.False(body.TryGetProperty("group_key_sig", out _));
        Assert.True(newVerify.Verify("m"u8, newSign.Sign("m"u8)));
    }

    private static byte[] FinishRotation(PrivateKey member, SymmetricKey previous, JsonElement input)
    {
        byte[] wrappedEph = member.Decrypt(input.B64("encrypted_ephemeral_key_by_group_key_and_public_key"));
        using SymmetricKey eph = previous.UnwrapSymmetricKey(wrappedEph, "");
        return eph.UnwrapRaw(input.B64("encrypted_group_key_by_ephemeral"), 32);
    }
}
