using Coffer.Client.Http;
using Coffer.Client.Storage;
using Coffer.Crypto;
using Coffer.Crypto.Sentc;
using Coffer.Protocol.Groups;
using Coffer.Protocol.Users;

namespace Coffer.Client;

/// <summary>One device of the user, as listed by the server.</summary>
/// <param name="DeviceId">The device id.</param>
/// <param name="Time">When the device was registered, milliseconds since the Unix epoch.</param>
/// <param name="HashedIdentifier">The device's identifier as the server stores it (base64 of its SHA-256).</param>
public sealed record DeviceInfo(DeviceId DeviceId, long Time, string HashedIdentifier);

/// <summary>An invitation of the user into a group.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="Time">When the invite was made, milliseconds since the Unix epoch.</param>
public sealed record GroupInvite(GroupId GroupId, long Time);

/// <summary>A new TOTP secret and its recovery codes (shown once; the user stores them safely).</summary>
/// <param name="Secret">The TOTP secret, base32 without padding.</param>
/// <param name="Algorithm">The TOTP algorithm id (<c>totp_sha256</c>: HMAC-SHA256, 6 digits, 30 s).</param>
/// <param name="RecoveryCodes">Single-use codes that replace a TOTP code at login.</param>
public sealed record OtpRegistration(string Secret, string Algorithm, IReadOnlyList<string> RecoveryCodes)
{
    /// <summary>The <c>otpauth://</c> URI for authenticator apps (usually shown as a QR code).</summary>
    public string GetAuthenticatorUri(string issuer, string accountName)
    {
        string label = Uri.EscapeDataString(issuer) + ":" + Uri.EscapeDataString(accountName);
        return $"otpauth://totp/{label}?secret={Secret}&algorithm=SHA256&digits=6&period=30&issuer={Uri.EscapeDataString(issuer)}";
    }
}

/// <summary>
/// A logged-in user on this device: ids, the device keys, every user key this device can read (newest first) and a
/// JWT that refreshes itself. Actions the server only allows with a fresh JWT (delete user or device, change
/// password, MFA settings) take the password and re-run the login. Dispose to zero the keys.
/// </summary>
public sealed partial class CofferUser : IDisposable
{
    /// <summary>The store entry name <see cref="SaveAsync"/> and <see cref="CofferClient.LoadUserAsync"/> use by default.</summary>
    public const string DefaultStoreName = "user";

    /// <summary>The JWT is refreshed when it expires within this time (api.md §2.3).</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromSeconds(30);

    private readonly CofferClient client;
    private readonly SemaphoreSlim tokenLock = new(1, 1);
    private readonly Lock keysLock = new();
    private List<UserKey> userKeys;
    private readonly IReadOnlyList<GroupHmacData> hmacKeys;
    private string jwt;
    private long jwtExpiresAt;

    private CofferUser(
        CofferClient client, string identifier, UserId userId, DeviceId deviceId, GroupId userGroupId, DeviceKeys deviceKeys,
        List<UserKey> userKeys, IReadOnlyList<GroupHmacData> hmacKeys, string jwt, string refreshToken)
    {
        this.client = client;
        Identifier = identifier;
        UserId = userId;
        DeviceId = deviceId;
        UserGroupId = userGroupId;
        DeviceKeys = deviceKeys;
        this.userKeys = userKeys;
        this.hmacKeys = hmacKeys;
        this.jwt = jwt;
        jwtExpiresAt = JwtClaims.Read(jwt).ExpiresAt;
        RefreshToken = refreshToken;
    }

    /// <summary>The user id.</summary>
    public UserId UserId { get; }

    /// <summary>This device's id.</summary>
    public DeviceId DeviceId { get; }

    /// <summary>The id of the user group, whose keys are the user keys.</summary>
    public GroupId UserGroupId { get; }

    /// <summary>This device's identifier (user name); each device has its own.</summary>
    public string Identifier { get; private set; }

