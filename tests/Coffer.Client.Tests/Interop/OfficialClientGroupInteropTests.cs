using System.Text.Json;
using Coffer.Client.Groups;
using Coffer.Client.Tests.Groups;
using Coffer.Client.Tests.Infrastructure;
using Coffer.Protocol;
using static Coffer.Client.Tests.Groups.GroupTestUsers;

namespace Coffer.Client.Tests.Interop;

/// <summary>
/// Official-client users (sentc_wasm 0.15.0 through tests/interop-node/driver.js, keys made by the wasm, the rest as
/// the JS SDK does it) and Coffer.Client users in the same groups on the real server: each decrypts what the other
/// encrypted, invites and join requests work both ways, and the server enforces ranks and kicks the same for both.
/// </summary>
public sealed class OfficialClientGroupInteropTests(OfficialClient wasm) : IClassFixture<OfficialClient>
{
    private const string Text = "hello there £ Я a a 👍";

    [Fact]
    public async Task SdkGroup_OfficialUserInvitedThenByJoinRequest_EachDecryptsTheOther()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        OfficialUser official = await OfficialUser.RegisterAsync(wasm, server, "wasm-user");
        using CofferGroup group = await alice.CreateGroupAsync(sign: true, Ct);

        await group.InviteAsync(official.UserId, cancellationToken: Ct);
        await official.AcceptInviteAsync(group.GroupId);
        string aliceSignKey = alice.NewestUserKey.VerifyKey.KeyId;
        JsonElement verified = await official.OpenVerifiedAsync(group.GroupId, aliceSignKey, alice.UserId, aliceSignKey);
        Assert.Equal(group.NewestKey.KeyId, verified.GetProperty("keys")[0].Str("id"));
        UserId dave = await users.RegisterAsync("dave");
        string daveSignKey = (await users.App.FetchPublicKeyAsync(dave, cancellationToken: Ct)).SignatureKeyId!;
        var forged = await Assert.ThrowsAsync<OfficialClientException>(() => official.OpenVerifiedAsync(group.GroupId, aliceSignKey, dave, daveSignKey));
        Assert.Equal("client_31", forged.Code);
        Assert.Equal(Text, await official.DecryptAsync(group.GroupId, group.EncryptString(Text, sign: true), signer: alice.UserId));
        string fromOfficial = await official.EncryptAsync(group.GroupId, "from the official client", sign: true);
        Assert.Equal("from the official client", await group.DecryptStringAsync(fromOfficial, official.UserId, Ct));

