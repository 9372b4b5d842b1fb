using System.Text.Json.Serialization;

namespace Coffer.Protocol.Users;

/// <summary>Body of POST /exists, POST /prepare_login and PUT /user.</summary>
public sealed record UserIdentifierInput(string UserIdentifier);

public sealed record UserExistsOutput(string UserIdentifier, bool Available);

public sealed record MasterKey(string MasterKeyAlg, string EncryptedMasterKey, string EncryptedMasterKeyAlg);

public sealed record KeyDerivedData(
    string DerivedAlg,
    string ClientRandomValue,
    string HashedAuthenticationKey,
    string PublicKey,
    string EncryptedPrivateKey,
    string KeypairEncryptAlg,
    string VerifyKey,
    string EncryptedSignKey,
    string KeypairSignAlg);

public sealed record UserDeviceRegisterInput(MasterKey MasterKey, KeyDerivedData Derived, string DeviceIdentifier);

/// <summary>Body of POST /register: the first device and the user group.</summary>
public sealed record RegisterData(UserDeviceRegisterInput Device, Groups.CreateData Group);

public sealed record RegisterOutput(string UserId, string DeviceId, string DeviceIdentifier);

public sealed record PrepareLoginSaltOutput(string SaltString, string DerivedEncryptionKeyAlg);

public sealed record DoneLoginInput(string AuthKey, string DeviceIdentifier);

public sealed record VerifyLoginInput(string AuthKey, string DeviceIdentifier, string Challenge);

public sealed record JwtRefreshInput(string RefreshToken);

public sealed record RefreshOutput(string UserId, string Jwt, string DeviceId);

public sealed record InitOutput(string Jwt, IReadOnlyList<Groups.GroupInviteReqList> Invites);

/// <summary>One row of GET /user/device/:t/:id; <c>device_identifier</c> is the hashed identifier.</summary>
public sealed record DeviceListItem(string DeviceId, long Time, string DeviceIdentifier);

public sealed record DeviceKeys(
    string EncryptedMasterKey,
    string EncryptedPrivateKey,
    string PublicKeyString,
    string KeypairEncryptAlg,
    string EncryptedSignKey,
    string VerifyKeyString,
    string KeypairSignAlg,
    string KeypairEncryptId,
    string KeypairSignId,
    string UserId,
    string DeviceId,
    string UserGroupId);

public sealed record DoneLoginServerOutput(DeviceKeys DeviceKeys, string Challenge);

/// <summary>
/// Result of POST /done_login, an externally tagged enum: the unit variant <c>"Otp"</c> or
/// <c>{"Direct":DoneLoginServerOutput}</c>.
/// </summary>
[JsonConverter(typeof(Json.DoneLoginResultConverter))]
public abstract record DoneLoginResult
{
    private DoneLoginResult()
    {
    }

    public sealed record Otp : DoneLoginResult;

    public sealed record Direct(DoneLoginServerOutput Output) : DoneLoginResult;
}

public sealed record ChangePasswordData(
    string NewDerivedAlg,
    string NewClientRandomValue,
    string NewHashedAuthenticationKey,
    string NewEncryptedMasterKey,
    string NewEncryptedMasterKeyAlg,
    string OldAuthKey);

public sealed record ResetPasswordData(
    string ClientRandomValue,
    string HashedAuthenticationKey,
    MasterKey MasterKey,
    string DerivedAlg,
    string EncryptedPrivateKey,
    string EncryptedSignKey);

/// <summary>Result of POST /user/prepare_register_device: what an existing device needs to add the new one.</summary>
public sealed record UserDeviceRegisterOutput(
    string DeviceId,
    string Token,
    string DeviceIdentifier,
    string PublicKeyString,
    string KeypairEncryptAlg);

/// <summary>Body of PUT /user/done_register_device.</summary>
public sealed record UserDeviceDoneRegisterInput(Groups.GroupKeysForNewMemberServerInput UserKeys, string Token);

/// <summary>Body of PUT /user/done_register_device_light: the new device's rank in the (keyless) user group and its token.</summary>
public sealed record UserDeviceDoneRegisterInputLight(Groups.GroupNewMemberLightInput UserGroup, string Token);

/// <summary>Result of PATCH /user/register_otp and /user/reset_otp: the TOTP secret (base32) and six recovery codes.</summary>
public sealed record OtpRegister(string Secret, string Alg, IReadOnlyList<string> Recover);

public sealed record OtpRecoveryKeysOutput(IReadOnlyList<string> Keys);

/// <summary>Body of POST /validate_mfa (a TOTP code) and /validate_recovery_otp (a recovery code).</summary>
public sealed record OtpInput(string Token, string AuthKey, string DeviceIdentifier);

/// <summary>Result of POST /verify_login: the device's user keys and the user group's HMAC keys (first pages), a fresh JWT, a refresh token.</summary>
public sealed record VerifyLoginOutput(
    IReadOnlyList<Groups.GroupKeyServerOutput> UserKeys, IReadOnlyList<Groups.GroupHmacData> HmacKeys, string Jwt, string RefreshToken);

/// <summary>Result of POST /verify_login_light.</summary>
public sealed record VerifyLoginLightOutput(string Jwt, string RefreshToken);

/// <summary>The device keys of a forced login (api.md §4.15).</summary>
public sealed record VerifyLoginForcedEntity(
    string DeviceId,
    string UserId,
    string UserGroupId,
    string EncryptedMasterKey,
    string EncryptedPrivateKey,
    string PublicKeyString,
    string KeypairEncryptAlg,
    string EncryptedSignKey,
    string VerifyKeyString,
    string KeypairSignAlg);

/// <summary>Result of POST /user/forced/login.</summary>
public sealed record UserLoginForcedOutput(VerifyLoginForcedEntity DeviceKeys, VerifyLoginOutput Verify);

/// <summary>Result of POST /user/forced/login_light.</summary>
public sealed record UserLoginLightForcedOutput(VerifyLoginForcedEntity DeviceKeys, VerifyLoginLightOutput Verify);

/// <summary>Result of GET /user/jwt: the user and device a JWT names.</summary>
public sealed record UserJwtInfo(string Id, string DeviceId);
