using System.Text.Json;
using Coffer.Client.Http;
using Coffer.Client.Tests.Infrastructure;
using Coffer.Crypto;
using Coffer.Crypto.Password;
using Coffer.Protocol.Users;
using static Coffer.Client.Tests.Infrastructure.JsonShape;

namespace Coffer.Client.Tests;

/// <summary>PrepareRegister against register.json, the official client's register body.</summary>
public sealed class OwnBackendRegisterTests
{
    private const string Password = "a pässword ✓ +/";

    private static string OfficialBody => Vectors.Register.Str("register_body");

    [Fact]
    public void PrepareRegister_Output_HasTheOfficialFieldsInTheOfficialOrder()
    {
        JsonElement ours = Parse(OwnBackend.PrepareRegister("alice", Password));
        AssertSameShape(Parse(OfficialBody), ours);
    }

    [Fact]
    public void PrepareRegister_Output_UsesTheOfficialAlgorithmsAndPlaceholders()
    {
        JsonElement official = Parse(OfficialBody);
        JsonElement ours = Parse(OwnBackend.PrepareRegister("alice", Password));
        foreach (string field in new[] { "master_key_alg", "encrypted_master_key_alg" })
        {
            Assert.Equal(official.GetProperty("device").GetProperty("master_key").Str(field), ours.GetProperty("device").GetProperty("master_key").Str(field));
        }

        foreach (string field in new[] { "derived_alg", "keypair_encrypt_alg", "keypair_sign_alg" })
        {
            Assert.Equal(official.GetProperty("device").GetProperty("derived").Str(field), ours.GetProperty("device").GetProperty("derived").Str(field));
        }

        foreach (string field in new[] { "group_key_alg", "encrypted_group_key_alg", "keypair_encrypt_alg", "creator_public_key_id",
                     "encrypted_hmac_alg", "encrypted_sortable_alg", "keypair_sign_alg" })
        {
            Assert.Equal(official.GetProperty("group").Str(field), ours.GetProperty("group").Str(field));
        }

        Assert.Equal("alice", ours.GetProperty("device").Str("device_identifier"));
    }

    [Fact]
    public void RegisterData_OfficialBody_RoundTripsByteForByte()
    {
        // The SDK's JSON (protocol records, serde encoder, absent options left out) writes the official body back
        // exactly: same order, same escaping of the PEM JSON strings, no nulls for the absent signed_by_* fields.
        using JsonDocument document = JsonDocument.Parse(OfficialBody);
        RegisterData data = ClientJson.Read<RegisterData>(document.RootElement);
        Assert.Equal(OfficialBody, ClientJson.Write(data));
    }

    [Fact]
    public void PrepareRegister_EveryWrappedKey_DecryptsInARoundTrip()
    {
        JsonElement body = Parse(OwnBackend.PrepareRegister("alice", Password));
        JsonElement masterKeyData = body.GetProperty("device").GetProperty("master_key");
        JsonElement derived = body.GetProperty("device").GetProperty("derived");
        JsonElement group = body.GetProperty("group");

        byte[] clientRandomValue = B64(derived, "client_random_value");
        Assert.Equal(16, clientRandomValue.Length);
        using PasswordKeys keys = PasswordKeys.Derive(Password, PasswordKeys.Salt(clientRandomValue));
        Assert.Equal(keys.HashedAuthKey, B64(derived, "hashed_authentication_key"));

        using SymmetricKey masterKey = keys.MasterKeyEncryptionKey.UnwrapSymmetricKey(B64(masterKeyData, "encrypted_master_key"), "");
        EncryptionAlgorithm encryption = EncryptionAlgorithm.FromId(derived.Str("keypair_encrypt_alg"));
        SignatureAlgorithm signature = SignatureAlgorithm.FromId(derived.Str("keypair_sign_alg"));
        using PrivateKey devicePrivate = masterKey.UnwrapPrivateKey(B64(derived, "encrypted_private_key"), encryption, "device");
        using SignKey deviceSign = masterKey.UnwrapSignKey(B64(derived, "encrypted_sign_key"), signature, "device");
        Assert.Equal(PublicKey.FromWireText(encryption, derived.Str("public_key"), "device"), devicePrivate.GetPublicKey());
        VerifyKey deviceVerify = VerifyKey.FromWireText(signature, derived.Str("verify_key"), "device");
        Assert.True(deviceVerify.Verify("m"u8, deviceSign.Sign("m"u8)));

        using SymmetricKey groupKey = devicePrivate.UnwrapSymmetricKey(B64(group, "encrypted_group_key"), "ukey");
        using PrivateKey userPrivate = groupKey.UnwrapPrivateKey(B64(group, "encrypted_private_group_key"), encryption, "ukp");
        PublicKey userPublic = PublicKey.FromWireText(encryption, group.Str("public_group_key"), "ukp");
        Assert.Equal(userPublic, userPrivate.GetPublicKey());
        using SignKey userSign = groupKey.UnwrapSignKey(B64(group, "encrypted_sign_key"), signature, "usk");
        VerifyKey userVerify = VerifyKey.FromWireText(signature, group.Str("verify_key"), "usk");
        Assert.True(userVerify.Verify("m"u8, userSign.Sign("m"u8)));
        Assert.True(userVerify.VerifyText(userPublic.Export(), group.Str("public_key_sig")));
        Assert.Equal(32, groupKey.Decrypt(B64(group, "encrypted_hmac_key")).Length);
        Assert.Equal(16, groupKey.Decrypt(B64(group, "encrypted_sortable_key")).Length);
    }

    [Fact]
    public void DoneRegister_SuccessAnswer_ReturnsTheIds()
    {
        RegisteredUser user = OwnBackend.DoneRegister(
            """{"status":true,"result":{"user_id":"u1","device_id":"d1","device_identifier":"alice"}}""");
        Assert.Equal(new RegisteredUser(new UserId("u1"), new DeviceId("d1"), "alice"), user);
    }

    [Fact]
    public void DoneRegister_ErrorAnswer_ThrowsTheServerCode()
    {
        var error = Assert.Throws<CofferException>(() => OwnBackend.DoneRegister(
            """{"status":false,"err_code":101,"err_msg":"The identifier is already in use."}"""));
        Assert.Equal(("server_101", 101, "The identifier is already in use."), (error.Code, error.ServerCode, error.Message));
    }

    [Fact]
    public void DoneRegister_NotAnEnvelope_ThrowsResponseInvalid()
    {
        var error = Assert.Throws<CofferException>(() => OwnBackend.DoneRegister("<html>bad gateway</html>"));
        Assert.Equal("sdk_2", error.Code);
    }

    [Fact]
    public void RefreshAndForcedDisableOtp_Bodies_AreTheProtocolShapes()
    {
        Assert.Equal("""{"refresh_token":"r+/1"}""", OwnBackend.PrepareRefreshJwt("r+/1"));
        Assert.Equal("new.jwt.x", OwnBackend.DoneRefreshJwt("""{"status":true,"result":{"user_id":"u","jwt":"new.jwt.x","device_id":"d"}}"""));
        Assert.Equal("""{"user_identifier":"al\"ice"}""", OwnBackend.PrepareForcedDisableOtp("al\"ice"));
        Assert.Equal(114, Assert.Throws<CofferException>(() => OwnBackend.DoneRefreshJwt(
            """{"status":false,"err_code":114,"err_msg":"Refresh token not found."}""")).ServerCode);
    }

    private static byte[] B64(JsonElement element, string name) => Convert.FromBase64String(element.Str(name));
}
