using System.Text.Json;
using Coffer.Client.Http;
using Coffer.Crypto;
using Coffer.Crypto.Password;
using Coffer.Protocol.Groups;
using Coffer.Protocol.Users;

namespace Coffer.Client;

/// <summary>The result of a registration: the new user's id, its first device's id and identifier.</summary>
public sealed record RegisteredUser(UserId UserId, DeviceId DeviceId, string DeviceIdentifier);

/// <summary>
/// A new device waiting to be added by an existing device of the user (the result of
/// <c>POST /user/prepare_register_device</c>). Transfer <see cref="ToJson"/> to a logged-in device, which calls
/// <see cref="CofferUser.RegisterDeviceAsync"/>; afterwards the new device logs in with its own identifier and password.
/// </summary>
public sealed record DeviceRegistrationStart(DeviceId DeviceId, string Token, string DeviceIdentifier, PublicKey PublicKey)
{
    /// <summary>The server's result as JSON (<c>{device_id, token, device_identifier, public_key_string, keypair_encrypt_alg}</c>).</summary>
    public string ToJson() => ClientJson.Write(new UserDeviceRegisterOutput(
        DeviceId.Value, Token, DeviceIdentifier, PublicKey.ToWireText(), PublicKey.Algorithm.Id));

    /// <summary>Reads the JSON of <see cref="ToJson"/> (the bare result, not the envelope).</summary>
    public static DeviceRegistrationStart FromJson(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return From(ClientJson.Read<UserDeviceRegisterOutput>(document.RootElement));
        }
        catch (JsonException exception)
        {
            throw CofferException.FromSdk(SdkError.ResponseInvalid, inner: exception);
        }
    }

    internal static DeviceRegistrationStart From(UserDeviceRegisterOutput output) => CofferException.Crypto(() =>
        new DeviceRegistrationStart(
            new DeviceId(output.DeviceId),
            output.Token,
            output.DeviceIdentifier,
            // The server names the new device's key pairs by the device id (api.md §1.7).
            PublicKey.FromWireText(EncryptionAlgorithm.FromId(output.KeypairEncryptAlg), output.PublicKeyString, output.DeviceId)));
}

/// <summary>
/// The crypto of the user flows without HTTP, for apps whose own backend calls the server (with the secret token
/// where the app options require it). Each <c>Prepare…</c> returns the exact request body of the protocol (serde
/// field order); each <c>Done…</c> takes the server's whole answer (<c>{"status":…}</c> envelope) and checks it.
/// </summary>
public static class OwnBackend
{
    /// <summary>The body of <c>POST /register</c>: a new device (keys wrapped by the password) and the user group. The password never leaves this method.</summary>
    public static string PrepareRegister(string identifier, string password) => ClientJson.Write(NewRegisterData(identifier, password));

    /// <summary>Checks the answer of <c>POST /register</c>.</summary>
    public static RegisteredUser DoneRegister(string serverOutput)
    {
        RegisterOutput output = ServerAnswer.Read<RegisterOutput>(serverOutput);
        return new RegisteredUser(new UserId(output.UserId), new DeviceId(output.DeviceId), output.DeviceIdentifier);
    }

    /// <summary>The body of <c>POST /prepare_login</c> (and of <c>POST /exists</c>).</summary>
    public static string PrepareLoginStart(string identifier) => ClientJson.Write(new UserIdentifierInput(identifier));

    /// <summary>Derives the password keys from the salt in the answer of <c>POST /prepare_login</c>; the result holds the body of <c>POST /done_login</c>.</summary>
    public static LoginPreparation PrepareLogin(string identifier, string password, string prepareLoginServerOutput) =>
        PrepareLogin(identifier, password, ServerAnswer.Read<PrepareLoginSaltOutput>(prepareLoginServerOutput));

