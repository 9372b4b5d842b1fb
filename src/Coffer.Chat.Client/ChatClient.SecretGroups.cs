using System.Text.Json.Nodes;
using Coffer.Client;
using Coffer.Client.Groups;
using Coffer.Protocol;

namespace Coffer.Chat.Client;

// Secret groups are Coffer platform groups: every member holds the group keys encrypted for their own public key, so
// the chat server stores ciphertext only. Message contents are the SDK's group ciphertext (the key id sits in its head,
// so old messages stay readable after rotations). Key rotation is the SDK's (signed by the rotating admin).
public sealed partial class ChatClient
{
    /// <summary>How often a member re-checks for its copy of a new key that the server is still fanning out.</summary>
    private const int RotationPolls = 50;
    private static readonly TimeSpan RotationPollDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// An admin's client for a secret group: hands the group keys to every chat member who asked the platform group to
    /// let them in (their join requests are accepted with the keys encrypted for their public key; requests of users
    /// who are not chat members are rejected), and rotates the key when a member left or was removed since the last
    /// rotation. Call it when a <see cref="ChatEventKind.GroupKeysNeeded"/> event arrives (and on start).
    /// </summary>
    public async Task<SecretGroupSync> SyncSecretGroupAsync(long groupId, CancellationToken cancellationToken = default)
    {
        ChatGroupDetails details = await GetGroupAsync(groupId, cancellationToken).ConfigureAwait(false);
        GroupId platform = details.Group.CofferGroupId ?? throw new ArgumentException("Not a secret group.", nameof(groupId));
        if (details.Group.Role is not (ChatRole.Admin or ChatRole.Moderator))
        {
            throw new ChatApiException(403, "Only admins and moderators hand over the keys of a secret group");
        }

        CofferGroup group = await PlatformGroupAsync(platform, cancellationToken).ConfigureAwait(false);
        var handedOver = new List<string>();
        var rejected = new List<string>();
        Dictionary<string, ChatRole> members = details.Members.ToDictionary(m => m.UserId, m => m.Role, StringComparer.Ordinal);
        IReadOnlyList<GroupJoinRequest> page = await group.GetJoinRequestsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        for (int pages = 0; page.Count > 0 && pages < 100; pages++)
        {
            foreach (GroupJoinRequest request in page.Where(r => r.Kind == GroupMemberKind.User))
            {
                if (members.TryGetValue(request.MemberId, out ChatRole role))
                {
                    await group.AcceptJoinRequestAsync(new UserId(request.MemberId), RankOf(role), cancellationToken).ConfigureAwait(false);
                    handedOver.Add(request.MemberId);
                }
                else
                {
                    await group.RejectJoinRequestAsync(request.MemberId, cancellationToken).ConfigureAwait(false);
                    rejected.Add(request.MemberId);
                }
            }

            page = await group.GetJoinRequestsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (handedOver.Count > 0)
        {
            await ReportKeysHandedOverAsync(groupId, handedOver, cancellationToken).ConfigureAwait(false);
        }

        string? rotated = details.Group.KeyRotationPending && details.Group.Role == ChatRole.Admin
            ? await RotateGroupKeyAsync(groupId, cancellationToken).ConfigureAwait(false)
            : null;
        return new SecretGroupSync(handedOver, rejected, rotated);
    }

    /// <summary>
    /// POST /api/group/{id}/keys-handed-over: tells the server which members this client just gave the keys (it checks
    /// each with the platform, records it, and notifies them). In batches of the server's limit.
    /// </summary>
    private async Task ReportKeysHandedOverAsync(long groupId, IReadOnlyList<string> members, CancellationToken cancellationToken)
    {
        foreach (string[] batch in members.Chunk(100))
        {
            await SendAsync(HttpMethod.Post, $"group/{groupId}/keys-handed-over", new JsonObject { ["user_ids"] = new JsonArray([.. batch.Select(m => (JsonNode)m)]) },
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Rotates a secret group's key (admins) with the SDK (<see cref="CofferGroup.KeyRotationAsync"/>, signed by this
    /// user): the platform fans the new key out to every remaining member; then the chat server records the new key id
    /// and from then on refuses messages encrypted with older keys. Returns the new key id.
    /// </summary>
    public async Task<string> RotateGroupKeyAsync(long groupId, CancellationToken cancellationToken = default)
    {
        GroupId platform = await CofferGroupIdAsync(groupId, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException("Not a secret group.", nameof(groupId));
        CofferGroup group = await CurrentPlatformGroupAsync(platform, cancellationToken).ConfigureAwait(false);
        // Signed: members verify the new key against this admin's verify key when they finish the rotation.
        string keyId = await group.KeyRotationAsync(sign: true, cancellationToken).ConfigureAwait(false);
        await SendAsync(HttpMethod.Post, $"group/{groupId}/key-rotated", new JsonObject { ["key_id"] = keyId }, cancellationToken).ConfigureAwait(false);
        return keyId;
    }
    /// <summary>The platform group of a secret chat group, with its keys (fetched once, then cached).</summary>
    internal async Task<CofferGroup> PlatformGroupAsync(GroupId platform, CancellationToken cancellationToken)
    {
        lock (cacheLock)
        {
            if (cofferGroups.TryGetValue(platform.Value, out CofferGroup? known))
            {
                return known;
            }
        }

        await groupLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (cacheLock)
            {
                if (cofferGroups.TryGetValue(platform.Value, out CofferGroup? raced))
                {
                    return raced;
                }
            }

            CofferGroup group;
            try
            {
                group = await User.GetGroupAsync(platform, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (CofferException e) when (e.Is(ProtocolError.GroupAccess))
            {
                throw new ChatCryptoException("The keys of this secret group are not available to this user (not handed over yet, or removed).", e);
            }

            lock (cacheLock)
            {
                cofferGroups[platform.Value] = group;
            }

            return group;
        }
        finally
        {
            groupLock.Release();
        }
    }

    /// <summary>The platform group with every key rotation that reached this member finished (its copy of each new key stored).</summary>
    private async Task<CofferGroup> CurrentPlatformGroupAsync(GroupId platform, CancellationToken cancellationToken)
    {
        CofferGroup group = await PlatformGroupAsync(platform, cancellationToken).ConfigureAwait(false);
        await FinishRotationsAsync(group, cancellationToken).ConfigureAwait(false);
        return group;
    }

    /// <summary>Finishes the key rotations waiting for this member (the SDK verifies signed new keys); returns how many.</summary>
    private static async Task<int> FinishRotationsAsync(CofferGroup group, CancellationToken cancellationToken) =>
        (await group.FinishKeyRotationAsync(verify: true, cancellationToken).ConfigureAwait(false)).Count;

    /// <summary>
    /// Decrypts a secret group's message with the key its head names. A key this member does not have yet may come
    /// from a rotation still being fanned out: the pending rotations are finished (bounded polls) before giving up.
    /// </summary>
    private async Task<string> DecryptGroupTextAsync(long groupId, string sealedText, CancellationToken cancellationToken)
    {
        GroupId platform = await CofferGroupIdAsync(groupId, cancellationToken).ConfigureAwait(false)
            ?? throw new ChatCryptoException("The message is encrypted but the group is not secret.");
        CofferGroup group = await PlatformGroupAsync(platform, cancellationToken).ConfigureAwait(false);
        try
        {
            return await group.DecryptStringAsync(sealedText, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (CofferException e) when (e.SdkError == SdkError.GroupKeyRequired)
        {
            await FinishRotationsAsync(group, cancellationToken).ConfigureAwait(false);
            return await group.DecryptStringAsync(sealedText, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends with a secret group's newest key; when the chat server answers that the group was rotated to a key this
    /// member does not hold yet, waits (bounded) for its copy of the new key and encrypts again.
    /// </summary>
    private async Task<T> WithCurrentGroupKeyAsync<T>(GroupId platform, Func<CofferGroup, Task<T>> send, CancellationToken cancellationToken)
    {
        CofferGroup group = await CurrentPlatformGroupAsync(platform, cancellationToken).ConfigureAwait(false);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await send(group).ConfigureAwait(false);
            }
            catch (ChatApiException e) when (e.Status == 409 && e.Detail.StartsWith(StaleKeyDetail, StringComparison.Ordinal) && attempt < RotationPolls)
            {
                await Task.Delay(RotationPollDelay, cancellationToken).ConfigureAwait(false);
                await FinishRotationsAsync(group, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The start of the chat server's 409 detail for a message encrypted with a key older than the group's current one.</summary>
    internal const string StaleKeyDetail = "The group key was rotated";
}
