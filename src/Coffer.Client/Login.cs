using Coffer.Crypto.Password;
using Coffer.Protocol.Groups;

namespace Coffer.Client;

/// <summary>
/// The first step of a login (after <c>POST /prepare_login</c>): the keys derived from the password and the body of
/// <c>POST /done_login</c>. Holds the master-key-encryption key until the login is done; dispose it afterwards.
/// </summary>
public sealed class LoginPreparation : IDisposable
{
    internal LoginPreparation(string identifier, PasswordKeys keys, string doneLoginBody)
    {
        Identifier = identifier;
        Keys = keys;
        DoneLoginBody = doneLoginBody;
    }

    /// <summary>The identifier (user name) of the device that logs in.</summary>
    public string Identifier { get; }

    /// <summary>The JSON body of <c>POST /done_login</c>: <c>{"auth_key","device_identifier"}</c>.</summary>
    public string DoneLoginBody { get; }

    internal PasswordKeys Keys { get; }

    /// <inheritdoc/>
    public void Dispose() => Keys.Dispose();
}

/// <summary>What <c>done_login</c> (or the MFA validation) led to.</summary>
public abstract record LoginStep
{
    private LoginStep()
    {
    }

    /// <summary>The user has TOTP enabled: send a TOTP code (<c>/validate_mfa</c>) or a recovery code (<c>/validate_recovery_otp</c>).</summary>
    public sealed record MfaRequired : LoginStep;

    /// <summary>The device keys are decrypted and the challenge answered; send <see cref="LoginChallenge.VerifyLoginBody"/>.</summary>
    public sealed record ChallengeSolved(LoginChallenge Challenge) : LoginStep;
}

/// <summary>
/// The device's keys after <c>done_login</c> and the decrypted challenge: the body of <c>POST /verify_login</c>.
/// Owns the device keys until <see cref="OwnBackend.VerifyLogin(LoginChallenge, string)"/> hands them on.
/// </summary>
public sealed class LoginChallenge : IDisposable
{
    internal LoginChallenge(string identifier, UserId userId, DeviceId deviceId, GroupId userGroupId, DeviceKeys deviceKeys, string verifyLoginBody)
    {
        Identifier = identifier;
        UserId = userId;
        DeviceId = deviceId;
        UserGroupId = userGroupId;
        DeviceKeys = deviceKeys;
        VerifyLoginBody = verifyLoginBody;
    }

    /// <summary>The device identifier (user name).</summary>
    public string Identifier { get; }

    /// <summary>The user id.</summary>
    public UserId UserId { get; }

    /// <summary>The device id.</summary>
    public DeviceId DeviceId { get; }

    /// <summary>The id of the user group (whose keys are the user keys).</summary>
    public GroupId UserGroupId { get; }

    /// <summary>The decrypted device keys.</summary>
    public DeviceKeys DeviceKeys { get; }

    /// <summary>The JSON body of <c>POST /verify_login</c>: <c>{"auth_key","device_identifier","challenge"}</c>.</summary>
    public string VerifyLoginBody { get; }

    internal bool Handed { get; set; }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!Handed)
        {
            DeviceKeys.Dispose();
        }
    }
}

/// <summary>
/// A finished login: ids, device keys, the decrypted user keys (newest first), the user-group HMAC keys (as the server
/// sends them, encrypted with a user key) and the tokens. <see cref="CofferClient.OpenUserAsync"/> turns it into a
/// <see cref="CofferUser"/>.
/// </summary>
public sealed class VerifiedLogin : IDisposable
{
    internal VerifiedLogin(
        string identifier, UserId userId, DeviceId deviceId, GroupId userGroupId, DeviceKeys deviceKeys,
        IReadOnlyList<UserKey> userKeys, IReadOnlyList<GroupHmacData> hmacKeys, string jwt, string refreshToken)
    {
        Identifier = identifier;
        UserId = userId;
        DeviceId = deviceId;
        UserGroupId = userGroupId;
        DeviceKeys = deviceKeys;
        UserKeys = userKeys;
        HmacKeys = hmacKeys;
        Jwt = jwt;
        RefreshToken = refreshToken;
    }

    /// <summary>The device identifier (user name).</summary>
    public string Identifier { get; }

    /// <summary>The user id.</summary>
    public UserId UserId { get; }

    /// <summary>The device id.</summary>
    public DeviceId DeviceId { get; }

    /// <summary>The user group id.</summary>
    public GroupId UserGroupId { get; }

    /// <summary>The device keys.</summary>
    public DeviceKeys DeviceKeys { get; }

    /// <summary>The user keys of the first page, newest first.</summary>
    public IReadOnlyList<UserKey> UserKeys { get; }

    /// <summary>The user group's HMAC keys, encrypted with a user key.</summary>
    public IReadOnlyList<GroupHmacData> HmacKeys { get; }

    /// <summary>The fresh JWT issued by the login.</summary>
    public string Jwt { get; }

    /// <summary>The refresh token of this device.</summary>
    public string RefreshToken { get; }

    internal bool Handed { get; set; }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Handed)
        {
            return;
        }

        DeviceKeys.Dispose();
        foreach (UserKey key in UserKeys)
        {
            key.Dispose();
        }
    }
}

/// <summary>The result of <see cref="CofferClient.LoginAsync"/>: a logged-in user, or a pending MFA login.</summary>
public abstract record LoginResult
{
    private LoginResult()
    {
    }

    /// <summary>The login is complete.</summary>
    public sealed record LoggedIn(CofferUser User) : LoginResult;

    /// <summary>The user has TOTP enabled; complete with <see cref="PendingMfaLogin.CompleteAsync"/>.</summary>
    public sealed record MfaRequired(PendingMfaLogin Pending) : LoginResult;
}
