using Coffer.Client.Http;
using Coffer.Client.Storage;
using Coffer.Crypto;
using Coffer.Crypto.Sentc;
using Coffer.Protocol.Users;
using WirePublicKeyData = Coffer.Protocol.Keys.UserPublicKeyData;
using WireVerifyKeyData = Coffer.Protocol.Keys.UserVerifyKeyData;

namespace Coffer.Client;

/// <summary>A user's public key as fetched from the server.</summary>
/// <param name="Key">The public key (its key id is the user-key id).</param>
/// <param name="Signature">The signature over the key by the user's sign key of the same generation, if any.</param>
/// <param name="SignatureKeyId">The id of the verify key that checks <paramref name="Signature"/>.</param>
/// <param name="Verified">True when the signature was checked against the user's verify key and is valid.</param>
public sealed record UserPublicKey(PublicKey Key, string? Signature, string? SignatureKeyId, bool Verified)
{
    /// <summary>As <c>UserPublicKeyData</c> JSON (what the official client takes).</summary>
    public string ToJson() => new UserPublicKeyData(Key, Signature, SignatureKeyId).ToJson();
}

/// <summary>
/// Entry point of the SDK: talks to a Coffer (sentc API v1) server with an app token. Registers and logs in users;
/// fetches public and verify keys. The password never leaves the device: only keys derived from it do.
/// </summary>
public sealed class CofferClient : IDisposable
{
    /// <summary>Users with more than this many user keys need more than one page (api.md §1.8).</summary>
    internal const int PageSize = 50;

    private readonly HttpClient http;
    private readonly bool ownsHttp;

    /// <summary>Creates a client for the server at <paramref name="baseUrl"/> (the part before <c>/api/v1</c>).</summary>
    /// <param name="baseUrl">The server, e.g. <c>https://api.example.com</c>.</param>
    /// <param name="appToken">The app's public token (or, in a backend, the secret token).</param>
    /// <param name="httpClient">An HTTP client to use; the client does not dispose it. Null creates one.</param>
    /// <param name="timeProvider">The clock that decides when a JWT is refreshed; null is the system clock.</param>
    public CofferClient(Uri baseUrl, string appToken, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentException.ThrowIfNullOrEmpty(appToken);
        ownsHttp = httpClient is null;
        http = httpClient ?? new HttpClient();
        Transport = new ApiTransport(http, baseUrl, appToken);
        Time = timeProvider ?? TimeProvider.System;
    }

    internal ApiTransport Transport { get; }

    internal TimeProvider Time { get; }

    /// <summary>True when no device of the app uses <paramref name="identifier"/> yet.</summary>
    public async Task<bool> IsIdentifierAvailableAsync(string identifier, CancellationToken cancellationToken = default)
    {
        UserExistsOutput output = await Transport.SendAsync<UserExistsOutput>(
            HttpMethod.Post, "/exists", OwnBackend.PrepareLoginStart(identifier), null, cancellationToken).ConfigureAwait(false);
        return output.Available;
    }

    /// <summary>
    /// Registers a user: creates the device keys and the user keys on this device and sends only the encrypted keys
    /// and the hash of a key derived from the password. The app option <c>user_register</c> defaults to the secret
    /// token; browsers and apps usually register through their own backend (<see cref="OwnBackend.PrepareRegister"/>).
    /// </summary>
    public async Task<RegisteredUser> RegisterAsync(string identifier, string password, CancellationToken cancellationToken = default)
    {
        string body = await Task.Run(() => OwnBackend.PrepareRegister(identifier, password), cancellationToken).ConfigureAwait(false);
        RegisterOutput output = await Transport.SendAsync<RegisterOutput>(HttpMethod.Post, "/register", body, null, cancellationToken)
            .ConfigureAwait(false);
        return new RegisteredUser(new UserId(output.UserId), new DeviceId(output.DeviceId), output.DeviceIdentifier);
    }

