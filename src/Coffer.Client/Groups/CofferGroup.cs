using System.Text;
using Coffer.Client.Http;
using Coffer.Crypto;
using Coffer.Crypto.Formats;
using Coffer.Crypto.Sentc;
using Coffer.Protocol;
using Coffer.Protocol.Groups;

namespace Coffer.Client.Groups;

/// <summary>
/// A group as one member sees it: its data (rank, how the member reaches it) and every group key the member can
/// read, decrypted on this device (newest first). Encrypts with the newest key, decrypts with the key the data names
/// (fetching a missing one from the server), and carries the group actions: ranks, invites, join requests, members,
/// child and connected groups, leave and delete.
/// <para>
/// Obtained from <see cref="CofferUser.CreateGroupAsync"/>, <see cref="CofferUser.GetGroupAsync"/>,
/// <see cref="GetChildGroupAsync"/> or <see cref="GetConnectedGroupAsync"/>. Keys of a group reached through a parent
/// are encrypted for the parent's keys, and keys of a connected group for the member group's keys; the group keeps
/// the group that decrypts its keys. A group fetched through a member group (<see cref="AccessGroupId"/>) sends every
/// request as that member group. Dispose to zero the keys (a member group passed in by the caller stays the
/// caller's to dispose, and must outlive this group).
/// </para>
/// </summary>
public sealed partial class CofferGroup : IDisposable
{
    private readonly CofferUser user;
    private readonly KeyDecryptor decryptor;
    private readonly Func<PublicKey> ownerPublicKey;
    private readonly CofferGroup? accessGroup;
    private readonly CofferGroup? ownedParent;
    private readonly bool verifyKeys;
    private readonly Lock keysLock = new();
    private List<GroupKey> keys = [];

    private CofferGroup(
        CofferUser user, GroupServerData data, CofferGroup? accessGroup, KeyDecryptor decryptor, Func<PublicKey> ownerPublicKey,
        CofferGroup? ownedParent, bool verifyKeys)
    {
        this.user = user;
        this.accessGroup = accessGroup;
        this.decryptor = decryptor;
        this.ownerPublicKey = ownerPublicKey;
        this.ownedParent = ownedParent;
        this.verifyKeys = verifyKeys;
        GroupId = new GroupId(data.GroupId);
        ParentGroupId = data.ParentGroupId is null ? null : new GroupId(data.ParentGroupId);
        Rank = data.Rank;
        CreatedTime = data.CreatedTime;
        JoinedTime = data.JoinedTime;
        AccessBy = data.AccessBy;
        IsConnectedGroup = data.IsConnectedGroup;
        KeyUpdate = data.KeyUpdate;
    }

    /// <summary>Returns the private key with this key pair id, decrypting (and fetching) it if needed.</summary>
    internal delegate Task<PrivateKey> KeyDecryptor(string keyPairId, CancellationToken cancellationToken);

    /// <summary>The group id.</summary>
    public GroupId GroupId { get; }

    /// <summary>The parent group, for a child group.</summary>
    public GroupId? ParentGroupId { get; }

    /// <summary>The member's effective rank (see <see cref="GroupRank"/>) when the group was fetched.</summary>
    public int Rank { get; }

    /// <summary>When the group was created, milliseconds since the Unix epoch.</summary>
    public long CreatedTime { get; }

    /// <summary>When the membership that grants access began, milliseconds since the Unix epoch.</summary>
    public long JoinedTime { get; }

    /// <summary>How the member reaches the group: directly, through an ancestor, or as a member group.</summary>
    public GroupAccessBy AccessBy { get; }

    /// <summary>True for a connected group (a group that can have groups as members).</summary>
    public bool IsConnectedGroup { get; }

    /// <summary>True when a key rotation waits for this member to finish it (when the group was fetched).</summary>
    public bool KeyUpdate { get; }

    /// <summary>The member group through which the user reaches this group (sent as <c>x-sentc-group-access-id</c>), if any.</summary>
    public GroupId? AccessGroupId => accessGroup?.GroupId;

    /// <summary>The group keys this member has, newest first.</summary>
    public IReadOnlyList<GroupKey> Keys
    {
        get
        {
            lock (keysLock)
            {
                return [.. keys];
            }
        }
    }

    /// <summary>The newest group key: new data is encrypted with it.</summary>
    public GroupKey NewestKey => Keys is [var newest, ..] ? newest : throw CofferException.FromSdk(SdkError.ResponseInvalid);