    /// <summary>Reads the answer of <c>POST /done_login</c>: MFA required, or the decrypted device keys and the solved challenge.</summary>
    public static LoginStep DoneLogin(LoginPreparation preparation, string doneLoginServerOutput) =>
        DoneLogin(preparation, ServerAnswer.Read<DoneLoginResult>(doneLoginServerOutput));

    /// <summary>The body of <c>POST /validate_mfa</c> (a TOTP code) or <c>POST /validate_recovery_otp</c> (a recovery code).</summary>
    public static string PrepareValidateMfa(LoginPreparation preparation, string token) =>
        ClientJson.Write(new OtpInput(token, preparation.Keys.AuthKeyBase64, preparation.Identifier));

    /// <summary>Reads the answer of <c>/validate_mfa</c> or <c>/validate_recovery_otp</c>.</summary>
    public static LoginChallenge DoneValidateMfa(LoginPreparation preparation, string serverOutput) =>
        SolveChallenge(preparation, ServerAnswer.Read<DoneLoginServerOutput>(serverOutput));

    /// <summary>Reads the answer of <c>POST /verify_login</c>: decrypts the user keys with the device private key.</summary>
    public static VerifiedLogin VerifyLogin(LoginChallenge challenge, string verifyLoginServerOutput) =>
        VerifyLogin(challenge, ServerAnswer.Read<VerifyLoginOutput>(verifyLoginServerOutput));

    /// <summary>The body of <c>POST /user/prepare_register_device</c> for a new device (its own identifier and password).</summary>
    public static string PrepareRegisterDeviceStart(string deviceIdentifier, string password) =>
        ClientJson.Write(CofferException.Crypto(() => UserKeyMaterial.NewDevice(deviceIdentifier, password).Input));

    /// <summary>Checks the answer of <c>POST /user/prepare_register_device</c>.</summary>
    public static DeviceRegistrationStart DoneRegisterDeviceStart(string serverOutput) =>
        DeviceRegistrationStart.From(ServerAnswer.Read<UserDeviceRegisterOutput>(serverOutput));

    /// <summary>
    /// The body of <c>PUT /user/update_pw</c> (needs a fresh JWT): from the answers of <c>prepare_login</c> and of
    /// <c>done_login</c> (or of <c>validate_mfa</c>, which carries the same device keys), for the old password.
    /// </summary>
    public static string PrepareChangePassword(
        string oldPassword, string newPassword, string prepareLoginServerOutput, string doneLoginServerOutput)
    {
        PrepareLoginSaltOutput salt = ServerAnswer.Read<PrepareLoginSaltOutput>(prepareLoginServerOutput);
        DoneLoginServerOutput done = ReadDoneLogin(doneLoginServerOutput);
        return ClientJson.Write(CofferException.Crypto(() =>
            UserKeyMaterial.ChangePassword(oldPassword, newPassword, salt, done.DeviceKeys.EncryptedMasterKey)));
    }

    /// <summary>The body of <c>PUT /user</c>: the calling device's new identifier.</summary>
    public static string PrepareUpdateIdentifier(string newIdentifier) => ClientJson.Write(new UserIdentifierInput(newIdentifier));

    /// <summary>
    /// The body of <c>PUT /refresh</c> for the "refresh from a cookie" strategy: the app's backend sends it with the
    /// old (possibly expired) JWT as <c>Authorization: Bearer</c>.
    /// </summary>
    public static string PrepareRefreshJwt(string refreshToken) => ClientJson.Write(new JwtRefreshInput(refreshToken));

    /// <summary>Checks the answer of <c>PUT /refresh</c> and returns the new JWT.</summary>
    public static string DoneRefreshJwt(string serverOutput) => ServerAnswer.Read<RefreshOutput>(serverOutput).Jwt;

    /// <summary>The body of <c>DELETE /user/forced/disable_otp</c> (secret token): turns MFA off for a user from the app's backend.</summary>
    public static string PrepareForcedDisableOtp(string identifier) => ClientJson.Write(new UserIdentifierInput(identifier));