    /// <summary>This device's key pairs.</summary>
    public DeviceKeys DeviceKeys { get; }

    /// <summary>The user keys this device has, newest first.</summary>
    public IReadOnlyList<UserKey> UserKeys
    {
        get
        {
            lock (keysLock)
            {
                return [.. userKeys];
            }
        }
    }

    /// <summary>The newest user key: new data is encrypted and signed with it; its public key is the user's public key.</summary>
    public UserKey NewestUserKey => UserKeys[0];

    /// <summary>The user group's HMAC keys as the server sent them (encrypted with the user key they name).</summary>
    public IReadOnlyList<GroupHmacData> HmacKeys => hmacKeys;

    /// <summary>The current JWT (possibly expired; <see cref="GetJwtAsync"/> returns a valid one).</summary>
    public string Jwt => jwt;

    /// <summary>This device's refresh token.</summary>
    public string RefreshToken { get; private set; }

    /// <summary>A JWT valid for at least <see cref="RefreshMargin"/>: refreshed with <c>PUT /refresh</c> when needed.</summary>
    public async Task<string> GetJwtAsync(CancellationToken cancellationToken = default)
    {
        if (!NeedsRefresh())
        {
            return jwt;
        }

        await tokenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (NeedsRefresh())
            {
                await RefreshLockedAsync(cancellationToken).ConfigureAwait(false);
            }

            return jwt;
        }
        finally
        {
            tokenLock.Release();
        }
    }

    /// <summary>Gets a new JWT with the refresh token now (<c>PUT /refresh</c>), whether or not the current one expires soon.</summary>
    public async Task RefreshJwtAsync(CancellationToken cancellationToken = default)
    {
        await tokenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RefreshLockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            tokenLock.Release();
        }
    }

    /// <summary>
    /// Starts a session of a stored user (<c>POST /init</c>): a new JWT from the refresh token and the first page of
    /// the user's group invites.
    /// </summary>
    public async Task<IReadOnlyList<GroupInvite>> InitAsync(CancellationToken cancellationToken = default)
    {
        await tokenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            InitOutput output = await client.Transport.SendAsync<InitOutput>(
                HttpMethod.Post, "/init", ClientJson.Write(new JwtRefreshInput(RefreshToken)), jwt, cancellationToken).ConfigureAwait(false);
            SetJwt(output.Jwt);
            return [.. output.Invites.Select(i => new GroupInvite(new GroupId(i.GroupId), i.Time))];
        }
        finally
        {
            tokenLock.Release();
        }
    }

    /// <summary>One page (50) of the user's devices, oldest first; pass the last device of a page to get the next page.</summary>
    public async Task<IReadOnlyList<DeviceInfo>> GetDevicesAsync(DeviceInfo? after = null, CancellationToken cancellationToken = default)
    {
        string path = after is null ? "/user/device/0/none" : $"/user/device/{after.Time}/{Uri.EscapeDataString(after.DeviceId.Value)}";
        IReadOnlyList<DeviceListItem> devices = await SendAsync<IReadOnlyList<DeviceListItem>>(HttpMethod.Get, path, null, cancellationToken)
            .ConfigureAwait(false);
        return [.. devices.Select(d => new DeviceInfo(new DeviceId(d.DeviceId), d.Time, d.DeviceIdentifier))];
    }

    /// <summary>Deletes a device of the user (any, including this one; not the last). Needs a fresh JWT: re-runs the login with the password.</summary>
    public async Task DeleteDeviceAsync(DeviceId deviceId, string password, MfaCode? mfa = null, CancellationToken cancellationToken = default)
    {
        string fresh = await FreshJwtAsync(password, mfa, cancellationToken).ConfigureAwait(false);
        await client.Transport.SendAsync<string>(HttpMethod.Delete, $"/user/device/{Uri.EscapeDataString(deviceId.Value)}", null, fresh, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Adds a new device (the existing-device side): encrypts every user key for the new device's public key and
    /// sends them with the device's token; more than 50 keys go in pages through the key session. Returns the key
    /// session id, or null when all keys fit in one request.
    /// </summary>
    public async Task<string?> RegisterDeviceAsync(DeviceRegistrationStart newDevice, CancellationToken cancellationToken = default)
    {
        (string body, IReadOnlyList<string> sessionPages) = PrepareRegisterDevice(newDevice);
        KeySessionOutput output = await SendAsync<KeySessionOutput>(HttpMethod.Put, "/user/done_register_device", body, cancellationToken)
            .ConfigureAwait(false);
        if (sessionPages.Count > 0)
        {
            string session = output.SessionId ?? throw CofferException.FromSdk(SdkError.ResponseInvalid);
            foreach (string page in sessionPages)
            {
                await SendAsync<string>(HttpMethod.Put, $"/user/user_keys/session/{Uri.EscapeDataString(session)}", page, cancellationToken)
                    .ConfigureAwait(false);
            }
        }

        return output.SessionId;
    }

    /// <summary>
    /// The own-backend form of <see cref="RegisterDeviceAsync"/>: the body of <c>PUT /user/done_register_device</c>
    /// (first 50 keys, <c>key_session</c> set when there are more) and the bodies of
    /// <c>PUT /user/user_keys/session/{session_id}</c> for the rest, 50 keys each.
    /// </summary>
    public (string Body, IReadOnlyList<string> SessionPages) PrepareRegisterDevice(DeviceRegistrationStart newDevice)
    {
        ArgumentNullException.ThrowIfNull(newDevice);
        List<GroupKeysForNewMember> keys = CofferException.Crypto(() => UserKeyMaterial.KeysForNewDevice(UserKeys, newDevice.PublicKey));
        bool session = keys.Count > CofferClient.PageSize;
        string body = ClientJson.Write(new DoneRegisterDeviceBody(
            new NewMemberKeys([.. keys.Take(CofferClient.PageSize)], Rank: null, KeySession: session),
            newDevice.Token));
        List<string> pages = [.. keys.Skip(CofferClient.PageSize).Chunk(CofferClient.PageSize)
            .Select(chunk => ClientJson.Write<IReadOnlyList<GroupKeysForNewMember>>(chunk))];
        return (body, pages);
    }

    /// <summary>Checks the answer of <c>PUT /user/done_register_device</c>; returns the key session id, if any.</summary>
    public static string? DoneRegisterDevice(string serverOutput) => ServerAnswer.Read<KeySessionOutput>(serverOutput).SessionId;

    /// <summary>
    /// Changes this device's password: the master key stays, only its wrapping changes. Re-runs the login with the
    /// old password (a fresh JWT is required); pass <paramref name="mfa"/> when the user has TOTP enabled.
    /// </summary>
    public async Task ChangePasswordAsync(string oldPassword, string newPassword, MfaCode? mfa = null, CancellationToken cancellationToken = default)
    {
        (string fresh, DoneLoginServerOutput keys, PrepareLoginSaltOutput salt) =
            await FreshLoginAsync(oldPassword, mfa, cancellationToken).ConfigureAwait(false);
        string body = await Task.Run(
            () => ClientJson.Write(CofferException.Crypto(() =>
                UserKeyMaterial.ChangePassword(oldPassword, newPassword, salt, keys.DeviceKeys.EncryptedMasterKey))),
            cancellationToken).ConfigureAwait(false);
        await client.Transport.SendAsync<string>(HttpMethod.Put, "/user/update_pw", body, fresh, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sets a new password without the old one (the user forgot it but this device is still logged in): a new master
    /// key re-wraps this device's key pairs. Other devices keep their own passwords.
    /// </summary>
    public async Task ResetPasswordAsync(string newPassword, CancellationToken cancellationToken = default)
    {
        string body = await Task.Run(() => PrepareResetPassword(newPassword), cancellationToken).ConfigureAwait(false);
        await SendAsync<string>(HttpMethod.Put, "/user/reset_pw", body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The own-backend form of <see cref="ResetPasswordAsync"/>: the body of <c>PUT /user/reset_pw</c>.</summary>
    public string PrepareResetPassword(string newPassword) =>
        ClientJson.Write(CofferException.Crypto(() => UserKeyMaterial.ResetPassword(newPassword, DeviceKeys)));

    /// <summary>Changes this device's identifier (user name); <c>server_101</c> when it is taken.</summary>
    public async Task UpdateIdentifierAsync(string newIdentifier, CancellationToken cancellationToken = default)
    {
        await SendAsync<string>(HttpMethod.Put, "/user", OwnBackend.PrepareUpdateIdentifier(newIdentifier), cancellationToken).ConfigureAwait(false);
        Identifier = newIdentifier;
    }

    /// <summary>
    /// Deletes the user with all devices and keys. Needs a fresh JWT (re-runs the login) and, by default, the secret
    /// app token — so usually called from the app's backend.
    /// </summary>
    public async Task DeleteAsync(string password, MfaCode? mfa = null, CancellationToken cancellationToken = default)
    {
        string fresh = await FreshJwtAsync(password, mfa, cancellationToken).ConfigureAwait(false);
        await client.Transport.SendAsync<string>(HttpMethod.Delete, "/user", null, fresh, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Enables TOTP: returns the secret and the recovery codes. Re-runs the login (fresh JWT).</summary>
    public async Task<OtpRegistration> RegisterOtpAsync(string password, MfaCode? mfa = null, CancellationToken cancellationToken = default)
    {
        string fresh = await FreshJwtAsync(password, mfa, cancellationToken).ConfigureAwait(false);
        OtpRegister output = await client.Transport.SendAsync<OtpRegister>(HttpMethod.Patch, "/user/register_otp", null, fresh, cancellationToken)
            .ConfigureAwait(false);
        return new OtpRegistration(output.Secret, output.Alg, output.Recover);
    }

    /// <summary>Replaces the TOTP secret and the recovery codes. Re-runs the login, which needs a current TOTP or recovery code.</summary>
    public async Task<OtpRegistration> ResetOtpAsync(string password, MfaCode mfa, CancellationToken cancellationToken = default)
    {
        string fresh = await FreshJwtAsync(password, mfa, cancellationToken).ConfigureAwait(false);
        OtpRegister output = await client.Transport.SendAsync<OtpRegister>(HttpMethod.Patch, "/user/reset_otp", null, fresh, cancellationToken)
            .ConfigureAwait(false);
        return new OtpRegistration(output.Secret, output.Alg, output.Recover);
    }

    /// <summary>Disables TOTP. Re-runs the login, which needs a current TOTP or recovery code.</summary>
    public async Task DisableOtpAsync(string password, MfaCode mfa, CancellationToken cancellationToken = default)
    {
        string fresh = await FreshJwtAsync(password, mfa, cancellationToken).ConfigureAwait(false);
        await client.Transport.SendAsync<string>(HttpMethod.Patch, "/user/disable_otp", null, fresh, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The recovery codes not used yet. Re-runs the login, which needs a current TOTP or recovery code.</summary>
    public async Task<IReadOnlyList<string>> GetOtpRecoveryKeysAsync(string password, MfaCode mfa, CancellationToken cancellationToken = default)
    {
        string fresh = await FreshJwtAsync(password, mfa, cancellationToken).ConfigureAwait(false);
        OtpRecoveryKeysOutput output = await client.Transport.SendAsync<OtpRecoveryKeysOutput>(
            HttpMethod.Get, "/user/otp_recovery_keys", null, fresh, cancellationToken).ConfigureAwait(false);
        return output.Keys;
    }

    /// <summary>This user's safety number (from the newest user verify key and the user id, crypto-std.md §13).</summary>
    public string CreateSafetyNumber() => SafetyNumber.Compute(NewestUserKey.VerifyKey, UserId.Value);

    /// <summary>The safety number of this user and another: the same on both sides; compare it out of band.</summary>
    public string CreateSafetyNumber(VerifyKey otherUserVerifyKey, UserId otherUserId) =>
        SafetyNumber.Compute(NewestUserKey.VerifyKey, UserId.Value, otherUserVerifyKey, otherUserId.Value);

    /// <summary>
    /// A user key by id: from this device, or fetched from the server (<c>GET /user/user_keys/key/{id}</c>) and
    /// decrypted with the device private key. <c>server_304</c> when the server has no such key for this device.
    /// </summary>
    public async Task<UserKey> GetUserKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        if (FindUserKey(keyId) is { } known)
        {
            return known;
        }

        GroupKeyServerOutput key = await SendAsync<GroupKeyServerOutput>(
            HttpMethod.Get, $"/user/user_keys/key/{Uri.EscapeDataString(keyId)}", null, cancellationToken).ConfigureAwait(false);
        AddUserKeys(OwnBackend.DecryptUserKeys([key], DeviceKeys));
        return FindUserKey(key.GroupKeyId) ?? throw CofferException.FromSdk(SdkError.UserKeyNotFound);
    }

    /// <summary>The user key with this id if this device has it, else null.</summary>
    public UserKey? FindUserKey(string keyId)
    {
        lock (keysLock)
        {
            return userKeys.Find(k => k.GroupKeyId == keyId);
        }
    }

    /// <summary>
    /// Saves the user (ids, tokens, device keys, user keys) in a key store, so that <see cref="CofferClient.LoadUserAsync"/>
    /// can restore it without the password. Use an <see cref="EncryptedFileKeyStore"/> on disk.
    /// </summary>
    public async Task SaveAsync(IKeyStore store, string name = DefaultStoreName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var stored = new StoredUser(
            StoredUser.CurrentVersion, Identifier, UserId.Value, DeviceId.Value, UserGroupId.Value, jwt, RefreshToken,
            StoredDeviceKeys.From(DeviceKeys), [.. UserKeys.Select(StoredUserKey.From)], hmacKeys);
        await store.SetAsync(name, stored.ToJson(), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        DeviceKeys.Dispose();
        lock (keysLock)
        {
            userKeys.ForEach(k => k.Dispose());
            userKeys = [];
        }

        tokenLock.Dispose();
        userRotationLock.Dispose();
    }

    internal static async Task<CofferUser> OpenAsync(CofferClient client, VerifiedLogin login, CancellationToken cancellationToken)
    {
        login.Handed = true;
        var user = new CofferUser(
            client, login.Identifier, login.UserId, login.DeviceId, login.UserGroupId, login.DeviceKeys,
            [.. login.UserKeys], login.HmacKeys, login.Jwt, login.RefreshToken);
        try
        {
            if (login.UserKeys.Count >= CofferClient.PageSize)
            {
                await user.FetchRemainingUserKeysAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            user.Dispose();
            throw;
        }

        return user;
    }

    internal static CofferUser FromStored(CofferClient client, StoredUser stored)
    {
        DeviceKeys device = stored.Device.Import();
        var keys = new List<UserKey>();
        try
        {
            foreach (StoredUserKey key in stored.UserKeys)
            {
                keys.Add(key.Import());
            }

            return new CofferUser(
                client, stored.Identifier, new UserId(stored.UserId), new DeviceId(stored.DeviceId), new GroupId(stored.UserGroupId), device,
                [.. keys.OrderByDescending(k => k.Time)], stored.HmacKeys, stored.Jwt, stored.RefreshToken);
        }
        catch
        {
            device.Dispose();
            keys.ForEach(k => k.Dispose());
            throw;
        }
    }

    /// <summary>Sends a request with a valid (refreshed if needed) JWT; <paramref name="groupAccessId"/> acts as that member group.</summary>
    internal async Task<T> SendAsync<T>(
        HttpMethod method, string path, string? body, CancellationToken cancellationToken, string? groupAccessId = null)
    {
        string token = await GetJwtAsync(cancellationToken).ConfigureAwait(false);
        return await client.Transport.SendAsync<T>(method, path, body, token, cancellationToken, groupAccessId).ConfigureAwait(false);
    }

    /// <summary>Like <see cref="SendAsync{T}"/>, to one of Coffer's own endpoints (<c>/api/coffer/v1</c>).</summary>
    internal async Task<T> SendExtensionAsync<T>(
        HttpMethod method, string path, string? body, CancellationToken cancellationToken, string? groupAccessId = null)
    {
        string token = await GetJwtAsync(cancellationToken).ConfigureAwait(false);
        return await client.Transport.SendExtensionAsync<T>(method, path, body, token, cancellationToken, groupAccessId).ConfigureAwait(false);
    }

    private bool NeedsRefresh() =>
        jwtExpiresAt <= client.Time.GetUtcNow().Add(RefreshMargin).ToUnixTimeSeconds();

    private async Task RefreshLockedAsync(CancellationToken cancellationToken)
    {
        RefreshOutput output = await client.Transport.SendAsync<RefreshOutput>(
            HttpMethod.Put, "/refresh", ClientJson.Write(new JwtRefreshInput(RefreshToken)), jwt, cancellationToken).ConfigureAwait(false);
        SetJwt(output.Jwt);
    }

    private void SetJwt(string token)
    {
        jwtExpiresAt = JwtClaims.Read(token).ExpiresAt;
        jwt = token;
    }

    private async Task<string> FreshJwtAsync(string password, MfaCode? mfa, CancellationToken cancellationToken) =>
        (await FreshLoginAsync(password, mfa, cancellationToken).ConfigureAwait(false)).Jwt;

    /// <summary>Re-runs the login of this device; the fresh JWT also becomes the current one.</summary>
    private async Task<(string Jwt, DoneLoginServerOutput Keys, PrepareLoginSaltOutput Salt)> FreshLoginAsync(
        string password, MfaCode? mfa, CancellationToken cancellationToken)
    {
        (string fresh, DoneLoginServerOutput keys, PrepareLoginSaltOutput salt) =
            await client.FreshLoginAsync(Identifier, password, mfa, cancellationToken).ConfigureAwait(false);
        await tokenLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SetJwt(fresh);
        }
        finally
        {
            tokenLock.Release();
        }

        return (fresh, keys, salt);
    }

    /// <summary>Loads the user keys beyond the first page (<c>GET /user/user_keys/keys/{time}/{id}</c>, newest first).</summary>
    private async Task FetchRemainingUserKeysAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            UserKey last = UserKeys[^1];
            IReadOnlyList<GroupKeyServerOutput> page = await SendAsync<IReadOnlyList<GroupKeyServerOutput>>(
                HttpMethod.Get, $"/user/user_keys/keys/{last.Time}/{Uri.EscapeDataString(last.GroupKeyId)}", null, cancellationToken)
                .ConfigureAwait(false);
            AddUserKeys(OwnBackend.DecryptUserKeys(page.Where(k => FindUserKey(k.GroupKeyId) is null), DeviceKeys));
            if (page.Count < CofferClient.PageSize)
            {
                return;
            }
        }
    }

    private void AddUserKeys(List<UserKey> keys)
    {
        lock (keysLock)
        {
            foreach (UserKey key in keys)
            {
                if (userKeys.Exists(k => k.GroupKeyId == key.GroupKeyId))
                {
                    key.Dispose();
                }
                else
                {
                    userKeys.Add(key);
                }
            }

            userKeys = [.. userKeys.OrderByDescending(k => k.Time)];
        }
    }
}