    /// <summary>The group's searchable-encryption key (HMAC), if the group has one.</summary>
    public SearchableKey? SearchableKey { get; private set; }

    /// <summary>The group's sortable-encryption key (OPE), if the group has one.</summary>
    public SortableKey? SortableKey { get; private set; }

    /// <summary>The new group's id from the answer of a group create (<c>POST /group</c>, <c>…/child</c>, <c>…/connected</c>, forced variants).</summary>
    public static GroupId DoneCreateGroup(string serverOutput) => new(ServerAnswer.Read<GroupCreateOutput>(serverOutput).GroupId);

    /// <summary>The group key with this id: from this device, or fetched (<c>GET /group/{id}/key/{key_id}</c>) and decrypted.</summary>
    /// <exception cref="CofferException"><see cref="SdkError.GroupKeyRequired"/> when the server has no such key for this member.</exception>
    public async Task<GroupKey> GetKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        if (FindKey(keyId) is { } known)
        {
            return known;
        }

        GroupKeyServerOutput key;
        try
        {
            key = await SendAsync<GroupKeyServerOutput>(HttpMethod.Get, $"/key/{Esc(keyId)}", null, cancellationToken).ConfigureAwait(false);
        }
        catch (CofferException exception) when (exception.Is(ProtocolError.GroupKeyNotFound))
        {
            throw CofferException.KeyRequired(keyId, exception);
        }