    internal static RegisterData NewRegisterData(string identifier, string password) => CofferException.Crypto(() =>
    {
        (UserDeviceRegisterInput device, PublicKey devicePublicKey) = UserKeyMaterial.NewDevice(identifier, password);
        return new RegisterData(device, UserKeyMaterial.NewUserGroup(devicePublicKey));
    });

    internal static LoginPreparation PrepareLogin(string identifier, string password, PrepareLoginSaltOutput salt)
    {
        PasswordKeys keys = CofferException.Crypto(() => UserKeyMaterial.DeriveForLogin(password, salt));
        return new LoginPreparation(identifier, keys, ClientJson.Write(new DoneLoginInput(keys.AuthKeyBase64, identifier)));
    }

    internal static LoginStep DoneLogin(LoginPreparation preparation, DoneLoginResult result) => result switch
    {
        DoneLoginResult.Otp => new LoginStep.MfaRequired(),
        DoneLoginResult.Direct direct => new LoginStep.ChallengeSolved(SolveChallenge(preparation, direct.Output)),
        _ => throw CofferException.FromSdk(SdkError.ResponseInvalid),
    };

    internal static LoginChallenge SolveChallenge(LoginPreparation preparation, DoneLoginServerOutput output) => CofferException.Crypto(() =>
    {
        Protocol.Users.DeviceKeys keys = output.DeviceKeys;
        DeviceKeys device = UserKeyMaterial.DecryptDeviceKeys(keys, preparation.Keys.MasterKeyEncryptionKey);
        try
        {
            string challenge = UserKeyMaterial.DecryptChallenge(output.Challenge, device);
            string body = ClientJson.Write(new VerifyLoginInput(preparation.Keys.AuthKeyBase64, preparation.Identifier, challenge));
            return new LoginChallenge(
                preparation.Identifier, new UserId(keys.UserId), new DeviceId(keys.DeviceId), new GroupId(keys.UserGroupId), device, body);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    });

    internal static VerifiedLogin VerifyLogin(LoginChallenge challenge, VerifyLoginOutput output)
    {
        List<UserKey> userKeys = DecryptUserKeys(output.UserKeys, challenge.DeviceKeys);
        challenge.Handed = true;
        return new VerifiedLogin(
            challenge.Identifier, challenge.UserId, challenge.DeviceId, challenge.UserGroupId, challenge.DeviceKeys,
            userKeys, output.HmacKeys, output.Jwt, output.RefreshToken);
    }

    /// <summary>Decrypts a page of user keys, newest first; on failure nothing decrypted so far stays in memory.</summary>
    internal static List<UserKey> DecryptUserKeys(IEnumerable<GroupKeyServerOutput> keys, DeviceKeys device)
    {
        var decrypted = new List<UserKey>();
        try
        {
            foreach (GroupKeyServerOutput key in keys)
            {
                decrypted.Add(CofferException.Crypto(() => UserKeyMaterial.DecryptUserKey(key, device)));
            }
        }
        catch
        {
            decrypted.ForEach(k => k.Dispose());
            throw;
        }

        return [.. decrypted.OrderByDescending(k => k.Time)];
    }

    /// <summary>The device keys of a <c>done_login</c> answer (<c>{"Direct":…}</c>) or of a <c>validate_mfa</c> answer (not wrapped).</summary>
    private static DoneLoginServerOutput ReadDoneLogin(string serverOutput)
    {
        try
        {
            return ServerAnswer.Read<DoneLoginResult>(serverOutput) switch
            {
                DoneLoginResult.Direct direct => direct.Output,
                _ => throw CofferException.FromSdk(SdkError.MfaRequired),
            };
        }
        catch (CofferException exception) when (exception.SdkError == SdkError.ResponseInvalid)
        {
            return ServerAnswer.Read<DoneLoginServerOutput>(serverOutput);
        }
    }
}
