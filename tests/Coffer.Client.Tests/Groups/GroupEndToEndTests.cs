using System.Text.Json.Nodes;
using Coffer.Client.Groups;
using Coffer.Client.Tests.Infrastructure;
using Coffer.Protocol;
using static Coffer.Client.Tests.Groups.GroupTestUsers;

namespace Coffer.Client.Tests.Groups;

/// <summary>
/// The group SDK against the real server on 127.0.0.1 (<see cref="RunningServer"/>): every key is made and decrypted
/// by the SDK, nothing is faked. A missing server endpoint fails naming it (404).
/// </summary>
public sealed class GroupEndToEndTests
{
    private const string Text = "hello there £ Я a a 👍";

    [Fact]
    public async Task CreateGroup_SignedThenInviteAccepted_MemberVerifiesTheKeyAndBothDecrypt()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");

        using CofferGroup aliceGroup = await Endpoint("POST /group, GET /group/:gid", () => alice.CreateGroupAsync(sign: true, Ct));
        Assert.Equal((GroupRank.Creator, false), (aliceGroup.Rank, aliceGroup.IsConnectedGroup));
        Assert.IsType<Protocol.Groups.GroupAccessBy.User>(aliceGroup.AccessBy);
        GroupKey key = Assert.Single(aliceGroup.Keys);
        Assert.Equal(alice.UserId, key.SignedByUserId);

        await Endpoint("PUT /group/:gid/invite/:uid", () => aliceGroup.InviteAsync(bob.UserId, cancellationToken: Ct));
        GroupInvite invite = Assert.Single(await bob.GetGroupInvitesAsync(cancellationToken: Ct));
        Assert.Equal(aliceGroup.GroupId, invite.GroupId);
        await bob.AcceptGroupInviteAsync(aliceGroup.GroupId, Ct);
        Assert.Empty(await bob.GetGroupInvitesAsync(cancellationToken: Ct));

        using CofferGroup bobGroup = await bob.GetGroupAsync(aliceGroup.GroupId, verify: true, cancellationToken: Ct);
        Assert.True(Assert.Single(bobGroup.Keys).SignatureVerified);
        Assert.Equal(GroupRank.Member, bobGroup.Rank);

        Assert.Equal(Text, await bobGroup.DecryptStringAsync(aliceGroup.EncryptString(Text), cancellationToken: Ct));
        Assert.Equal(Text, aliceGroup.DecryptString(bobGroup.EncryptString(Text)));
        byte[] bytes = [0, 1, 2, 255, 0];
        Assert.Equal(bytes, await aliceGroup.DecryptAsync(bobGroup.Encrypt(bytes), cancellationToken: Ct));

        string signed = aliceGroup.EncryptString(Text, sign: true);
        Assert.Equal(Text, await bobGroup.DecryptStringAsync(signed, alice.UserId, Ct));
        var wrongSigner = await Assert.ThrowsAsync<CofferException>(() => bobGroup.DecryptStringAsync(aliceGroup.EncryptString(Text), alice.UserId, Ct));
        Assert.True(wrongSigner.IsVerificationFailure);
        var otherSigner = await Assert.ThrowsAsync<CofferException>(() => bobGroup.DecryptStringAsync(signed, bob.UserId, Ct));
        Assert.Equal(("client_20", true), (otherSigner.Code, otherSigner.IsVerificationFailure));