        using CofferGroup second = await alice.CreateGroupAsync(cancellationToken: Ct);
        await official.SendJoinRequestAsync(second.GroupId);
        Assert.Equal(official.UserId.Value, Assert.Single(await second.GetJoinRequestsAsync(cancellationToken: Ct)).MemberId);
        await second.AcceptJoinRequestAsync(official.UserId, GroupRank.Editor, Ct);
        Assert.Equal(Text, await official.DecryptAsync(second.GroupId, second.EncryptString(Text)));
        Assert.Equal(GroupRank.Editor, (await official.OpenAsync(second.GroupId)).GetProperty("rank").GetInt32());
    }

    [Fact]
    public async Task OfficialGroup_SdkUserInvitedThenByJoinRequest_EachDecryptsTheOther()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser bob = await users.LoginAsync("bob");
        CofferUser carol = await users.LoginAsync("carol");
        OfficialUser official = await OfficialUser.RegisterAsync(wasm, server, "wasm-user");
        GroupId groupId = await official.CreateGroupAsync(sign: true);

        await official.InviteAsync(groupId, bob.UserId);
        Assert.Equal(groupId, Assert.Single(await bob.GetGroupInvitesAsync(cancellationToken: Ct)).GroupId);
        await bob.AcceptGroupInviteAsync(groupId, Ct);
        using CofferGroup bobGroup = await bob.GetGroupAsync(groupId, verify: true, cancellationToken: Ct);
        GroupKey key = Assert.Single(bobGroup.Keys);
        Assert.True(key.SignatureVerified);
        Assert.Equal(official.UserId, key.SignedByUserId);
        string fromOfficial = await official.EncryptAsync(groupId, Text, sign: true);
        Assert.Equal(Text, await bobGroup.DecryptStringAsync(fromOfficial, official.UserId, Ct));
        string fromSdk = bobGroup.EncryptString("from Coffer.Client", sign: true);
        Assert.Equal("from Coffer.Client", await official.DecryptAsync(groupId, fromSdk, signer: bob.UserId));

        await carol.SendJoinRequestAsync(groupId, Ct);
        await official.AcceptJoinRequestAsync(groupId, carol.UserId);
        using CofferGroup carolGroup = await carol.GetGroupAsync(groupId, cancellationToken: Ct);
        Assert.Equal(Text, await carolGroup.DecryptStringAsync(fromOfficial, cancellationToken: Ct));
        Assert.Equal(GroupRank.Member, carolGroup.Rank);
    }

    [Fact]
    public async Task RanksAndKicks_EnforcedTheSameForOfficialAndSdkMembers()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");
        UserId dave = await users.RegisterAsync("dave");
        OfficialUser official = await OfficialUser.RegisterAsync(wasm, server, "wasm-user");
        using CofferGroup group = await alice.CreateGroupAsync(cancellationToken: Ct);
        await group.InviteAutoAsync(bob.UserId, cancellationToken: Ct);
        await group.InviteAutoAsync(official.UserId, cancellationToken: Ct);
        using CofferGroup bobGroup = await bob.GetGroupAsync(group.GroupId, cancellationToken: Ct);

        // Both members have rank 4: neither may kick nor invite (the official client is made to skip its own rank check).
        Assert.Contains("server_301", (await Assert.ThrowsAsync<OfficialClientException>(() => official.KickAsync(group.GroupId, bob.UserId))).Error);
        var sdkKick = await Assert.ThrowsAsync<CofferException>(() => bobGroup.KickAsync(official.UserId.Value, Ct));
        Assert.True(sdkKick.Is(ProtocolError.GroupUserRank));
        Assert.Contains("server_301", (await Assert.ThrowsAsync<OfficialClientException>(() =>
            official.InviteAsync(group.GroupId, dave, claimedRank: GroupRank.Creator))).Error);
        var sdkInvite = await Assert.ThrowsAsync<CofferException>(() => bobGroup.InviteAsync(dave, cancellationToken: Ct));
        Assert.True(sdkInvite.Is(ProtocolError.GroupUserRank));

        // A manager (rank 2) of either client kicks a member; neither can kick the creator.
        await group.UpdateRankAsync(official.UserId.Value, GroupRank.Manager, Ct);
        Assert.Contains("server_315", (await Assert.ThrowsAsync<OfficialClientException>(() => official.KickAsync(group.GroupId, alice.UserId))).Error);
        await official.KickAsync(group.GroupId, bob.UserId);
        var kicked = await Assert.ThrowsAsync<CofferException>(() => bob.GetGroupAsync(group.GroupId, cancellationToken: Ct));
        Assert.True(kicked.Is(ProtocolError.GroupAccess));

        await group.KickAsync(official.UserId.Value, Ct);
        Assert.Contains("server_310", (await Assert.ThrowsAsync<OfficialClientException>(() => official.OpenAsync(group.GroupId))).Error);
    }

    [Fact]
    public async Task ChildGroups_KeysForTheParentsKey_ReadAcrossClients()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        OfficialUser official = await OfficialUser.RegisterAsync(wasm, server, "wasm-user");
        using CofferGroup parent = await alice.CreateGroupAsync(cancellationToken: Ct);
        await parent.InviteAutoAsync(official.UserId, GroupRank.Admin, Ct);
        JsonElement parentKeys = OfficialUser.AsDecryptors(await official.OpenAsync(parent.GroupId));

        // A child made by Coffer.Client: the official client decrypts its keys with the parent's private key.
        using CofferGroup sdkChild = await parent.GetChildGroupAsync(await parent.CreateChildGroupAsync(sign: true, Ct), cancellationToken: Ct);
        Assert.Equal(Text, await official.DecryptAsync(sdkChild.GroupId, sdkChild.EncryptString(Text), keysOf: parentKeys));

        // A child made by the official client (group_create_child_group with the parent's public key): Coffer.Client reads it.
        GroupId officialChildId = await official.CreateChildGroupAsync(parent.GroupId, sign: true);
        using CofferGroup officialChild = await parent.GetChildGroupAsync(officialChildId, verify: true, Ct);
        Assert.True(officialChild.NewestKey.SignatureVerified);
        Assert.Equal(official.UserId, officialChild.NewestKey.SignedByUserId);
        Assert.Equal(Text, officialChild.DecryptString(await official.EncryptAsync(officialChildId, Text, keysOf: parentKeys)));
        Assert.Equal("back", await official.DecryptAsync(officialChildId, officialChild.EncryptString("back"), keysOf: parentKeys));
    }
}
