using Coffer.Client.Groups;
using Coffer.Client.Http;
using Coffer.Crypto;
using Coffer.Protocol;
using Coffer.Protocol.Groups;

namespace Coffer.Client;

// User-key rotation (api.md §4.3, crypto-std.md §15.6 "user-group rotation"): a rotation of the user group, started on
// one device for its device key; the server fans the ephemeral key out to the user's other devices, which finish it
// with their device keys. Groups whose rotations are encrypted for a user key this device lacks finish it first.
public sealed partial class CofferUser
{
    private readonly SemaphoreSlim userRotationLock = new(1, 1);

    /// <summary>
    /// Rotates the user's keys (<c>POST /user/user_keys/rotation</c>): a new user key generation (encryption pair, sign
    /// pair, signature over the new public key), encrypted for this device. Returns the new user key id; the new key is
    /// on this device and is the user's public key from then on. The other devices get it with
    /// <see cref="FinishUserKeyRotationAsync"/> (or on their own when they meet a group rotation that needs it).
    /// </summary>
    public async Task<string> RotateUserKeysAsync(CancellationToken cancellationToken = default)
    {
        KeyRotationStartServerOutput output = await SendAsync<KeyRotationStartServerOutput>(
            HttpMethod.Post, "/user/user_keys/rotation", PrepareUserKeyRotation(), cancellationToken).ConfigureAwait(false);
        return await DoneUserKeyRotationAsync(output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The own-backend form of <see cref="RotateUserKeysAsync"/>: the body of <c>POST /user/user_keys/rotation</c> (sent with this device's JWT).</summary>
    public string PrepareUserKeyRotation()
    {
        SymmetricKey previous = NewestUserKey.GroupKey;
        return ClientJson.Write(CofferException.Crypto(() => GroupKeyMaterial.NewRotation(previous, DeviceKeys.PublicKey, userGroup: true)));
    }

    /// <summary>Reads the answer of <c>POST /user/user_keys/rotation</c>, fetches the new user key onto this device and returns its id.</summary>
    public Task<string> DoneUserKeyRotationAsync(string serverOutput, CancellationToken cancellationToken = default) =>
        DoneUserKeyRotationAsync(ServerAnswer.Read<KeyRotationStartServerOutput>(serverOutput), cancellationToken);

    /// <summary>
    /// Finishes every user-key rotation started on another device and still waiting for this one
    /// (<c>GET /user/user_keys/rotation</c>, oldest first): opens the new user key with the device private key and the
    /// previous user key, answers <c>PUT /user/user_keys/rotation/{key_id}</c> and fetches the new user key onto this
    /// device. Returns the new user key ids, oldest first.
    /// </summary>
    public async Task<IReadOnlyList<string>> FinishUserKeyRotationAsync(CancellationToken cancellationToken = default)
    {
        await userRotationLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            IReadOnlyList<KeyRotationInput> pending = await SendAsync<IReadOnlyList<KeyRotationInput>>(
                HttpMethod.Get, "/user/user_keys/rotation", null, cancellationToken).ConfigureAwait(false);
            var finished = new List<string>();
            string? failed = null;
            List<KeyRotationInput> open = [.. pending];
            for (int round = 0; round < 10 && open.Count > 0; round++)
            {
                var waiting = new List<KeyRotationInput>();
                foreach (KeyRotationInput rotation in open)
                {
                    if (rotation.Error is not null)
                    {
                        failed ??= rotation.NewGroupKeyId;
                        continue;
                    }

                    UserKey? previous = await FindOrFetchUserKeyAsync(rotation.PreviousGroupKeyId, cancellationToken).ConfigureAwait(false);
                    if (previous is null)
                    {
                        waiting.Add(rotation);
                        continue;
                    }

                    await FinishUserRotationAsync(rotation, previous, cancellationToken).ConfigureAwait(false);
                    finished.Add(rotation.NewGroupKeyId);
                }

                if (waiting.Count == open.Count)
                {
                    break; // no progress: the previous keys are missing for good
                }

                open = waiting;
            }

            if (open.Find(r => r.Error is null) is { } stuck)
            {
                throw CofferException.FromSdk(SdkError.UserKeyNotFound, inner: CofferException.KeyRequired(stuck.PreviousGroupKeyId));
            }

            return failed is null ? finished : throw CofferException.RotationFailed(failed);
        }
        finally
        {
            userRotationLock.Release();
        }
    }

    /// <summary>The server's fan-out state of a user-key rotation (Coffer's own <c>GET /api/coffer/v1/user/user_keys/rotation/{key_id}/progress</c>).</summary>
    public Task<KeyRotationProgress> GetUserKeyRotationProgressAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        return SendExtensionAsync<KeyRotationProgress>(
            HttpMethod.Get, $"/user/user_keys/rotation/{Uri.EscapeDataString(keyId)}/progress", null, cancellationToken);
    }

    /// <summary>
    /// Polls <see cref="GetUserKeyRotationProgressAsync"/> until every other device has been reached, at most
    /// <paramref name="timeout"/> (default <see cref="CofferGroup.DefaultRotationTimeout"/>), else <see cref="SdkError.KeyRotationTimeout"/>.
    /// </summary>
    public Task<KeyRotationProgress> AwaitUserKeyRotationAsync(string keyId, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        KeyRotationPolling.AwaitAsync(
            ct => GetUserKeyRotationProgressAsync(keyId, ct), timeout ?? CofferGroup.DefaultRotationTimeout, client.Time, cancellationToken);

    /// <summary>
    /// The user private key with this key pair id (group keys of the user's groups are encrypted for it): from this
    /// device, else fetched; when the server has no copy for this device yet (the user rotated the keys on another
    /// device), the pending user-key rotations are finished first.
    /// </summary>
    internal async Task<PrivateKey> GetPrivateKeyAsync(string keyPairId, CancellationToken cancellationToken)
    {
        if (FindUserKey(keyPairId) is { } known)
        {
            return known.PrivateKey;
        }

        try
        {
            return (await GetUserKeyAsync(keyPairId, cancellationToken).ConfigureAwait(false)).PrivateKey;
        }
        catch (CofferException missing) when (missing.Is(ProtocolError.GroupKeyNotFound))
        {
            await FinishUserKeyRotationAsync(cancellationToken).ConfigureAwait(false);
            return FindUserKey(keyPairId)?.PrivateKey ?? throw CofferException.FromSdk(SdkError.UserKeyNotFound, inner: missing);
        }
    }

    private async Task<string> DoneUserKeyRotationAsync(KeyRotationStartServerOutput output, CancellationToken cancellationToken)
    {
        if (output.GroupId != UserGroupId.Value)
        {
            throw CofferException.FromSdk(SdkError.ResponseInvalid);
        }

        return (await GetUserKeyAsync(output.KeyId, cancellationToken).ConfigureAwait(false)).GroupKeyId;
    }

    /// <summary>One pending user-key rotation: it is encrypted for this device's key (the server names the device id).</summary>
    private async Task FinishUserRotationAsync(KeyRotationInput rotation, UserKey previous, CancellationToken cancellationToken)
    {
        if (rotation.EncryptedEphKeyKeyId != DeviceKeys.PrivateKey.KeyId)
        {
            throw CofferException.FromSdk(SdkError.UserKeyNotFound);
        }

        string body;
        using (SymmetricKey newKey = CofferException.Crypto(() => GroupKeyMaterial.OpenRotation(rotation, DeviceKeys.PrivateKey, previous.GroupKey)))
        {
            body = ClientJson.Write(CofferException.Crypto(() => GroupKeyMaterial.DoneRotation(newKey, DeviceKeys.PublicKey)));
        }

        await SendAsync<string>(HttpMethod.Put, $"/user/user_keys/rotation/{Uri.EscapeDataString(rotation.NewGroupKeyId)}", body, cancellationToken)
            .ConfigureAwait(false);
        await GetUserKeyAsync(rotation.NewGroupKeyId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<UserKey?> FindOrFetchUserKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        try
        {
            return await GetUserKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        }
        catch (CofferException missing) when (missing.Is(ProtocolError.GroupKeyNotFound))
        {
            return null;
        }
    }
}
