using System.Collections.Concurrent;
using Coffer.Client.Groups;
using Coffer.Client.Http;
using Coffer.Crypto;
using Coffer.Protocol.Groups;

namespace Coffer.Client;

// The user's side of groups: create and fetch groups, the user's group list, invites to the user and the user's join
// requests. The group's own actions are on CofferGroup.
public sealed partial class CofferUser
{
    private readonly ConcurrentDictionary<(string UserId, string KeyId), VerifyKey> verifyKeys = new();

    internal CofferClient Client => client;

    /// <summary>
    /// Creates a group with this user as creator (rank 0) and returns it with its key. The group key is encrypted for
    /// the user's newest public key; with <paramref name="sign"/> the user's newest sign key signs it, so members can
    /// verify it (<see cref="GetGroupAsync"/> with <c>verify</c>).
    /// </summary>
    public async Task<CofferGroup> CreateGroupAsync(bool sign = false, CancellationToken cancellationToken = default)
    {
        GroupCreateOutput output = await SendAsync<GroupCreateOutput>(HttpMethod.Post, "/group", PrepareCreateGroup(sign), cancellationToken)
            .ConfigureAwait(false);
        return await GetGroupAsync(new GroupId(output.GroupId), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The own-backend form of <see cref="CreateGroupAsync"/>: the body of <c>POST /group</c> (or of
    /// <c>POST /group/forced/{user_id}</c>); read the answer with <see cref="CofferGroup.DoneCreateGroup"/>.
    /// </summary>
    public string PrepareCreateGroup(bool sign = false)
    {
        UserKey newest = NewestUserKey;
        return ClientJson.Write(CofferException.Crypto(() =>
            GroupKeyMaterial.NewGroup(newest.PublicKey, sign ? newest.SignKey : null, sign ? UserId.Value : null)));
    }

    /// <summary>
    /// Fetches a group and decrypts every key this user can read (all pages). A group reached through an ancestor is
    /// decrypted through the ancestors' keys; pass <paramref name="accessGroup"/> to reach a connected group as one of
    /// its member groups. With <paramref name="verify"/>, every signed key is checked against the signer's verify key;
    /// a key whose signature does not hold fails with <c>client_31</c> (<see cref="CofferException.IsVerificationFailure"/>).
    /// </summary>
    public Task<CofferGroup> GetGroupAsync(
        GroupId groupId, CofferGroup? accessGroup = null, bool verify = false, CancellationToken cancellationToken = default) =>
        CofferGroup.GetAsync(this, groupId, accessGroup, verify, null, cancellationToken);

    /// <summary>
    /// The own-backend form of <see cref="GetGroupAsync"/>: opens the answer of <c>GET /group/{id}</c> (made with this
    /// user's JWT, and with <c>x-sentc-group-access-id</c> when <paramref name="accessGroup"/> is given).
    /// </summary>
    public Task<CofferGroup> DoneGetGroupAsync(
        string serverOutput, CofferGroup? accessGroup = null, bool verify = false, CancellationToken cancellationToken = default) =>
        CofferGroup.OpenAsync(this, ServerAnswer.Read<GroupServerData>(serverOutput), accessGroup, verify, null, cancellationToken);

    /// <summary>One page (50) of the groups the user is a direct member of, oldest first; pass the last one for the next page.</summary>
    public async Task<IReadOnlyList<GroupListItem>> GetGroupsAsync(GroupListItem? after = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ListGroups> page = await SendAsync<IReadOnlyList<ListGroups>>(
            HttpMethod.Get, "/group/all" + CofferGroup.Page(after?.Time, after?.GroupId.Value), null, cancellationToken).ConfigureAwait(false);
        return [.. page.Select(CofferGroup.ToListItem)];
    }

    /// <summary>One page (50) of the user's pending group invites, newest first; pass the last one for the next page.</summary>
    public async Task<IReadOnlyList<GroupInvite>> GetGroupInvitesAsync(GroupInvite? after = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<GroupInviteReqList> page = await SendAsync<IReadOnlyList<GroupInviteReqList>>(
            HttpMethod.Get, "/group/invite" + CofferGroup.Page(after?.Time, after?.GroupId.Value), null, cancellationToken).ConfigureAwait(false);
        return [.. page.Select(i => new GroupInvite(new GroupId(i.GroupId), i.Time))];
    }

    /// <summary>Accepts an invite: the user becomes a member with the rank the inviter chose.</summary>
    public Task AcceptGroupInviteAsync(GroupId groupId, CancellationToken cancellationToken = default) =>
        SendAsync<string>(HttpMethod.Patch, $"/group/{Uri.EscapeDataString(groupId.Value)}/invite", null, cancellationToken);

    /// <summary>Rejects an invite (the keys encrypted for the user are deleted).</summary>
    public Task RejectGroupInviteAsync(GroupId groupId, CancellationToken cancellationToken = default) =>
        SendAsync<string>(HttpMethod.Delete, $"/group/{Uri.EscapeDataString(groupId.Value)}/invite", null, cancellationToken);

    /// <summary>Asks to join a group; its managers accept (encrypting the keys for the user) or reject.</summary>
    public Task SendJoinRequestAsync(GroupId groupId, CancellationToken cancellationToken = default) =>
        SendAsync<string>(HttpMethod.Patch, $"/group/{Uri.EscapeDataString(groupId.Value)}/join_req", null, cancellationToken);

    /// <summary>One page (50) of the user's pending join requests, newest first; pass the last one for the next page.</summary>
    public async Task<IReadOnlyList<SentJoinRequest>> GetSentJoinRequestsAsync(SentJoinRequest? after = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<GroupInviteReqList> page = await SendAsync<IReadOnlyList<GroupInviteReqList>>(
            HttpMethod.Get, "/group/joins" + CofferGroup.Page(after?.Time, after?.GroupId.Value), null, cancellationToken).ConfigureAwait(false);
        return [.. page.Select(i => new SentJoinRequest(new GroupId(i.GroupId), i.Time))];
    }

    /// <summary>Withdraws the user's join request to a group.</summary>
    public Task DeleteJoinRequestAsync(GroupId groupId, CancellationToken cancellationToken = default) =>
        SendAsync<string>(HttpMethod.Delete, $"/group/joins/{Uri.EscapeDataString(groupId.Value)}", null, cancellationToken);

    /// <summary>A user's verify key by id, fetched once per user and key.</summary>
    internal async Task<VerifyKey> GetVerifyKeyAsync(UserId userId, string keyId, CancellationToken cancellationToken)
    {
        if (verifyKeys.TryGetValue((userId.Value, keyId), out VerifyKey? known))
        {
            return known;
        }

        VerifyKey key = await client.FetchVerifyKeyAsync(userId, keyId, cancellationToken).ConfigureAwait(false);
        return verifyKeys.GetOrAdd((userId.Value, keyId), key);
    }
}