    /// <summary>
    /// Logs in (prepare → done → verify, crypto-std.md §15.5). Returns the logged-in user, or — when the user has TOTP
    /// enabled — a pending login to complete with a TOTP code or a recovery code.
    /// </summary>
    public async Task<LoginResult> LoginAsync(string identifier, string password, CancellationToken cancellationToken = default)
    {
        LoginPreparation preparation = await PrepareLoginAsync(identifier, password, cancellationToken).ConfigureAwait(false);
        try
        {
            DoneLoginResult done = await Transport.SendAsync<DoneLoginResult>(
                HttpMethod.Post, "/done_login", preparation.DoneLoginBody, null, cancellationToken).ConfigureAwait(false);
            switch (OwnBackend.DoneLogin(preparation, done))
            {
                case LoginStep.MfaRequired:
                    return new LoginResult.MfaRequired(new PendingMfaLogin(this, preparation));
                case LoginStep.ChallengeSolved solved:
                    preparation.Dispose();
                    return new LoginResult.LoggedIn(await VerifyAsync(solved.Challenge, cancellationToken).ConfigureAwait(false));
                default:
                    throw CofferException.FromSdk(SdkError.ResponseInvalid);
            }
        }
        catch
        {
            preparation.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Fetches the user's newest public key. With <paramref name="verify"/>, also fetches the verify key named by
    /// the signature and checks it; a missing or wrong signature is <see cref="SdkError.PublicKeyNotVerified"/>.
    /// </summary>
    public Task<UserPublicKey> FetchPublicKeyAsync(UserId userId, bool verify = false, CancellationToken cancellationToken = default) =>
        FetchPublicKeyFromAsync($"/user/{Uri.EscapeDataString(userId.Value)}/public_key", userId, verify, cancellationToken);

    /// <summary>Fetches one generation of the user's public key by its key id (see <see cref="FetchPublicKeyAsync(UserId, bool, CancellationToken)"/>).</summary>
    public Task<UserPublicKey> FetchPublicKeyAsync(UserId userId, string keyId, bool verify, CancellationToken cancellationToken = default) =>
        FetchPublicKeyFromAsync($"/user/{Uri.EscapeDataString(userId.Value)}/public_key/{Uri.EscapeDataString(keyId)}", userId, verify, cancellationToken);

    /// <summary>Fetches a verify key of a user by its key id (to check signed data or a group key signature).</summary>
    public async Task<VerifyKey> FetchVerifyKeyAsync(UserId userId, string keyId, CancellationToken cancellationToken = default)
    {
        WireVerifyKeyData data = await Transport.SendAsync<WireVerifyKeyData>(
            HttpMethod.Get, $"/user/{Uri.EscapeDataString(userId.Value)}/verify_key/{Uri.EscapeDataString(keyId)}", null, null, cancellationToken)
            .ConfigureAwait(false);
        return CofferException.Crypto(() => VerifyKey.FromWireText(SignatureAlgorithm.FromId(data.VerifyKeyAlg), data.VerifyKey, data.VerifyKeyId));
    }

    /// <summary>The group's newest public key (<c>GET /group/{id}/public_key</c>, no JWT): what invites of the group encrypt to.</summary>
    public async Task<PublicKey> FetchGroupPublicKeyAsync(GroupId groupId, CancellationToken cancellationToken = default)
    {
        WirePublicKeyData data = await Transport.SendAsync<WirePublicKeyData>(
            HttpMethod.Get, $"/group/{Uri.EscapeDataString(groupId.Value)}/public_key", null, null, cancellationToken).ConfigureAwait(false);
        return CofferException.Crypto(() => PublicKey.FromWireText(EncryptionAlgorithm.FromId(data.PublicKeyAlg), data.PublicKey, data.PublicKeyId));
    }

    /// <summary>
    /// Starts adding a new device (on the new device, without a JWT): creates its keys, protected by the device's own
    /// identifier and password. Hand the result to a logged-in device (<see cref="CofferUser.RegisterDeviceAsync"/>).
    /// </summary>
    public async Task<DeviceRegistrationStart> RegisterDeviceStartAsync(
        string deviceIdentifier, string password, CancellationToken cancellationToken = default)
    {
        string body = await Task.Run(() => OwnBackend.PrepareRegisterDeviceStart(deviceIdentifier, password), cancellationToken)
            .ConfigureAwait(false);
        UserDeviceRegisterOutput output = await Transport.SendAsync<UserDeviceRegisterOutput>(
            HttpMethod.Post, "/user/prepare_register_device", body, null, cancellationToken).ConfigureAwait(false);
        return DeviceRegistrationStart.From(output);
    }

    /// <summary>
    /// Opens a user from a login finished by the own-backend functions (<see cref="OwnBackend.VerifyLogin(LoginChallenge, string)"/>). The user
    /// takes over the keys; further user keys (beyond the first page) are fetched.
    /// </summary>
    public Task<CofferUser> OpenUserAsync(VerifiedLogin login, CancellationToken cancellationToken = default) =>
        CofferUser.OpenAsync(this, login, cancellationToken);

    /// <summary>
    /// Loads a user saved with <see cref="CofferUser.SaveAsync"/>; null when the store has no such entry. The JWT is
    /// refreshed on first use if it has expired.
    /// </summary>
    public async Task<CofferUser?> LoadUserAsync(IKeyStore store, string name = CofferUser.DefaultStoreName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        string? text = await store.GetAsync(name, cancellationToken).ConfigureAwait(false);
        return text is null ? null : CofferUser.FromStored(this, StoredUser.Parse(text));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (ownsHttp)
        {
            http.Dispose();
        }
    }

    internal async Task<LoginPreparation> PrepareLoginAsync(string identifier, string password, CancellationToken cancellationToken)
    {
        PrepareLoginSaltOutput salt = await Transport.SendAsync<PrepareLoginSaltOutput>(
            HttpMethod.Post, "/prepare_login", OwnBackend.PrepareLoginStart(identifier), null, cancellationToken).ConfigureAwait(false);
        return await Task.Run(() => OwnBackend.PrepareLogin(identifier, password, salt), cancellationToken).ConfigureAwait(false);
    }

    internal async Task<LoginChallenge> ValidateMfaAsync(
        LoginPreparation preparation, string token, bool recoveryCode, CancellationToken cancellationToken)
    {
        DoneLoginServerOutput output = await Transport.SendAsync<DoneLoginServerOutput>(
            HttpMethod.Post, recoveryCode ? "/validate_recovery_otp" : "/validate_mfa",
            OwnBackend.PrepareValidateMfa(preparation, token), null, cancellationToken).ConfigureAwait(false);
        return OwnBackend.SolveChallenge(preparation, output);
    }

    internal async Task<CofferUser> VerifyAsync(LoginChallenge challenge, CancellationToken cancellationToken)
    {
        using (challenge)
        {
            VerifyLoginOutput output = await Transport.SendAsync<VerifyLoginOutput>(
                HttpMethod.Post, "/verify_login", challenge.VerifyLoginBody, null, cancellationToken).ConfigureAwait(false);
            VerifiedLogin login = OwnBackend.VerifyLogin(challenge, output);
            return await CofferUser.OpenAsync(this, login, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A fresh JWT and the device keys as the server has them now, by a full login of this device (api.md §2.3: the
    /// SDK obtains a fresh JWT by re-running the login). Used by actions that need a fresh JWT.
    /// </summary>
    internal async Task<(string Jwt, DoneLoginServerOutput Keys, PrepareLoginSaltOutput Salt)> FreshLoginAsync(
        string identifier, string password, MfaCode? mfa, CancellationToken cancellationToken)
    {
        PrepareLoginSaltOutput salt = await Transport.SendAsync<PrepareLoginSaltOutput>(
            HttpMethod.Post, "/prepare_login", OwnBackend.PrepareLoginStart(identifier), null, cancellationToken).ConfigureAwait(false);
        using LoginPreparation preparation = await Task.Run(() => OwnBackend.PrepareLogin(identifier, password, salt), cancellationToken)
            .ConfigureAwait(false);
        DoneLoginResult done = await Transport.SendAsync<DoneLoginResult>(
            HttpMethod.Post, "/done_login", preparation.DoneLoginBody, null, cancellationToken).ConfigureAwait(false);
        DoneLoginServerOutput keys;
        switch (done)
        {
            case DoneLoginResult.Direct direct:
                keys = direct.Output;
                break;
            case DoneLoginResult.Otp when mfa is not null:
                keys = await Transport.SendAsync<DoneLoginServerOutput>(
                    HttpMethod.Post, mfa.IsRecoveryCode ? "/validate_recovery_otp" : "/validate_mfa",
                    OwnBackend.PrepareValidateMfa(preparation, mfa.Code), null, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw CofferException.FromSdk(SdkError.MfaRequired);
        }

        using LoginChallenge challenge = OwnBackend.SolveChallenge(preparation, keys);
        VerifyLoginOutput verified = await Transport.SendAsync<VerifyLoginOutput>(
            HttpMethod.Post, "/verify_login", challenge.VerifyLoginBody, null, cancellationToken).ConfigureAwait(false);
        return (verified.Jwt, keys, salt);
    }

    private async Task<UserPublicKey> FetchPublicKeyFromAsync(string path, UserId userId, bool verify, CancellationToken cancellationToken)
    {
        WirePublicKeyData data = await Transport.SendAsync<WirePublicKeyData>(HttpMethod.Get, path, null, null, cancellationToken)
            .ConfigureAwait(false);
        PublicKey key = CofferException.Crypto(() =>
            PublicKey.FromWireText(EncryptionAlgorithm.FromId(data.PublicKeyAlg), data.PublicKey, data.PublicKeyId));
        if (!verify)
        {
            return new UserPublicKey(key, data.PublicKeySig, data.PublicKeySigKeyId, Verified: false);
        }

        if (data.PublicKeySig is null || data.PublicKeySigKeyId is null)
        {
            throw CofferException.FromSdk(SdkError.PublicKeyNotVerified);
        }

        VerifyKey verifyKey = await FetchVerifyKeyAsync(userId, data.PublicKeySigKeyId, cancellationToken).ConfigureAwait(false);
        bool valid = CofferException.Crypto(() => new UserPublicKeyData(key, data.PublicKeySig, data.PublicKeySigKeyId).VerifySignature(verifyKey));
        return valid
            ? new UserPublicKey(key, data.PublicKeySig, data.PublicKeySigKeyId, Verified: true)
            : throw CofferException.FromSdk(SdkError.PublicKeyNotVerified);
    }
}

/// <summary>A second factor for actions that re-run the login: a TOTP code, or one of the recovery codes.</summary>
/// <param name="Code">The 6-digit TOTP code or the recovery code.</param>
/// <param name="IsRecoveryCode">True for a recovery code (single use).</param>
public sealed record MfaCode(string Code, bool IsRecoveryCode = false);

/// <summary>A login waiting for its second factor. Dispose it if the login is abandoned.</summary>
public sealed class PendingMfaLogin : IDisposable
{
    private readonly CofferClient client;
    private readonly LoginPreparation preparation;

    internal PendingMfaLogin(CofferClient client, LoginPreparation preparation)
    {
        this.client = client;
        this.preparation = preparation;
    }

    /// <summary>The identifier that is logging in.</summary>
    public string Identifier => preparation.Identifier;

    /// <summary>
    /// Completes the login with a TOTP code (<c>/validate_mfa</c>) or a recovery code (<c>/validate_recovery_otp</c>).
    /// A wrong code is <c>server_902</c>; the pending login stays usable for another try.
    /// </summary>
    public async Task<CofferUser> CompleteAsync(string code, bool isRecoveryCode = false, CancellationToken cancellationToken = default)
    {
        LoginChallenge challenge = await client.ValidateMfaAsync(preparation, code, isRecoveryCode, cancellationToken).ConfigureAwait(false);
        CofferUser user = await client.VerifyAsync(challenge, cancellationToken).ConfigureAwait(false);
        preparation.Dispose();
        return user;
    }

    /// <inheritdoc/>
    public void Dispose() => preparation.Dispose();
}