        GroupListItem listed = Assert.Single(await bob.GetGroupsAsync(cancellationToken: Ct));
        Assert.Equal((aliceGroup.GroupId, GroupRank.Member, null), (listed.GroupId, listed.Rank, listed.ParentGroupId));
        Assert.Equal(aliceGroup.NewestKey.PublicKey, await users.App.FetchGroupPublicKeyAsync(aliceGroup.GroupId, Ct));
    }

    [Fact]
    public async Task GetGroup_TamperedKeySignature_IsClient31OnlyWithVerification()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        using CofferGroup signed = await alice.CreateGroupAsync(sign: true, Ct);
        using CofferGroup other = await alice.CreateGroupAsync(sign: true, Ct);

        string answer = await users.SendAsync(alice, HttpMethod.Get, $"/group/{signed.GroupId}");
        string otherAnswer = await users.SendAsync(alice, HttpMethod.Get, $"/group/{other.GroupId}");
        string foreignSignature = Result(otherAnswer).GetProperty("keys")[0].GetProperty("group_key_sig").GetString()!;
        JsonNode envelope = JsonNode.Parse(answer)!;
        envelope["result"]!["keys"]![0]!["group_key_sig"] = foreignSignature;
        string tampered = envelope.ToJsonString();

        var error = await Assert.ThrowsAsync<CofferException>(() => alice.DoneGetGroupAsync(tampered, verify: true, cancellationToken: Ct));
        Assert.Equal("client_31", error.Code);
        Assert.True(error.IsVerificationFailure);
        using CofferGroup unverified = await alice.DoneGetGroupAsync(tampered, cancellationToken: Ct);
        Assert.False(unverified.NewestKey.SignatureVerified);
        using CofferGroup verified = await alice.DoneGetGroupAsync(answer, verify: true, cancellationToken: Ct);
        Assert.True(verified.NewestKey.SignatureVerified);
    }

    [Fact]
    public async Task Decrypt_DataOfAnotherGroupsKey_IsKeyRequiredWithTheKeyId()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        using CofferGroup first = await alice.CreateGroupAsync(cancellationToken: Ct);
        using CofferGroup second = await alice.CreateGroupAsync(cancellationToken: Ct);
        string data = second.EncryptString(Text);

        var offline = Assert.Throws<CofferException>(() => first.DecryptString(data));
        var fetched = await Assert.ThrowsAsync<CofferException>(() => first.DecryptStringAsync(data, cancellationToken: Ct));
        foreach (CofferException error in new[] { offline, fetched })
        {
            Assert.Equal(("sdk_8", SdkError.GroupKeyRequired, second.NewestKey.KeyId), (error.Code, error.SdkError, error.MissingKeyId));
        }
    }

    [Fact]
    public async Task Invites_RejectReInviteAndAutoInvite_EveryPathEndsWithTheRightMembers()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");
        CofferUser carol = await users.LoginAsync("carol");
        using CofferGroup group = await alice.CreateGroupAsync(cancellationToken: Ct);

        await group.InviteAsync(bob.UserId, GroupRank.Manager, Ct);
        await bob.RejectGroupInviteAsync(group.GroupId, Ct);
        var noAccess = await Assert.ThrowsAsync<CofferException>(() => bob.GetGroupAsync(group.GroupId, cancellationToken: Ct));
        Assert.True(noAccess.Is(ProtocolError.GroupAccess));
        var noInvite = await Assert.ThrowsAsync<CofferException>(() => bob.AcceptGroupInviteAsync(group.GroupId, Ct));
        Assert.True(noInvite.Is(ProtocolError.GroupInviteNotFound));

        await group.InviteAutoAsync(carol.UserId, GroupRank.Editor, Ct);
        using (CofferGroup carolGroup = await carol.GetGroupAsync(group.GroupId, cancellationToken: Ct))
        {
            Assert.Equal(GroupRank.Editor, carolGroup.Rank);
            Assert.Equal(Text, carolGroup.DecryptString(group.EncryptString(Text)));
        }

        var twice = await Assert.ThrowsAsync<CofferException>(() => group.InviteAsync(carol.UserId, cancellationToken: Ct));
        Assert.True(twice.Is(ProtocolError.GroupUserExists));
        await Endpoint("PUT /group/:gid/re_invite/:uid", () => group.ReInviteAsync(carol.UserId, Ct));
        using (CofferGroup again = await carol.GetGroupAsync(group.GroupId, cancellationToken: Ct))
        {
            Assert.Equal(GroupRank.Editor, again.Rank);
        }

        var notMember = await Assert.ThrowsAsync<CofferException>(() => group.ReInviteAsync(bob.UserId, Ct));
        Assert.True(notMember.Is(ProtocolError.GroupReInviteMemberNotFound));
        GroupMember member = Assert.Single(await Endpoint("GET /group/:gid/member", () => group.GetMembersAsync(cancellationToken: Ct)));
        Assert.Equal((carol.UserId.Value, GroupRank.Editor, GroupMemberKind.User), (member.MemberId, member.Rank, member.Kind));
    }

    [Fact]
    public async Task JoinRequests_SendListAcceptRejectWithdraw_AsTheServerRules()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");
        CofferUser carol = await users.LoginAsync("carol");
        using CofferGroup group = await alice.CreateGroupAsync(cancellationToken: Ct);

        await bob.SendJoinRequestAsync(group.GroupId, Ct);
        await carol.SendJoinRequestAsync(group.GroupId, Ct);
        SentJoinRequest sent = Assert.Single(await bob.GetSentJoinRequestsAsync(cancellationToken: Ct));
        Assert.Equal(group.GroupId, sent.GroupId);
        IReadOnlyList<GroupJoinRequest> requests = await group.GetJoinRequestsAsync(cancellationToken: Ct);
        Assert.Equal(new[] { bob.UserId.Value, carol.UserId.Value }.Order(), requests.Select(r => r.MemberId).Order());
        Assert.All(requests, r => Assert.Equal(GroupMemberKind.User, r.Kind));

        await group.AcceptJoinRequestAsync(bob.UserId, GroupRank.Manager, Ct);
        using CofferGroup bobGroup = await bob.GetGroupAsync(group.GroupId, cancellationToken: Ct);
        Assert.Equal(GroupRank.Manager, bobGroup.Rank);
        Assert.Equal(Text, await bobGroup.DecryptStringAsync(group.EncryptString(Text), cancellationToken: Ct));
        Assert.Empty(await bob.GetSentJoinRequestsAsync(cancellationToken: Ct));

        await bobGroup.RejectJoinRequestAsync(carol.UserId.Value, Ct);
        Assert.Empty(await group.GetJoinRequestsAsync(cancellationToken: Ct));
        var missing = await Assert.ThrowsAsync<CofferException>(() => group.AcceptJoinRequestAsync(carol.UserId, cancellationToken: Ct));
        Assert.True(missing.Is(ProtocolError.GroupJoinReqNotFound));

        await carol.SendJoinRequestAsync(group.GroupId, Ct);
        await carol.DeleteJoinRequestAsync(group.GroupId, Ct);
        Assert.Empty(await carol.GetSentJoinRequestsAsync(cancellationToken: Ct));
        Assert.Empty(await group.GetJoinRequestsAsync(cancellationToken: Ct));
    }

    [Fact]
    public async Task RanksKickLeaveStopInvites_EnforcedForSdkMembers()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");
        CofferUser carol = await users.LoginAsync("carol");
        UserId dave = await users.RegisterAsync("dave");
        using CofferGroup group = await GroupTestUsers.CreateGroupWithAsync(alice, bob, carol);
        using CofferGroup bobGroup = await bob.GetGroupAsync(group.GroupId, cancellationToken: Ct);

        var memberInvites = await Assert.ThrowsAsync<CofferException>(() => bobGroup.InviteAsync(dave, cancellationToken: Ct));
        Assert.True(memberInvites.Is(ProtocolError.GroupUserRank));
        await Endpoint("PUT /group/:gid/change_rank", () => group.UpdateRankAsync(bob.UserId.Value, GroupRank.Manager, Ct));
        using (CofferGroup manager = await bob.GetGroupAsync(group.GroupId, cancellationToken: Ct))
        {
            Assert.Equal(GroupRank.Manager, manager.Rank);
            var strongerRank = await Assert.ThrowsAsync<CofferException>(() => manager.InviteAsync(dave, GroupRank.Admin, Ct));
            Assert.True(strongerRank.Is(ProtocolError.GroupUserRank));
            await manager.InviteAsync(dave, cancellationToken: Ct);
            var creator = await Assert.ThrowsAsync<CofferException>(() => manager.KickAsync(alice.UserId.Value, Ct));
            Assert.True(creator.Is(ProtocolError.GroupUserKick));
            var rankChange = await Assert.ThrowsAsync<CofferException>(() => manager.UpdateRankAsync(carol.UserId.Value, GroupRank.Editor, Ct));
            Assert.True(rankChange.Is(ProtocolError.GroupUserRank));
            await manager.KickAsync(carol.UserId.Value, Ct);
        }

        var kicked = await Assert.ThrowsAsync<CofferException>(() => carol.GetGroupAsync(group.GroupId, cancellationToken: Ct));
        Assert.True(kicked.Is(ProtocolError.GroupAccess));

        await Endpoint("PATCH /group/:gid/change_invite", () => group.StopInvitesAsync(Ct));
        var stopped = await Assert.ThrowsAsync<CofferException>(() => carol.SendJoinRequestAsync(group.GroupId, Ct));
        Assert.True(stopped.Is(ProtocolError.GroupInviteStop));
        await group.StopInvitesAsync(Ct);
        await carol.SendJoinRequestAsync(group.GroupId, Ct);

        var lastAdmin = await Assert.ThrowsAsync<CofferException>(() => group.LeaveAsync(Ct));
        Assert.True(lastAdmin.Is(ProtocolError.GroupOnlyOneAdmin));
        await bobGroup.LeaveAsync(Ct);
        Assert.Empty(await bob.GetGroupsAsync(cancellationToken: Ct));

        await Endpoint("DELETE /group/:gid", () => group.DeleteAsync(Ct));
        var deleted = await Assert.ThrowsAsync<CofferException>(() => alice.GetGroupAsync(group.GroupId, cancellationToken: Ct));
        Assert.True(deleted.Is(ProtocolError.GroupAccess));
    }

    [Fact]
    public async Task ThreeLevelHierarchy_ParentMemberReadsTheGrandchildThroughBothParents()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");
        using CofferGroup top = await alice.CreateGroupAsync(cancellationToken: Ct);
        GroupId middleId = await Endpoint("POST /group/:gid/child", () => top.CreateChildGroupAsync(sign: true, Ct));
        using CofferGroup middle = await top.GetChildGroupAsync(middleId, verify: true, Ct);
        Assert.True(middle.NewestKey.SignatureVerified);
        Assert.Equal(top.GroupId, middle.ParentGroupId);
        GroupId bottomId = await middle.CreateChildGroupAsync(cancellationToken: Ct);
        using CofferGroup bottom = await middle.GetChildGroupAsync(bottomId, cancellationToken: Ct);
        string secret = bottom.EncryptString(Text);

        ChildGroup child = Assert.Single(await Endpoint("GET /group/:gid/children", () => top.GetChildrenAsync(cancellationToken: Ct)));
        Assert.Equal((middleId, top.GroupId), (child.GroupId, child.ParentGroupId));
        Assert.Equal(bottomId, Assert.Single(await middle.GetChildrenAsync(cancellationToken: Ct)).GroupId);

        await top.InviteAutoAsync(bob.UserId, cancellationToken: Ct);
        using CofferGroup bobBottom = await bob.GetGroupAsync(bottomId, cancellationToken: Ct);
        Assert.Equal(new Protocol.Groups.GroupAccessBy.Parent(top.GroupId.Value), bobBottom.AccessBy);
        Assert.Equal(GroupRank.Member, bobBottom.Rank);
        Assert.Equal(Text, await bobBottom.DecryptStringAsync(secret, cancellationToken: Ct));
        Assert.Equal(Text, bottom.DecryptString(bobBottom.EncryptString(Text)));
        var rank = await Assert.ThrowsAsync<CofferException>(() => bobBottom.CreateChildGroupAsync(cancellationToken: Ct));
        Assert.True(rank.Is(ProtocolError.GroupUserRank));

        await top.DeleteAsync(Ct);
        var gone = await Assert.ThrowsAsync<CofferException>(() => alice.GetGroupAsync(bottomId, cancellationToken: Ct));
        Assert.True(gone.Is(ProtocolError.GroupAccess));
    }

    [Fact]
    public async Task ConnectedGroup_ReachedFromAChildOfAMemberGroup_DecryptsItsChildsData()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");
        using CofferGroup department = await alice.CreateGroupAsync(cancellationToken: Ct);
        using CofferGroup team = await department.GetChildGroupAsync(await department.CreateChildGroupAsync(cancellationToken: Ct), cancellationToken: Ct);
        GroupId resourcesId = await Endpoint("POST /group/:gid/connected", () => team.CreateConnectedGroupAsync(sign: true, Ct));
        using CofferGroup resources = await team.GetConnectedGroupAsync(resourcesId, verify: true, Ct);
        Assert.True(resources.IsConnectedGroup);
        Assert.Equal(new Protocol.Groups.GroupAccessBy.GroupAsUser(team.GroupId.Value), resources.AccessBy);
        using CofferGroup secrets = await resources.GetChildGroupAsync(await resources.CreateChildGroupAsync(cancellationToken: Ct), cancellationToken: Ct);
        Assert.True(secrets.IsConnectedGroup);
        string data = secrets.EncryptString(Text);

        GroupListItem connected = Assert.Single(await Endpoint("GET /group/:gid/all", () => team.GetConnectedGroupsAsync(cancellationToken: Ct)));
        Assert.Equal(resourcesId, connected.GroupId);
        var fromConnected = await Assert.ThrowsAsync<CofferException>(() => resources.CreateConnectedGroupAsync(cancellationToken: Ct));
        Assert.True(fromConnected.Is(ProtocolError.GroupConnectedFromConnected));

        // bob is a member of the department only: department → team (parent) → resources (as team) → secrets (child).
        await department.InviteAutoAsync(bob.UserId, GroupRank.Admin, Ct);
        using CofferGroup bobDepartment = await bob.GetGroupAsync(department.GroupId, cancellationToken: Ct);
        using CofferGroup bobTeam = await bobDepartment.GetChildGroupAsync(team.GroupId, cancellationToken: Ct);
        using CofferGroup bobResources = await bobTeam.GetConnectedGroupAsync(resourcesId, cancellationToken: Ct);
        using CofferGroup bobSecrets = await bobResources.GetChildGroupAsync(secrets.GroupId, cancellationToken: Ct);
        Assert.Equal(team.GroupId, bobSecrets.AccessGroupId);
        Assert.Equal(new Protocol.Groups.GroupAccessBy.GroupAsUserAsParent(resourcesId.Value, team.GroupId.Value), bobSecrets.AccessBy);
        Assert.Equal(Text, await bobSecrets.DecryptStringAsync(data, cancellationToken: Ct));
        Assert.Equal(Text, secrets.DecryptString(bobSecrets.EncryptString(Text)));
    }

    [Fact]
    public async Task ConnectedGroup_GroupInvitesAndGroupJoinRequests_BothDirections()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");
        using CofferGroup owner = await alice.CreateGroupAsync(cancellationToken: Ct);
        GroupId connectedId = await owner.CreateConnectedGroupAsync(cancellationToken: Ct);
        using CofferGroup connected = await owner.GetConnectedGroupAsync(connectedId, cancellationToken: Ct);
        using CofferGroup invited = await bob.CreateGroupAsync(cancellationToken: Ct);
        using CofferGroup joining = await bob.CreateGroupAsync(cancellationToken: Ct);
        string data = connected.EncryptString(Text);

        await Endpoint("PUT /group/:gid/invite_group/:g", () => connected.InviteGroupAsync(invited.GroupId, cancellationToken: Ct));
        GroupInvite invite = Assert.Single(await invited.GetInvitesAsync(cancellationToken: Ct));
        Assert.Equal(connectedId, invite.GroupId);
        await invited.AcceptInviteAsync(connectedId, Ct);
        using (CofferGroup viaInvite = await invited.GetConnectedGroupAsync(connectedId, cancellationToken: Ct))
        {
            Assert.Equal(Text, await viaInvite.DecryptStringAsync(data, cancellationToken: Ct));
        }

        await joining.SendJoinRequestAsync(connectedId, Ct);
        Assert.Equal(connectedId, Assert.Single(await joining.GetSentJoinRequestsAsync(cancellationToken: Ct)).GroupId);
        GroupJoinRequest request = Assert.Single(await connected.GetJoinRequestsAsync(cancellationToken: Ct));
        Assert.Equal((joining.GroupId.Value, GroupMemberKind.Group), (request.MemberId, request.Kind));
        await connected.AcceptJoinRequestAsync(joining.GroupId, cancellationToken: Ct);
        using (CofferGroup viaJoin = await joining.GetConnectedGroupAsync(connectedId, cancellationToken: Ct))
        {
            Assert.Equal(Text, await viaJoin.DecryptStringAsync(data, cancellationToken: Ct));
        }

        IReadOnlyList<GroupMember> members = await connected.GetMembersAsync(cancellationToken: Ct);
        Assert.Equal(2, members.Count(m => m.Kind == GroupMemberKind.Group && m.MemberId != owner.GroupId.Value));
        await connected.KickAsync(joining.GroupId.Value, Ct);
        var kicked = await Assert.ThrowsAsync<CofferException>(() => joining.GetConnectedGroupAsync(connectedId, cancellationToken: Ct));
        Assert.True(kicked.Is(ProtocolError.GroupAccess));

        await joining.SendJoinRequestAsync(connectedId, Ct);
        await joining.DeleteSentJoinRequestAsync(connectedId, Ct);
        Assert.Empty(await connected.GetJoinRequestsAsync(cancellationToken: Ct));
        var normalTarget = await Assert.ThrowsAsync<CofferException>(() => joining.SendJoinRequestAsync(owner.GroupId, Ct));
        Assert.True(normalTarget.Is(ProtocolError.GroupJoinAsConnectedGroup));
    }

    [Fact]
    public async Task MoreKeysThanOnePage_LateMemberDecryptsDataUnderTheOldestKey()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");
        using CofferGroup group = await alice.CreateGroupAsync(cancellationToken: Ct);
        string oldest = group.EncryptString(Text);
        string oldestKeyId = group.NewestKey.KeyId;
        for (int i = 0; i < 55; i++)
        {
            await Endpoint("POST /group/:gid/key_rotation, GET /group/:gid/key/:kid", () => group.KeyRotationAsync(cancellationToken: Ct));
        }

        Assert.Equal(56, group.Keys.Count);
        Assert.NotEqual(oldestKeyId, group.NewestKey.KeyId);
        string newest = group.EncryptString("newest");

        string? session = await group.InviteAsync(bob.UserId, cancellationToken: Ct);
        Assert.NotNull(session);
        await bob.AcceptGroupInviteAsync(group.GroupId, Ct);
        using CofferGroup bobGroup = await bob.GetGroupAsync(group.GroupId, cancellationToken: Ct);
        Assert.Equal(56, bobGroup.Keys.Count);
        Assert.Equal(Text, bobGroup.DecryptString(oldest));
        Assert.Equal("newest", bobGroup.DecryptString(newest));
        Assert.Equal(group.NewestKey.KeyId, bobGroup.NewestKey.KeyId);

        using CofferGroup aliceAgain = await alice.GetGroupAsync(group.GroupId, cancellationToken: Ct);
        Assert.Equal(group.Keys.Select(k => k.KeyId), aliceAgain.Keys.Select(k => k.KeyId));
    }

    [Fact]
    public async Task SixtyMembers_ListedAcrossTwoPages()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        using CofferGroup group = await alice.CreateGroupAsync(cancellationToken: Ct);
        var expected = new List<string>();
        for (int i = 0; i < 60; i++)
        {
            UserId member = await users.RegisterAsync($"member{i:00}");
            await group.InviteAutoAsync(member, cancellationToken: Ct);
            expected.Add(member.Value);
        }

        IReadOnlyList<GroupMember> first = await group.GetMembersAsync(cancellationToken: Ct);
        IReadOnlyList<GroupMember> second = await group.GetMembersAsync(first[^1], Ct);
        IReadOnlyList<GroupMember> third = await group.GetMembersAsync(second.Count > 0 ? second[^1] : first[^1], Ct);
        Assert.Equal((50, 10, 0), (first.Count, second.Count, third.Count));
        Assert.Equal(expected.Order(), first.Concat(second).Select(m => m.MemberId).Order());
    }

    [Fact]
    public async Task OwnBackend_PrepareBodiesSentByTheBackend_DoneOpensTheResults()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");

        GroupId groupId = CofferGroup.DoneCreateGroup(await users.SendAsync(alice, HttpMethod.Post, "/group", alice.PrepareCreateGroup(sign: true)));
        using CofferGroup group = await alice.DoneGetGroupAsync(await users.SendAsync(alice, HttpMethod.Get, $"/group/{groupId}"), verify: true, cancellationToken: Ct);
        Assert.True(group.NewestKey.SignatureVerified);

        NewMemberKeysBodies bodies = group.PrepareKeysForNewMember((await users.App.FetchPublicKeyAsync(bob.UserId, cancellationToken: Ct)).Key);
        Assert.Empty(bodies.SessionPages);
        Result(await users.SendAsync(alice, HttpMethod.Put, $"/group/{groupId}/invite_auto/{bob.UserId}", bodies.Body));
        Result(await users.SendAsync(alice, HttpMethod.Put, $"/group/{groupId}/change_rank", group.PrepareUpdateRank(bob.UserId.Value, GroupRank.Admin)));

        GroupId childId = CofferGroup.DoneCreateGroup(await users.SendAsync(alice, HttpMethod.Post, $"/group/{groupId}/child", group.PrepareCreateChildGroup()));
        GroupId connectedId = CofferGroup.DoneCreateGroup(
            await users.SendAsync(alice, HttpMethod.Post, $"/group/{groupId}/connected", group.PrepareCreateConnectedGroup()));
        using CofferGroup bobGroup = await bob.GetGroupAsync(groupId, cancellationToken: Ct);
        Assert.Equal(GroupRank.Admin, bobGroup.Rank);
        using CofferGroup bobChild = await bobGroup.GetChildGroupAsync(childId, cancellationToken: Ct);
        using CofferGroup bobConnected = await bobGroup.DoneGetConnectedGroupAsync(
            await users.SendAsync(bob, HttpMethod.Get, $"/group/{connectedId}", accessGroup: groupId), cancellationToken: Ct);
        Assert.Equal(Text, bobConnected.DecryptString(bobConnected.EncryptString(Text)));

        var failed = Assert.Throws<CofferException>(() => CofferGroup.DoneCreateGroup(
            """{"status":false,"err_code":310,"err_msg":"Group not found or no access."}"""));
        Assert.True(failed.Is(ProtocolError.GroupAccess));
    }
}
