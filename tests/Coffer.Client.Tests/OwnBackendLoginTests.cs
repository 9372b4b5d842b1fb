using System.Text.Json;
using Coffer.Client.Tests.Infrastructure;
using Coffer.Crypto;
using Coffer.Crypto.Password;
using static Coffer.Client.Tests.Infrastructure.JsonShape;

namespace Coffer.Client.Tests;

/// <summary>The login steps against login.json: the official client's requests and the server answers it accepted.</summary>
public sealed class OwnBackendLoginTests
{
    private static readonly JsonElement PrepareLoginExchange = Vectors.Exchange("/api/v1/prepare_login");
    private static readonly JsonElement DoneLoginExchange = Vectors.Exchange("/api/v1/done_login");
    private static readonly JsonElement VerifyLoginExchange = Vectors.Exchange("/api/v1/verify_login");
    private static readonly JsonElement Result = Vectors.Login.GetProperty("login_result");

    private static string Password => Vectors.Login.Str("password");

    [Fact]
    public void PrepareLoginStart_Body_IsTheOfficialRequest()
    {
        AssertSameJson(PrepareLoginExchange.GetProperty("request"), Parse(OwnBackend.PrepareLoginStart("alice")));
    }

    [Fact]
    public void PrepareLogin_RecordedSalt_GivesTheOfficialDoneLoginRequest()
    {
        using LoginPreparation preparation = OwnBackend.PrepareLogin("alice", Password, PrepareLoginExchange.Raw("response"));
        AssertSameJson(DoneLoginExchange.GetProperty("request"), Parse(preparation.DoneLoginBody));
    }

    [Fact]
    public void DoneLogin_RecordedDirectAnswer_SolvesTheChallengeLikeTheOfficialClient()
    {
        using LoginPreparation preparation = OwnBackend.PrepareLogin("alice", Password, PrepareLoginExchange.Raw("response"));
        var solved = Assert.IsType<LoginStep.ChallengeSolved>(OwnBackend.DoneLogin(preparation, DoneLoginExchange.Raw("response")));
        using LoginChallenge challenge = solved.Challenge;
        AssertSameJson(VerifyLoginExchange.GetProperty("request"), Parse(challenge.VerifyLoginBody));
        Assert.Equal(Vectors.Login.GetProperty("challenge").Str("challenge"), Parse(challenge.VerifyLoginBody).Str("challenge"));
        Assert.Equal(("user_alice", "device_alice", "ugroup_alice"), (challenge.UserId.Value, challenge.DeviceId.Value, challenge.UserGroupId.Value));
    }

    [Fact]
    public void VerifyLogin_RecordedAnswer_YieldsTheKeysTheOfficialClientExported()
    {
        using VerifiedLogin login = LoginFromVectors();

        Assert.Equal(Result.Str("device_private_key"), login.DeviceKeys.PrivateKey.ExportJson());
        Assert.Equal(Result.Str("device_public_key"), login.DeviceKeys.PublicKey.ExportJson());
        Assert.Equal(Result.Str("device_sign_key"), login.DeviceKeys.SignKey.ExportJson());
        Assert.Equal(Result.Str("device_verify_key"), login.DeviceKeys.VerifyKey.ExportJson());
        Assert.Equal(Result.Str("device_exported_public_key"), login.DeviceKeys.ExportPublicKeyData());
        Assert.Equal(Result.Str("device_exported_verify_key"), login.DeviceKeys.ExportVerifyKeyData());

        JsonElement expected = Result.GetProperty("user_keys_0");
        UserKey key = Assert.Single(login.UserKeys);
        Assert.Equal(expected.Str("group_key_id"), key.GroupKeyId);
        Assert.Equal(expected.GetProperty("time").GetInt64(), key.Time);
        Assert.Equal(expected.Str("group_key"), key.GroupKey.ExportJson());
        Assert.Equal(expected.Str("private_key"), key.PrivateKey.ExportJson());
        Assert.Equal(expected.Str("public_key"), key.PublicKey.ExportJson());
        Assert.Equal(expected.Str("sign_key"), key.SignKey.ExportJson());
        Assert.Equal(expected.Str("verify_key"), key.VerifyKey.ExportJson());
        Assert.Equal(expected.Str("exported_public_key"), key.ExportPublicKeyData());
        Assert.Equal(expected.Str("exported_public_key_sig_key_id"), key.PublicKeySignatureKeyId);
        Assert.Equal(expected.Str("exported_verify_key"), key.ExportVerifyKeyData());

        Assert.Equal(("user_alice", "device_alice", "refresh_alice"), (login.UserId.Value, login.DeviceId.Value, login.RefreshToken));
        JsonElement hmac = Parse(Assert.Single(Result.GetProperty("hmac_keys").EnumerateArray()).Str("key_data"));
        var ours = Assert.Single(login.HmacKeys);
        Assert.Equal(
            (hmac.Str("id"), hmac.Str("encrypted_hmac_key"), hmac.Str("encrypted_hmac_alg"), hmac.Str("encrypted_hmac_encryption_key_id"), hmac.GetProperty("time").GetInt64()),
            (ours.Id, ours.EncryptedHmacKey, ours.EncryptedHmacAlg, ours.EncryptedHmacEncryptionKeyId, ours.Time));
    }

