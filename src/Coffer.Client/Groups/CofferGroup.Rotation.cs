using Coffer.Client.Http;
using Coffer.Crypto;
using Coffer.Protocol.Groups;

namespace Coffer.Client.Groups;

// Group key rotation (api.md §4.11 and §6, crypto-std.md §15.6): the starter makes the new key and an ephemeral key
// under the previous key; the server fans the ephemeral key out to every member's public key; each member finishes
// with its own private key and sends the new key back encrypted for itself. "The member" is whoever holds this
// group's keys here: the user, the member group (connected groups) or the parent group (child groups).
public sealed partial class CofferGroup
{
    /// <summary>How long <see cref="AwaitKeyRotationAsync"/> waits by default.</summary>
    public static readonly TimeSpan DefaultRotationTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Starts a key rotation (<c>POST /group/{id}/key_rotation</c>): a new group key, encrypted for the member's newest
    /// public key, and an ephemeral key under <see cref="NewestKey"/> that the server hands to every other member.
    /// With <paramref name="sign"/> the user's newest sign key signs the new key (members verify it when they finish).
    /// Returns the new key's id; the new key is on this group when this returns, and encrypts new data from then on.
    /// The other members get it with <see cref="FinishKeyRotationAsync"/>; <see cref="AwaitKeyRotationAsync"/> waits
    /// until the server has reached all of them. Needs the app's minimum rank for rotations; a monthly cap applies.
    /// </summary>
    public async Task<string> KeyRotationAsync(bool sign = false, CancellationToken cancellationToken = default)
    {
        KeyRotationStartServerOutput output = await SendAsync<KeyRotationStartServerOutput>(
            HttpMethod.Post, "/key_rotation", PrepareKeyRotation(sign), cancellationToken).ConfigureAwait(false);
        return await DoneKeyRotationAsync(output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The own-backend form of <see cref="KeyRotationAsync"/> ("manual key rotation"): the body of
    /// <c>POST /group/{id}/key_rotation</c>, which the app's backend sends with the user's JWT (and
    /// <c>x-sentc-group-access-id</c> when the group is reached as a member group); api.md has no secret-token
    /// variant. Read the answer with <see cref="DoneKeyRotationAsync(string, CancellationToken)"/>.
    /// </summary>
    public string PrepareKeyRotation(bool sign = false)
    {
        GroupKey previous = NewestKey;
        PublicKey invoker = ownerPublicKey();
        UserKey? signer = sign ? user.NewestUserKey : null;
        return ClientJson.Write(CofferException.Crypto(() =>
            GroupKeyMaterial.NewRotation(previous.SymmetricKey, invoker, signer?.SignKey, signer is null ? null : user.UserId.Value)));
    }

    /// <summary>Reads the answer of a rotation start (<c>{group_id, key_id}</c>), fetches the new key onto this group and returns its id.</summary>
    public Task<string> DoneKeyRotationAsync(string serverOutput, CancellationToken cancellationToken = default) =>
        DoneKeyRotationAsync(ServerAnswer.Read<KeyRotationStartServerOutput>(serverOutput), cancellationToken);

    /// <summary>
    /// Finishes every key rotation that waits for this member (<c>GET /group/{id}/key_rotation</c>, oldest first):
    /// opens the ephemeral key with the member's private key and the previous group key, sends the new key back
    /// encrypted for the member's newest public key (<c>PUT …/key_rotation/{key_id}</c>) and fetches it onto this group.
    /// A rotation encrypted for a user key this device does not have yet (the user rotated the user keys on another
    /// device) first finishes the user-key rotation on this device. With <paramref name="verify"/> (the default) a
    /// signed new key is checked against the signer's verify key; a signature that does not hold fails with
    /// <c>client_31</c> (<see cref="CofferException.IsVerificationFailure"/>) and the key is not added. The server only
    /// hands the signature out with the member's copy, so the check runs right after the member's answer.
    /// Returns the ids of the new keys, oldest first.
    /// </summary>
    /// <exception cref="CofferException"><see cref="SdkError.GroupKeyRequired"/> when a rotation's previous key cannot
    /// be obtained; <see cref="SdkError.KeyRotationFailed"/> when the server could not encrypt a rotation for this member
    /// (the other rotations are finished first).</exception>
    public async Task<IReadOnlyList<string>> FinishKeyRotationAsync(bool verify = true, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<KeyRotationInput> pending = await SendAsync<IReadOnlyList<KeyRotationInput>>(
            HttpMethod.Get, "/key_rotation", null, cancellationToken).ConfigureAwait(false);
        return await PendingRotations.FinishAllAsync<GroupKey>(
            pending,
            previous => FindOrFetchKeyAsync(previous, cancellationToken),
            (rotation, previous) => FinishOneAsync(rotation, previous, verify, cancellationToken),
            previous => CofferException.KeyRequired(previous)).ConfigureAwait(false);
    }

    /// <summary>
    /// The server's fan-out state of a rotation of this group (Coffer's own <c>GET /api/coffer/v1/group/{id}/key_rotation/{key_id}/progress</c>):
    /// members to reach, members reached, started, finished.
    /// </summary>
    public Task<KeyRotationProgress> GetKeyRotationProgressAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        return user.SendExtensionAsync<KeyRotationProgress>(
            HttpMethod.Get, $"/group/{Esc(GroupId.Value)}/key_rotation/{Esc(keyId)}/progress", null, cancellationToken, accessGroup?.GroupId.Value);
    }

    /// <summary>
    /// Polls <see cref="GetKeyRotationProgressAsync"/> until the server has reached every member (then every member can
    /// finish the rotation), at most <paramref name="timeout"/> (default <see cref="DefaultRotationTimeout"/>), else
    /// <see cref="SdkError.KeyRotationTimeout"/>; the fan-out itself goes on on the server either way.
    /// </summary>
    public Task<KeyRotationProgress> AwaitKeyRotationAsync(string keyId, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        KeyRotationPolling.AwaitAsync(
            ct => GetKeyRotationProgressAsync(keyId, ct), timeout ?? DefaultRotationTimeout, user.Client.Time, cancellationToken);

    private async Task<string> DoneKeyRotationAsync(KeyRotationStartServerOutput output, CancellationToken cancellationToken)
    {
        if (output.GroupId != GroupId.Value)
        {
            throw CofferException.FromSdk(SdkError.ResponseInvalid);
        }

        return (await GetKeyAsync(output.KeyId, cancellationToken).ConfigureAwait(false)).KeyId;
    }

    private async Task FinishOneAsync(KeyRotationInput rotation, GroupKey previous, bool verify, CancellationToken cancellationToken)
    {
        PrivateKey memberKey = await decryptor(rotation.EncryptedEphKeyKeyId, cancellationToken).ConfigureAwait(false);
        PublicKey own = ownerPublicKey();
        using SymmetricKey newKey = CofferException.Crypto(() => GroupKeyMaterial.OpenRotation(rotation, memberKey, previous.SymmetricKey));
        string body = ClientJson.Write(CofferException.Crypto(() => GroupKeyMaterial.DoneRotation(newKey, own)));
        await SendAsync<string>(HttpMethod.Put, $"/key_rotation/{Esc(rotation.NewGroupKeyId)}", body, cancellationToken).ConfigureAwait(false);
        if (FindKey(rotation.NewGroupKeyId) is null)
        {
            // The member's copy, as the server now hands it out: it carries the signature, and must hold the key the rotation gave.
            GroupKeyServerOutput key = await SendAsync<GroupKeyServerOutput>(
                HttpMethod.Get, $"/key/{Esc(rotation.NewGroupKeyId)}", null, cancellationToken).ConfigureAwait(false);
            await AddServerKeyAsync(key, verify, newKey, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A key of this group from this device or the server; null when the server has none for this member.</summary>
    private async Task<GroupKey?> FindOrFetchKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        try
        {
            return await GetKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        }
        catch (CofferException error) when (error.SdkError == SdkError.GroupKeyRequired)
        {
            return null;
        }
    }
}

/// <summary>Waits for a rotation's fan-out: polls its progress with a growing interval, bounded by a timeout.</summary>
internal static class KeyRotationPolling
{
    private static readonly TimeSpan FirstInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(2);

    public static async Task<KeyRotationProgress> AwaitAsync(
        Func<CancellationToken, Task<KeyRotationProgress>> poll, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        long start = time.GetTimestamp();
        TimeSpan interval = FirstInterval;
        while (true)
        {
            KeyRotationProgress progress = await poll(cancellationToken).ConfigureAwait(false);
            if (progress.Status == KeyRotationProgress.FinishedStatus)
            {
                return progress;
            }

            TimeSpan left = timeout - time.GetElapsedTime(start);
            if (left <= TimeSpan.Zero)
            {
                throw CofferException.FromSdk(SdkError.KeyRotationTimeout);
            }

            // Whole milliseconds, rounded up: a sub-millisecond wait is a Task.Delay of 0 that completes at once, and the
            // loop would poll in a burst until the deadline passed.
            TimeSpan wait = interval < left ? interval : left;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), time, cancellationToken).ConfigureAwait(false);
            interval = interval * 2 < MaxInterval ? interval * 2 : MaxInterval;
        }
    }
}