        await AddServerKeyAsync(key, cancellationToken).ConfigureAwait(false);
        return FindKey(keyId) ?? throw CofferException.KeyRequired(keyId);
    }

    /// <summary>The group key with this id if this device has it, else null.</summary>
    public GroupKey? FindKey(string keyId)
    {
        lock (keysLock)
        {
            return keys.Find(k => k.KeyId == keyId);
        }
    }

    /// <summary>
    /// Encrypts with the newest group key (crypto-std.md §9). With <paramref name="sign"/>, the user's newest sign key
    /// signs the ciphertext; readers can check it with the user's id.
    /// </summary>
    public byte[] Encrypt(byte[] data, bool sign = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        SymmetricKey key = NewestKey.SymmetricKey;
        SignKey? signKey = sign ? user.NewestUserKey.SignKey : null;
        return CofferException.Crypto(() => EncryptedData.Encrypt(key, data, signKey));
    }

    /// <summary>Encrypts a string with the newest group key; the result is base64 (see <see cref="Encrypt"/>).</summary>
    public string EncryptString(string text, bool sign = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Convert.ToBase64String(Encrypt(Encoding.UTF8.GetBytes(text), sign));
    }

    /// <summary>
    /// Decrypts with the group key the data names, using only the keys on this device. With a verify key, signed data
    /// must be signed by it (<c>client_20</c>, <c>client_22</c>); without one, a signature is not checked.
    /// </summary>
    /// <exception cref="CofferException"><see cref="SdkError.GroupKeyRequired"/> when the key is not on this device
    /// (<see cref="DecryptAsync"/> fetches it).</exception>
    public byte[] Decrypt(byte[] data, VerifyKey? verifyKey = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        DataHead head = CofferException.Crypto(() => EncryptedData.ReadHead(data));
        GroupKey key = FindKey(head.Id) ?? throw CofferException.KeyRequired(head.Id);
        return Open(key, data, verifyKey);
    }

    /// <summary>Decrypts a string that <see cref="EncryptString"/> (or the official client) made, with the keys on this device.</summary>
    public string DecryptString(string data, VerifyKey? verifyKey = null) => ToText(Decrypt(FromBase64(data), verifyKey));

    /// <summary>
    /// Decrypts with the group key the data names, fetching that key when this device does not have it yet (a
    /// missing key is <see cref="SdkError.GroupKeyRequired"/>). With <paramref name="signer"/>, the data must be signed
    /// by that user: the verify key the head names is fetched and checked (a failure is
    /// <see cref="CofferException.IsVerificationFailure"/>: unsigned data is <c>client_22</c>, a sign key the signer
    /// does not have is <c>client_20</c>, a signature that does not hold is <c>client_22</c>).
    /// </summary>
    public async Task<byte[]> DecryptAsync(byte[] data, UserId? signer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        DataHead head = CofferException.Crypto(() => EncryptedData.ReadHead(data));
        GroupKey key = await GetKeyAsync(head.Id, cancellationToken).ConfigureAwait(false);
        VerifyKey? verifyKey = null;
        if (signer is { } signerId)
        {
            SignHead sign = head.Sign ?? throw CofferException.FromCrypto(new CryptoException(CryptoError.SignatureInvalid));
            try
            {
                verifyKey = await user.GetVerifyKeyAsync(signerId, sign.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (CofferException exception) when (exception.Is(ProtocolError.UserNotFound))
            {
                // The signer has no sign key with the id the data names: signed by someone else.
                throw CofferException.FromCrypto(new CryptoException(CryptoError.VerifyKeyMismatch));
            }
        }

        return Open(key, data, verifyKey);
    }

    /// <summary>Decrypts a string, fetching the key if needed (see <see cref="DecryptAsync"/>).</summary>
    public async Task<string> DecryptStringAsync(string data, UserId? signer = null, CancellationToken cancellationToken = default) =>
        ToText(await DecryptAsync(FromBase64(data), signer, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Changes a member's rank (1–4; the creator's rank cannot change). Needs rank ≤ 1. The member is a user or, in
    /// a connected group, a group.
    /// </summary>
    public Task UpdateRankAsync(string memberId, int newRank, CancellationToken cancellationToken = default) =>
        SendAsync<string>(HttpMethod.Put, "/change_rank", PrepareUpdateRank(memberId, newRank), cancellationToken);

    /// <summary>The own-backend form of <see cref="UpdateRankAsync"/>: the body of <c>PUT /group/{id}/change_rank</c>.</summary>
    public string PrepareUpdateRank(string memberId, int newRank)
    {
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        return ClientJson.Write(new GroupChangeRankInput(memberId, newRank));
    }

    /// <summary>
    /// Invites a user: every group key is encrypted for the user's newest public key; the user accepts or rejects.
    /// <paramref name="rank"/> defaults to 4 and cannot be stronger than the inviter's. Returns the key session id
    /// when the group has more than 50 keys (the rest are sent through it).
    /// </summary>
    public async Task<string?> InviteAsync(UserId userId, int? rank = null, CancellationToken cancellationToken = default) =>
        await AddMemberAsync("invite", userId.Value, await UserPublicKeyAsync(userId, cancellationToken).ConfigureAwait(false), rank, "invite",
            cancellationToken).ConfigureAwait(false);

    /// <summary>Adds a user directly, without the user's acceptance (e.g. for one-to-one sessions). See <see cref="InviteAsync"/>.</summary>
    public async Task<string?> InviteAutoAsync(UserId userId, int? rank = null, CancellationToken cancellationToken = default) =>
        await AddMemberAsync("invite_auto", userId.Value, await UserPublicKeyAsync(userId, cancellationToken).ConfigureAwait(false), rank,
            "join_req", cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Re-invites a member whose keys are broken (e.g. after a reset of the user): all keys again, for the user's
    /// newest public key; the member keeps the rank.
    /// </summary>
    public async Task<string?> ReInviteAsync(UserId userId, CancellationToken cancellationToken = default) =>
        await AddMemberAsync("re_invite", userId.Value, await UserPublicKeyAsync(userId, cancellationToken).ConfigureAwait(false), null,
            "join_req", cancellationToken).ConfigureAwait(false);

    /// <summary>Invites a group into this connected group (its keys are encrypted for the group's newest public key).</summary>
    public async Task<string?> InviteGroupAsync(GroupId groupId, int? rank = null, CancellationToken cancellationToken = default) =>
        await AddMemberAsync("invite_group", groupId.Value, await GroupPublicKeyAsync(groupId, cancellationToken).ConfigureAwait(false), rank,
            "invite", cancellationToken).ConfigureAwait(false);

    /// <summary>Adds a group directly to this connected group.</summary>
    public async Task<string?> InviteGroupAutoAsync(GroupId groupId, int? rank = null, CancellationToken cancellationToken = default) =>
        await AddMemberAsync("invite_group_auto", groupId.Value, await GroupPublicKeyAsync(groupId, cancellationToken).ConfigureAwait(false),
            rank, "join_req", cancellationToken).ConfigureAwait(false);

    /// <summary>Re-invites a member group of this connected group (see <see cref="ReInviteAsync"/>).</summary>
    public async Task<string?> ReInviteGroupAsync(GroupId groupId, CancellationToken cancellationToken = default) =>
        await AddMemberAsync("re_invite_group", groupId.Value, await GroupPublicKeyAsync(groupId, cancellationToken).ConfigureAwait(false),
            null, "join_req", cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The own-backend form of the invites and the join accept: the body with the first 50 group keys encrypted for
    /// <paramref name="memberPublicKey"/> (<c>key_session</c> set when there are more) and the key-session pages.
    /// </summary>
    public NewMemberKeysBodies PrepareKeysForNewMember(PublicKey memberPublicKey, int? rank = null)
    {
        ArgumentNullException.ThrowIfNull(memberPublicKey);
        IReadOnlyList<GroupKey> all = Keys;
        List<GroupKeysForNewMember> encrypted = CofferException.Crypto(() => GroupKeyMaterial.KeysForNewMember(all, memberPublicKey));
        bool session = encrypted.Count > CofferClient.PageSize;
        string body = ClientJson.Write(new NewMemberKeys([.. encrypted.Take(CofferClient.PageSize)], rank, session));
        List<string> pages = [.. encrypted.Skip(CofferClient.PageSize).Chunk(CofferClient.PageSize)
            .Select(chunk => ClientJson.Write<IReadOnlyList<GroupKeysForNewMember>>(chunk))];
        return new NewMemberKeysBodies(body, pages);
    }

    /// <summary>One page (50) of the pending join requests, oldest first; pass the last one for the next page. Needs rank ≤ 2.</summary>
    public async Task<IReadOnlyList<GroupJoinRequest>> GetJoinRequestsAsync(GroupJoinRequest? after = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<GroupJoinReqList> page = await SendAsync<IReadOnlyList<GroupJoinReqList>>(
            HttpMethod.Get, "/join_req" + Page(after?.Time, after?.MemberId), null, cancellationToken).ConfigureAwait(false);
        return [.. page.Select(r => new GroupJoinRequest(r.UserId, r.Time, (GroupMemberKind)r.UserType))];
    }

    /// <summary>Accepts a user's join request: every group key is encrypted for the user's newest public key.</summary>
    public async Task<string?> AcceptJoinRequestAsync(UserId userId, int? rank = null, CancellationToken cancellationToken = default) =>
        await AddMemberAsync("join_req", userId.Value, await UserPublicKeyAsync(userId, cancellationToken).ConfigureAwait(false), rank,
            "join_req", cancellationToken).ConfigureAwait(false);

    /// <summary>Accepts a group's join request into this connected group.</summary>
    public async Task<string?> AcceptJoinRequestAsync(GroupId groupId, int? rank = null, CancellationToken cancellationToken = default) =>
        await AddMemberAsync("join_req", groupId.Value, await GroupPublicKeyAsync(groupId, cancellationToken).ConfigureAwait(false), rank,
            "join_req", cancellationToken).ConfigureAwait(false);

    /// <summary>Rejects a join request of a user or a group (by its id). Needs rank ≤ 2.</summary>
    public Task RejectJoinRequestAsync(string memberId, CancellationToken cancellationToken = default) =>
        SendAsync<string>(HttpMethod.Delete, $"/join_req/{Esc(memberId)}", null, cancellationToken);

    /// <summary>
    /// Stops invites and join requests — or, called again, allows them again (the server toggles). Pending invites
    /// and requests stay. Needs rank ≤ 1.
    /// </summary>
    public Task StopInvitesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<string>(HttpMethod.Patch, "/change_invite", null, cancellationToken);

    /// <summary>One page (50) of the direct members except the caller, by join time; pass the last one for the next page.</summary>
    public async Task<IReadOnlyList<GroupMember>> GetMembersAsync(GroupMember? after = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<GroupUserListItem> page = await SendAsync<IReadOnlyList<GroupUserListItem>>(
            HttpMethod.Get, "/member" + Page(after?.JoinedTime, after?.MemberId), null, cancellationToken).ConfigureAwait(false);
        return [.. page.Select(m => new GroupMember(m.UserId, m.Rank, m.JoinedTime, (GroupMemberKind)m.UserType))];
    }

    /// <summary>
    /// Removes a member (a user, or a member group) with the same or a weaker rank; never the creator. Needs rank ≤ 2.
    /// </summary>
    public Task KickAsync(string memberId, CancellationToken cancellationToken = default) =>
        SendAsync<string>(HttpMethod.Delete, $"/kick/{Esc(memberId)}", null, cancellationToken);

    /// <summary>Leaves the group (the last admin cannot: <c>server_308</c>).</summary>
    public Task LeaveAsync(CancellationToken cancellationToken = default) =>
        SendAsync<string>(HttpMethod.Delete, "/leave", null, cancellationToken);

    /// <summary>Deletes the group and all its child groups. Needs rank ≤ 1.</summary>
    public Task DeleteAsync(CancellationToken cancellationToken = default) =>
        SendAsync<string>(HttpMethod.Delete, string.Empty, null, cancellationToken);

    /// <summary>
    /// Creates a child group: its keys are encrypted for this group's newest public key, so every member of this
    /// group (and of its ancestors) reaches it. With <paramref name="sign"/>, the user's sign key signs the new key.
    /// Needs rank ≤ 1.
    /// </summary>
    public async Task<GroupId> CreateChildGroupAsync(bool sign = false, CancellationToken cancellationToken = default)
    {
        GroupCreateOutput output = await SendAsync<GroupCreateOutput>(HttpMethod.Post, "/child", PrepareCreateChildGroup(sign), cancellationToken)
            .ConfigureAwait(false);
        return new GroupId(output.GroupId);
    }

    /// <summary>
    /// The own-backend form of <see cref="CreateChildGroupAsync"/>: the body of <c>POST /group/{id}/child</c> (or of
    /// the forced variant). The creator key is <see cref="NewestKey"/>'s public key.
    /// </summary>
    public string PrepareCreateChildGroup(bool sign = false) => PrepareCreate(sign);

    /// <summary>One page (50) of the direct child groups, oldest first; pass the last one for the next page.</summary>
    public async Task<IReadOnlyList<ChildGroup>> GetChildrenAsync(ChildGroup? after = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<GroupChildrenList> page = await SendAsync<IReadOnlyList<GroupChildrenList>>(
            HttpMethod.Get, "/children" + Page(after?.Time, after?.GroupId.Value), null, cancellationToken).ConfigureAwait(false);
        return [.. page.Select(c => new ChildGroup(new GroupId(c.GroupId), c.Time, c.Parent is null ? null : new GroupId(c.Parent)))];
    }

    /// <summary>
    /// Fetches a child of this group; its keys are decrypted with this group's keys, so this group must outlive the
    /// child (a deeper descendant is fetched with its parent chain, which the returned group then owns).
    /// </summary>
    public Task<CofferGroup> GetChildGroupAsync(GroupId childId, bool verify = false, CancellationToken cancellationToken = default) =>
        GetAsync(user, childId, accessGroup, verify, this, cancellationToken);

    /// <summary>
    /// Creates a connected group with this group as its first member (rank 0): a group that can have groups as
    /// members. This group must not be connected itself. Needs rank ≤ 1.
    /// </summary>
    public async Task<GroupId> CreateConnectedGroupAsync(bool sign = false, CancellationToken cancellationToken = default)
    {
        GroupCreateOutput output = await SendAsync<GroupCreateOutput>(
            HttpMethod.Post, "/connected", PrepareCreateConnectedGroup(sign), cancellationToken).ConfigureAwait(false);
        return new GroupId(output.GroupId);
    }

    /// <summary>The own-backend form of <see cref="CreateConnectedGroupAsync"/>: the body of <c>POST /group/{id}/connected</c>.</summary>
    public string PrepareCreateConnectedGroup(bool sign = false) => PrepareCreate(sign);

    /// <summary>
    /// Fetches a connected group this group is a member of (directly or through an ancestor of the connected group):
    /// requests go as this group (<c>x-sentc-group-access-id</c>) and the keys are decrypted with this group's keys.
    /// </summary>
    public Task<CofferGroup> GetConnectedGroupAsync(GroupId connectedGroupId, bool verify = false, CancellationToken cancellationToken = default) =>
        GetAsync(user, connectedGroupId, this, verify, null, cancellationToken);

    /// <summary>The own-backend form of <see cref="GetConnectedGroupAsync"/>: opens the answer of <c>GET /group/{id}</c> made with this group as access group.</summary>
    public Task<CofferGroup> DoneGetConnectedGroupAsync(string serverOutput, bool verify = false, CancellationToken cancellationToken = default) =>
        OpenAsync(user, ServerAnswer.Read<GroupServerData>(serverOutput), this, verify, null, cancellationToken);

    /// <summary>One page (50) of the groups this group is a direct member of (connected groups), oldest first.</summary>
    public async Task<IReadOnlyList<GroupListItem>> GetConnectedGroupsAsync(GroupListItem? after = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ListGroups> page = await SendAsync<IReadOnlyList<ListGroups>>(
            HttpMethod.Get, "/all" + Page(after?.Time, after?.GroupId.Value), null, cancellationToken).ConfigureAwait(false);
        return [.. page.Select(ToListItem)];
    }

    /// <summary>One page (50) of the invites addressed to this group (by connected groups), newest first. Needs rank ≤ 1.</summary>
    public async Task<IReadOnlyList<GroupInvite>> GetInvitesAsync(GroupInvite? after = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<GroupInviteReqList> page = await SendAsync<IReadOnlyList<GroupInviteReqList>>(
            HttpMethod.Get, "/invite" + Page(after?.Time, after?.GroupId.Value), null, cancellationToken).ConfigureAwait(false);
        return [.. page.Select(i => new GroupInvite(new GroupId(i.GroupId), i.Time))];
    }

    /// <summary>Accepts, for this group, an invite into a connected group. Needs rank ≤ 1.</summary>
    public Task AcceptInviteAsync(GroupId connectedGroupId, CancellationToken cancellationToken = default) =>
        SendAsync<string>(HttpMethod.Patch, $"/{Esc(connectedGroupId.Value)}/invite", null, cancellationToken);

    /// <summary>Rejects, for this group, an invite into a connected group. Needs rank ≤ 1.</summary>
    public Task RejectInviteAsync(GroupId connectedGroupId, CancellationToken cancellationToken = default) =>
        SendAsync<string>(HttpMethod.Delete, $"/{Esc(connectedGroupId.Value)}/invite", null, cancellationToken);

    /// <summary>Asks, for this group, to join a connected group. Needs rank ≤ 1.</summary>
    public Task SendJoinRequestAsync(GroupId connectedGroupId, CancellationToken cancellationToken = default) =>
        SendAsync<string>(HttpMethod.Patch, $"/join_req/{Esc(connectedGroupId.Value)}", null, cancellationToken);

    /// <summary>One page (50) of this group's pending join requests, newest first. Needs rank ≤ 1.</summary>
    public async Task<IReadOnlyList<SentJoinRequest>> GetSentJoinRequestsAsync(SentJoinRequest? after = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<GroupInviteReqList> page = await SendAsync<IReadOnlyList<GroupInviteReqList>>(
            HttpMethod.Get, "/joins" + Page(after?.Time, after?.GroupId.Value), null, cancellationToken).ConfigureAwait(false);
        return [.. page.Select(i => new SentJoinRequest(new GroupId(i.GroupId), i.Time))];
    }

    /// <summary>Withdraws this group's join request to a connected group. Needs rank ≤ 1.</summary>
    public Task DeleteSentJoinRequestAsync(GroupId connectedGroupId, CancellationToken cancellationToken = default) =>
        SendAsync<string>(HttpMethod.Delete, $"/joins/{Esc(connectedGroupId.Value)}", null, cancellationToken);

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (keysLock)
        {
            keys.ForEach(k => k.Dispose());
            keys = [];
        }

        SearchableKey?.Dispose();
        SortableKey?.Dispose();
        ownedParent?.Dispose();
    }

    /// <summary>
    /// Fetches a group (<c>GET /group/{id}</c>, as <paramref name="accessGroup"/> when given) and decrypts its keys.
    /// <paramref name="knownParent"/>, when it is the group's parent, decrypts the keys instead of fetching the parent again.
    /// </summary>
    internal static async Task<CofferGroup> GetAsync(
        CofferUser user, GroupId groupId, CofferGroup? accessGroup, bool verify, CofferGroup? knownParent, CancellationToken cancellationToken)
    {
        GroupServerData data = await user.SendAsync<GroupServerData>(
            HttpMethod.Get, $"/group/{Esc(groupId.Value)}", null, cancellationToken, accessGroup?.GroupId.Value).ConfigureAwait(false);
        return await OpenAsync(user, data, accessGroup, verify, knownParent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens fetched group data: picks the keys that decrypt the group keys (the user's keys, the member group's, or
    /// the parent's, fetched through the same member group), loads the remaining key pages and decrypts every key.
    /// </summary>
    internal static async Task<CofferGroup> OpenAsync(
        CofferUser user, GroupServerData data, CofferGroup? accessGroup, bool verify, CofferGroup? knownParent, CancellationToken cancellationToken)
    {
        CofferGroup? ownedParent = null;
        KeyDecryptor decryptor;
        Func<PublicKey> ownerPublicKey; // the member's newest public key: rotations are started and finished for it
        switch (data.AccessBy)
        {
            case GroupAccessBy.User:
                decryptor = user.GetPrivateKeyAsync;
                ownerPublicKey = () => user.NewestUserKey.PublicKey;
                break;
            case GroupAccessBy.GroupAsUser:
                CofferGroup member = accessGroup ?? throw CofferException.FromSdk(SdkError.ResponseInvalid);
                decryptor = member.GetPrivateKeyAsync;
                ownerPublicKey = () => member.NewestKey.PublicKey;
                break;
            case GroupAccessBy.Parent or GroupAccessBy.GroupAsUserAsParent:
                string parentId = data.ParentGroupId ?? throw CofferException.FromSdk(SdkError.ResponseInvalid);
                CofferGroup parent = knownParent is not null && knownParent.GroupId.Value == parentId
                    ? knownParent
                    : ownedParent = await GetAsync(user, new GroupId(parentId), accessGroup, verify, null, cancellationToken).ConfigureAwait(false);
                decryptor = parent.GetPrivateKeyAsync;
                ownerPublicKey = () => parent.NewestKey.PublicKey;

                break;
            default:
                throw CofferException.FromSdk(SdkError.ResponseInvalid);
        }

        var group = new CofferGroup(user, data, accessGroup, decryptor, ownerPublicKey, ownedParent, verify);
        try
        {
            await group.LoadKeysAsync(data, cancellationToken).ConfigureAwait(false);
            return group;
        }
        catch
        {
            group.Dispose();
            throw;
        }
    }

    /// <summary>The group's private key with this key pair id (a child's or member's keys are encrypted for it).</summary>
    internal async Task<PrivateKey> GetPrivateKeyAsync(string keyPairId, CancellationToken cancellationToken)
    {
        lock (keysLock)
        {
            if (keys.Find(k => k.PrivateKey.KeyId == keyPairId) is { } known)
            {
                return known.PrivateKey;
            }
        }

        // The server names a key pair by its group key id (api.md §1.7).
        return (await GetKeyAsync(keyPairId, cancellationToken).ConfigureAwait(false)).PrivateKey;
    }

    /// <summary>Loads every key page beyond the first (<c>GET /group/{id}/keys/{time}/{key_id}</c>, newest first) and decrypts all keys.</summary>
    private async Task LoadKeysAsync(GroupServerData data, CancellationToken cancellationToken)
    {
        var all = new List<GroupKeyServerOutput>(data.Keys);
        var seen = new HashSet<string>(all.Select(k => k.GroupKeyId));
        IReadOnlyList<GroupKeyServerOutput> page = data.Keys;
        while (page.Count >= CofferClient.PageSize)
        {
            GroupKeyServerOutput last = page[^1];
            page = await SendAsync<IReadOnlyList<GroupKeyServerOutput>>(
                HttpMethod.Get, $"/keys/{last.Time}/{Esc(last.GroupKeyId)}", null, cancellationToken).ConfigureAwait(false);
            int before = all.Count;
            all.AddRange(page.Where(k => seen.Add(k.GroupKeyId)));
            if (all.Count == before)
            {
                break; // A server that repeats a page would otherwise keep the loop going.
            }
        }

        foreach (GroupKeyServerOutput key in all)
        {
            await AddServerKeyAsync(key, cancellationToken).ConfigureAwait(false);
        }

        if (data.HmacKeys is [var hmac, ..])
        {
            GroupKey key = await GetKeyAsync(hmac.EncryptedHmacEncryptionKeyId, cancellationToken).ConfigureAwait(false);
            SearchableKey = CofferException.Crypto(() => GroupKeyMaterial.DecryptSearchableKey(hmac, key.SymmetricKey));
        }

        if (data.SortableKeys is [var sortable, ..])
        {
            GroupKey key = await GetKeyAsync(sortable.EncryptedSortableEncryptionKeyId, cancellationToken).ConfigureAwait(false);
            SortableKey = CofferException.Crypto(() => GroupKeyMaterial.DecryptSortableKey(sortable, key.SymmetricKey));
        }
    }

    /// <summary>Decrypts a member's copy of a key (verifying its signature when the group was fetched with verification) and adds it.</summary>
    private Task AddServerKeyAsync(GroupKeyServerOutput key, CancellationToken cancellationToken) =>
        AddServerKeyAsync(key, verifyKeys, cancellationToken);

    /// <summary>Decrypts a member's copy of a key (verifying a signed key with the signer's verify key when <paramref name="verify"/>) and adds it.</summary>
    private async Task AddServerKeyAsync(GroupKeyServerOutput key, bool verify, CancellationToken cancellationToken)
    {
        if (FindKey(key.GroupKeyId) is not null)
        {
            return;
        }

        PrivateKey privateKey = await decryptor(key.UserPublicKeyId, cancellationToken).ConfigureAwait(false);
        VerifyKey? verifyKey = null;
        if (verify && key.SignedByUserId is { } signer && key.SignedByUserSignKeyId is { } signKeyId)
        {
            verifyKey = await user.GetVerifyKeyAsync(new UserId(signer), signKeyId, cancellationToken).ConfigureAwait(false);
        }

        GroupKey decrypted = CofferException.Crypto(() => GroupKeyMaterial.DecryptKey(key, privateKey, verifyKey));
        lock (keysLock)
        {
            if (keys.Exists(k => k.KeyId == decrypted.KeyId))
            {
                decrypted.Dispose();
                return;
            }

            keys.Add(decrypted);
            keys = [.. keys.OrderByDescending(k => k.Time).ThenBy(k => k.KeyId, StringComparer.Ordinal)];
        }
    }

    private async Task<string?> AddMemberAsync(
        string route, string target, PublicKey publicKey, int? rank, string sessionRoute, CancellationToken cancellationToken)
    {
        NewMemberKeysBodies bodies = PrepareKeysForNewMember(publicKey, rank);
        KeySessionOutput output = await SendAsync<KeySessionOutput>(HttpMethod.Put, $"/{route}/{Esc(target)}", bodies.Body, cancellationToken)
            .ConfigureAwait(false);
        if (bodies.SessionPages.Count > 0)
        {
            string session = output.SessionId ?? throw CofferException.FromSdk(SdkError.ResponseInvalid);
            foreach (string page in bodies.SessionPages)
            {
                await SendAsync<string>(HttpMethod.Put, $"/{sessionRoute}/session/{Esc(session)}", page, cancellationToken).ConfigureAwait(false);
            }
        }

        return output.SessionId;
    }

    private async Task<PublicKey> UserPublicKeyAsync(UserId userId, CancellationToken cancellationToken) =>
        (await user.Client.FetchPublicKeyAsync(userId, verify: false, cancellationToken).ConfigureAwait(false)).Key;

    private Task<PublicKey> GroupPublicKeyAsync(GroupId groupId, CancellationToken cancellationToken) =>
        user.Client.FetchGroupPublicKeyAsync(groupId, cancellationToken);

    private string PrepareCreate(bool sign)
    {
        PublicKey creator = NewestKey.PublicKey;
        UserKey? signer = sign ? user.NewestUserKey : null;
        return ClientJson.Write(CofferException.Crypto(() => GroupKeyMaterial.NewGroup(creator, signer?.SignKey, signer is null ? null : user.UserId.Value)));
    }

    private static byte[] Open(GroupKey key, byte[] data, VerifyKey? verifyKey) =>
        CofferException.Crypto(() => EncryptedData.Decrypt(key.SymmetricKey, data, verifyKey));

    private Task<T> SendAsync<T>(HttpMethod method, string path, string? body, CancellationToken cancellationToken) =>
        user.SendAsync<T>(method, $"/group/{Esc(GroupId.Value)}{path}", body, cancellationToken, accessGroup?.GroupId.Value);

    internal static GroupListItem ToListItem(ListGroups g) =>
        new(new GroupId(g.GroupId), g.Time, g.JoinedTime, g.Rank, g.Parent is null ? null : new GroupId(g.Parent));

    internal static string Page(long? time, string? id) => time is { } t && id is not null ? $"/{t}/{Esc(id)}" : "/0/none";

    private static string Esc(string value) => Uri.EscapeDataString(value);

    private static byte[] FromBase64(string data) => CofferException.Crypto(() => StrictBase64.Decode(data));

    private static string ToText(byte[] plaintext)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(plaintext);
        }
        catch (DecoderFallbackException)
        {
            throw CofferException.FromCrypto(new CryptoException(CryptoError.DataMalformed));
        }
    }
}