    [Fact]
    public void VerifyLogin_UserHmacKey_DecryptsWithTheUserKeyItNames()
    {
        using VerifiedLogin login = LoginFromVectors();
        var hmac = Assert.Single(login.HmacKeys);
        UserKey key = login.UserKeys.Single(k => k.GroupKeyId == hmac.EncryptedHmacEncryptionKeyId);
        Assert.Equal(32, key.GroupKey.Decrypt(Convert.FromBase64String(hmac.EncryptedHmacKey)).Length);
    }

    [Fact]
    public void DoneLogin_OtpAnswer_RequiresMfa()
    {
        using LoginPreparation preparation = OwnBackend.PrepareLogin("alice", Password, PrepareLoginExchange.Raw("response"));
        Assert.IsType<LoginStep.MfaRequired>(OwnBackend.DoneLogin(preparation, """{"status":true,"result":"Otp"}"""));
    }

    [Fact]
    public void ValidateMfa_BodyAndUnwrappedAnswer_SolveTheSameChallenge()
    {
        using LoginPreparation preparation = OwnBackend.PrepareLogin("alice", Password, PrepareLoginExchange.Raw("response"));
        JsonElement body = Parse(OwnBackend.PrepareValidateMfa(preparation, "123456"));
        Assert.Equal(["token", "auth_key", "device_identifier"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("123456", DoneLoginExchange.GetProperty("request").Str("auth_key"), "alice"),
            (body.Str("token"), body.Str("auth_key"), body.Str("device_identifier")));

        // validate_mfa answers the DoneLoginServerOutput itself, not wrapped in {"Direct":…} (api.md §4.1).
        string direct = DoneLoginExchange.GetProperty("response").GetProperty("result").GetProperty("Direct").GetRawText();
        using LoginChallenge challenge = OwnBackend.DoneValidateMfa(preparation, $$"""{"status":true,"result":{{direct}}}""");
        AssertSameJson(VerifyLoginExchange.GetProperty("request"), Parse(challenge.VerifyLoginBody));
    }

    [Fact]
    public void DoneLogin_WrongPassword_FailsToDecryptTheMasterKey()
    {
        using LoginPreparation preparation = OwnBackend.PrepareLogin("alice", "wrong", PrepareLoginExchange.Raw("response"));
        var error = Assert.Throws<CofferException>(() => OwnBackend.DoneLogin(preparation, DoneLoginExchange.Raw("response")));
        Assert.Equal((CofferErrorOrigin.Crypto, "client_30"), (error.Origin, error.Code));
    }

    [Fact]
    public void PrepareLogin_UnknownDerivationAlgorithm_IsClient100()
    {
        var error = Assert.Throws<CofferException>(() => OwnBackend.PrepareLogin("alice", Password,
            """{"status":true,"result":{"salt_string":"AAAA","derived_encryption_key_alg":"PBKDF2"}}"""));
        Assert.Equal("client_100", error.Code);
    }

    [Fact]
    public void DoneLogin_ServerRejectsPassword_ThrowsServer112()
    {
        using LoginPreparation preparation = OwnBackend.PrepareLogin("alice", Password, PrepareLoginExchange.Raw("response"));
        var error = Assert.Throws<CofferException>(() => OwnBackend.DoneLogin(preparation,
            """{"status":false,"err_code":112,"err_msg":"Wrong username or password."}"""));
        Assert.Equal(112, error.ServerCode);
    }

    [Fact]
    public void PrepareChangePassword_RecordedAnswers_RewrapsTheSameMasterKey()
    {
        string body = OwnBackend.PrepareChangePassword(
            Password, "new password", PrepareLoginExchange.Raw("response"), DoneLoginExchange.Raw("response"));
        JsonElement data = Parse(body);
        Assert.Equal(["new_derived_alg", "new_client_random_value", "new_hashed_authentication_key", "new_encrypted_master_key",
            "new_encrypted_master_key_alg", "old_auth_key"], data.EnumerateObject().Select(p => p.Name));
        Assert.Equal(DoneLoginExchange.GetProperty("request").Str("auth_key"), data.Str("old_auth_key"));
        Assert.Equal(("ARGON-2-SHA256", "AES-GCM-256"), (data.Str("new_derived_alg"), data.Str("new_encrypted_master_key_alg")));

        using PasswordKeys keys = PasswordKeys.Derive("new password", PasswordKeys.Salt(Convert.FromBase64String(data.Str("new_client_random_value"))));
        Assert.Equal(keys.HashedAuthKey, Convert.FromBase64String(data.Str("new_hashed_authentication_key")));
        using SymmetricKey masterKey = keys.MasterKeyEncryptionKey.UnwrapSymmetricKey(Convert.FromBase64String(data.Str("new_encrypted_master_key")), "");
        Assert.Equal(Vectors.Register.GetProperty("derived").Str("master_key_b64"), Convert.ToBase64String(masterKey.ExportRaw()));
    }

    internal static VerifiedLogin LoginFromVectors()
    {
        using LoginPreparation preparation = OwnBackend.PrepareLogin("alice", Password, PrepareLoginExchange.Raw("response"));
        var solved = Assert.IsType<LoginStep.ChallengeSolved>(OwnBackend.DoneLogin(preparation, DoneLoginExchange.Raw("response")));
        using LoginChallenge challenge = solved.Challenge;
        return OwnBackend.VerifyLogin(challenge, VerifyLoginExchange.Raw("response"));
    }
}
