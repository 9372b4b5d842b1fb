using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Client.Groups;
using Coffer.Client.Tests.Infrastructure;
using Coffer.Protocol;
using Coffer.Protocol.Groups;
using static Coffer.Client.Tests.Groups.GroupTestUsers;

namespace Coffer.Client.Tests.Groups;

/// <summary>
/// Key rotation through the SDK against the real server (<see cref="RunningServer"/>, its rotation worker included):
/// start, fan-out, finish, signatures, kicked members, child and connected groups, and a user-key rotation a device
/// missed. Every key is made and opened by the SDK.
/// </summary>
public sealed class KeyRotationEndToEndTests
{
    private const string Old = "written before the rotation";
    private const string New = "written after the rotation ✓";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task KeyRotation_RemainingMembersFinish_NewDataUnderTheNewKeyOldDataUnderTheOld()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");
        CofferUser carol = await users.LoginAsync("carol");
        using CofferGroup group = await GroupTestUsers.CreateGroupWithAsync(alice, bob, carol);
        using CofferGroup bobGroup = await bob.GetGroupAsync(group.GroupId, cancellationToken: Ct);
        string oldKey = group.NewestKey.KeyId;
        string oldData = group.EncryptString(Old);

        string newKey = await Endpoint("POST /group/:gid/key_rotation", () => group.KeyRotationAsync(cancellationToken: Ct));
        Assert.Equal([newKey, oldKey], group.Keys.Select(k => k.KeyId));
        KeyRotationProgress progress = await Endpoint("GET /api/coffer/v1/group/:gid/key_rotation/:kid/progress",
            () => group.AwaitKeyRotationAsync(newKey, Wait, Ct));
        Assert.Equal((KeyRotationProgress.FinishedStatus, 2L, 2L, newKey), (progress.Status, progress.Total, progress.Done, progress.KeyId));
        string newData = group.EncryptString(New);

        // Before finishing, a member has only the old key: the new data needs the rotation.
        var beforeFinish = await Assert.ThrowsAsync<CofferException>(() => bobGroup.DecryptStringAsync(newData, cancellationToken: Ct));
        Assert.Equal((SdkError.GroupKeyRequired, newKey), (beforeFinish.SdkError, beforeFinish.MissingKeyId));
        using (CofferGroup refetched = await bob.GetGroupAsync(group.GroupId, cancellationToken: Ct))
        {
            Assert.True(refetched.KeyUpdate);
        }

        Assert.Equal([newKey], await Endpoint("GET/PUT /group/:gid/key_rotation", () => bobGroup.FinishKeyRotationAsync(cancellationToken: Ct)));
        Assert.Equal(newKey, bobGroup.NewestKey.KeyId);
        Assert.Equal(New, bobGroup.DecryptString(newData));
        Assert.Equal(Old, bobGroup.DecryptString(oldData));
        Assert.Empty(await bobGroup.FinishKeyRotationAsync(cancellationToken: Ct));
        string fromBob = bobGroup.EncryptString("bob, new key");
        Assert.Equal("bob, new key", group.DecryptString(fromBob));

        // carol finishes later, from a fresh fetch; the fetch shows the pending rotation and only the old key.
        using CofferGroup carolGroup = await carol.GetGroupAsync(group.GroupId, cancellationToken: Ct);
        Assert.True(carolGroup.KeyUpdate);
        Assert.Equal([oldKey], carolGroup.Keys.Select(k => k.KeyId));
        Assert.Equal([newKey], await carolGroup.FinishKeyRotationAsync(cancellationToken: Ct));
        Assert.Equal((New, Old, "bob, new key"), (carolGroup.DecryptString(newData), carolGroup.DecryptString(oldData), carolGroup.DecryptString(fromBob)));
        using CofferGroup carolAgain = await carol.GetGroupAsync(group.GroupId, cancellationToken: Ct);
        Assert.False(carolAgain.KeyUpdate);
        Assert.Equal([newKey, oldKey], carolAgain.Keys.Select(k => k.KeyId));
    }

    [Fact]
    public async Task KeyRotation_TwoRotationsBeforeTheMemberFinishes_BothFinishedInOrder()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");
        using CofferGroup group = await GroupTestUsers.CreateGroupWithAsync(alice, bob);
        using CofferGroup bobGroup = await bob.GetGroupAsync(group.GroupId, cancellationToken: Ct);

        string first = await group.KeyRotationAsync(cancellationToken: Ct);
        string firstData = group.EncryptString(Old);
        await group.AwaitKeyRotationAsync(first, Wait, Ct);
        string second = await group.KeyRotationAsync(cancellationToken: Ct);
        await group.AwaitKeyRotationAsync(second, Wait, Ct);

        // The second rotation's ephemeral key is under the first new key, which bob only gets by finishing the first.
        Assert.Equal([first, second], await bobGroup.FinishKeyRotationAsync(cancellationToken: Ct));
        Assert.Equal(second, bobGroup.NewestKey.KeyId);
        Assert.Equal((Old, New), (bobGroup.DecryptString(firstData), group.DecryptString(bobGroup.EncryptString(New))));
    }

    [Fact]
    public async Task KeyRotation_Signed_MemberVerifiesItAndATamperedSignatureIsClient31()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");
        using CofferGroup group = await GroupTestUsers.CreateGroupWithAsync(alice, bob);
        using CofferGroup bobGroup = await bob.GetGroupAsync(group.GroupId, cancellationToken: Ct);

        string signedKey = await group.KeyRotationAsync(sign: true, Ct);
        await group.AwaitKeyRotationAsync(signedKey, Wait, Ct);
        Assert.Equal([signedKey], await bobGroup.FinishKeyRotationAsync(cancellationToken: Ct));
        GroupKey verified = bobGroup.NewestKey;
        Assert.Equal((signedKey, true, alice.UserId, alice.NewestUserKey.SignKey.KeyId),
            (verified.KeyId, verified.SignatureVerified, verified.SignedByUserId, verified.SignedByUserSignKeyId));

        // The own-backend path with a forged signature: a signature by alice's key over another key.
        JsonNode body = JsonNode.Parse(group.PrepareKeyRotation(sign: true))!;
        body["group_key_sig"] = JsonNode.Parse(group.PrepareKeyRotation(sign: true))!["group_key_sig"]!.GetValue<string>();
        string answer = await users.SendAsync(alice, HttpMethod.Post, $"/group/{group.GroupId}/key_rotation", body.ToJsonString());
        string forgedKey = await group.DoneKeyRotationAsync(answer, Ct);
        await group.AwaitKeyRotationAsync(forgedKey, Wait, Ct);

        var error = await Assert.ThrowsAsync<CofferException>(() => bobGroup.FinishKeyRotationAsync(cancellationToken: Ct));
        Assert.Equal("client_31", error.Code);
        Assert.True(error.IsVerificationFailure);
        Assert.Null(bobGroup.FindKey(forgedKey));
        Assert.Equal(signedKey, bobGroup.NewestKey.KeyId);
        var refetched = await Assert.ThrowsAsync<CofferException>(() => bob.GetGroupAsync(group.GroupId, verify: true, cancellationToken: Ct));
        Assert.Equal("client_31", refetched.Code);
    }

    [Fact]
    public async Task KeyRotation_MemberKickedBefore_NoEndpointGivesTheNewKey()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");
        CofferUser mallory = await users.LoginAsync("mallory");
        using CofferGroup group = await GroupTestUsers.CreateGroupWithAsync(alice, bob, mallory);
        using CofferGroup malloryGroup = await mallory.GetGroupAsync(group.GroupId, cancellationToken: Ct); // keeps the old key

        await group.KickAsync(mallory.UserId.Value, Ct);
        string newKey = await group.KeyRotationAsync(cancellationToken: Ct);
        KeyRotationProgress progress = await group.AwaitKeyRotationAsync(newKey, Wait, Ct);
        Assert.Equal((1L, 1L), (progress.Total, progress.Done)); // bob only
        string secret = group.EncryptString(New);

        string g = group.GroupId.Value;
        (HttpMethod Method, string Path, string? Body)[] routes =
        [
            (HttpMethod.Get, $"/group/{g}", null),
            (HttpMethod.Get, $"/group/{g}/key/{newKey}", null),
            (HttpMethod.Get, $"/group/{g}/keys/0/none", null),
            (HttpMethod.Get, $"/group/{g}/keys/{group.NewestKey.Time + 1}/{newKey}", null),
            (HttpMethod.Get, $"/group/{g}/key_rotation", null),
            (HttpMethod.Put, $"/group/{g}/key_rotation/{newKey}", """{"encrypted_new_group_key":"AAAA","public_key_id":"x","encrypted_alg":"x"}"""),
            (HttpMethod.Get, $"/group/{g}/update_check", null),
        ];
        foreach ((HttpMethod method, string path, string? body) in routes)
        {
            JsonElement answer = JsonShape.Parse(await users.SendAsync(mallory, method, path, body));
            Assert.True(!answer.GetProperty("status").GetBoolean() && answer.GetProperty("err_code").GetInt32() == ProtocolError.GroupAccess.Code,
                $"{method} {path}: {answer}");
        }

        var viaProgress = await Assert.ThrowsAsync<CofferException>(() => malloryGroup.GetKeyRotationProgressAsync(newKey, Ct));
        Assert.True(viaProgress.Is(ProtocolError.GroupAccess));
        var viaFinish = await Assert.ThrowsAsync<CofferException>(() => malloryGroup.FinishKeyRotationAsync(cancellationToken: Ct));
        Assert.True(viaFinish.Is(ProtocolError.GroupAccess));
        var viaKey = await Assert.ThrowsAsync<CofferException>(() => malloryGroup.GetKeyAsync(newKey, Ct));
        Assert.True(viaKey.Is(ProtocolError.GroupAccess));
        var viaDecrypt = await Assert.ThrowsAsync<CofferException>(() => malloryGroup.DecryptStringAsync(secret, cancellationToken: Ct));
        Assert.True(viaDecrypt.Is(ProtocolError.GroupAccess));
        var viaFetch = await Assert.ThrowsAsync<CofferException>(() => mallory.GetGroupAsync(group.GroupId, cancellationToken: Ct));
        Assert.True(viaFetch.Is(ProtocolError.GroupAccess));
        Assert.Empty(await mallory.GetGroupsAsync(cancellationToken: Ct));
        Assert.Null(malloryGroup.FindKey(newKey));

        // bob, still a member, finishes it.
        using CofferGroup bobGroup = await bob.GetGroupAsync(group.GroupId, cancellationToken: Ct);
        await bobGroup.FinishKeyRotationAsync(cancellationToken: Ct);
        Assert.Equal(New, bobGroup.DecryptString(secret));
    }

    [Fact]
    public async Task KeyRotation_ChildAndConnectedGroups_MembersThroughTheParentAndTheMemberGroupGetTheNewKey()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");
        CofferUser carol = await users.LoginAsync("carol");

        // A child group: the rotation is started through the parent, whose copy serves every parent member.
        using CofferGroup parent = await GroupTestUsers.CreateGroupWithAsync(alice, bob);
        using CofferGroup child = await parent.GetChildGroupAsync(await parent.CreateChildGroupAsync(cancellationToken: Ct), cancellationToken: Ct);
        string childOld = child.EncryptString(Old);
        string childKey = await child.KeyRotationAsync(sign: true, Ct);
        await child.AwaitKeyRotationAsync(childKey, Wait, Ct);
        string childNew = child.EncryptString(New);
        using CofferGroup bobParent = await bob.GetGroupAsync(parent.GroupId, cancellationToken: Ct);
        using CofferGroup bobChild = await bobParent.GetChildGroupAsync(child.GroupId, verify: true, Ct);
        Assert.Empty(await bobChild.FinishKeyRotationAsync(cancellationToken: Ct));
        Assert.True(bobChild.FindKey(childKey)!.SignatureVerified);
        Assert.Equal((New, Old), (bobChild.DecryptString(childNew), bobChild.DecryptString(childOld)));

        // A connected group with a second member group: the fan-out reaches the member group, one of its members
        // finishes for it, and every other member of that group then has the key.
        using CofferGroup owner = await alice.CreateGroupAsync(cancellationToken: Ct);
        GroupId connectedId = await owner.CreateConnectedGroupAsync(cancellationToken: Ct);
        using CofferGroup connected = await owner.GetConnectedGroupAsync(connectedId, cancellationToken: Ct);
        using CofferGroup team = await GroupTestUsers.CreateGroupWithAsync(bob, carol);
        await connected.InviteGroupAutoAsync(team.GroupId, cancellationToken: Ct);
        using CofferGroup bobConnected = await team.GetConnectedGroupAsync(connectedId, cancellationToken: Ct);
        string connectedOld = connected.EncryptString(Old);

        string connectedKey = await connected.KeyRotationAsync(cancellationToken: Ct);
        Assert.Equal(1L, (await connected.AwaitKeyRotationAsync(connectedKey, Wait, Ct)).Total);
        string connectedNew = connected.EncryptString(New);
        using (CofferGroup refetched = await team.GetConnectedGroupAsync(connectedId, cancellationToken: Ct))
        {
            Assert.True(refetched.KeyUpdate);
        }
        Assert.Equal([connectedKey], await bobConnected.FinishKeyRotationAsync(cancellationToken: Ct));
        Assert.Equal((New, Old), (bobConnected.DecryptString(connectedNew), bobConnected.DecryptString(connectedOld)));

        using CofferGroup carolTeam = await carol.GetGroupAsync(team.GroupId, cancellationToken: Ct);
        using CofferGroup carolConnected = await carolTeam.GetConnectedGroupAsync(connectedId, cancellationToken: Ct);
        Assert.False(carolConnected.KeyUpdate);
        Assert.Equal(New, carolConnected.DecryptString(connectedNew));
        Assert.Equal("from carol", connected.DecryptString(carolConnected.EncryptString("from carol")));
    }

    [Fact]
    public async Task UserKeyRotation_MissedByADevice_GroupRotationFinishesTheUserRotationFirst()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        CofferUser bob = await users.LoginAsync("bob");
        DeviceRegistrationStart phoneStart = await users.App.RegisterDeviceStartAsync("bob-phone", "phone password", Ct);
        await bob.RegisterDeviceAsync(phoneStart, Ct);
        using CofferUser phone = Assert.IsType<LoginResult.LoggedIn>(await users.App.LoginAsync("bob-phone", "phone password", Ct)).User;
        using CofferGroup group = await GroupTestUsers.CreateGroupWithAsync(alice, bob);
        using CofferGroup phoneGroup = await phone.GetGroupAsync(group.GroupId, cancellationToken: Ct);
        string oldUserKey = phone.NewestUserKey.GroupKeyId;

        // bob rotates the user keys on the first device; the phone does not finish it.
        string newUserKey = await Endpoint("POST /user/user_keys/rotation", () => bob.RotateUserKeysAsync(Ct));
        Assert.Equal(newUserKey, bob.NewestUserKey.GroupKeyId);
        KeyRotationProgress userProgress = await Endpoint("GET /api/coffer/v1/user/user_keys/rotation/:kid/progress",
            () => bob.AwaitUserKeyRotationAsync(newUserKey, Wait, Ct));
        Assert.Equal((1L, 1L), (userProgress.Total, userProgress.Done));
        Assert.Equal(newUserKey, (await users.App.FetchPublicKeyAsync(bob.UserId, verify: true, Ct)).Key.KeyId);

        // alice rotates the group: bob's copy of the ephemeral key is for the new user key, which the phone lacks.
        string groupKey = await group.KeyRotationAsync(cancellationToken: Ct);
        await group.AwaitKeyRotationAsync(groupKey, Wait, Ct);
        string data = group.EncryptString(New);
        Assert.Null(phone.FindUserKey(newUserKey));
        Assert.Equal([groupKey], await phoneGroup.FinishKeyRotationAsync(cancellationToken: Ct));
        Assert.Equal([newUserKey, oldUserKey], phone.UserKeys.Select(k => k.GroupKeyId));
        Assert.Equal(New, phoneGroup.DecryptString(data));
        Assert.Empty(await phone.FinishUserKeyRotationAsync(Ct));

        // The phone's answer was for bob's newest user key: the first device reads the new group key too.
        using CofferGroup bobGroup = await bob.GetGroupAsync(group.GroupId, cancellationToken: Ct);
        Assert.Equal(New, bobGroup.DecryptString(data));
        Assert.Equal("from the phone", bobGroup.DecryptString(phoneGroup.EncryptString("from the phone")));

        // Once more: an invite made after the next user-key rotation is for the newest user key; the phone's fetch
        // of that group finishes the user-key rotation first.
        string newest = await bob.RotateUserKeysAsync(Ct);
        await bob.AwaitUserKeyRotationAsync(newest, Wait, Ct);
        using CofferGroup later = await GroupTestUsers.CreateGroupWithAsync(alice, bob);
        Assert.Null(phone.FindUserKey(newest));
        using CofferGroup phoneLater = await phone.GetGroupAsync(later.GroupId, cancellationToken: Ct);
        Assert.Equal(newest, phone.NewestUserKey.GroupKeyId);
        Assert.Equal(New, phoneLater.DecryptString(later.EncryptString(New)));
    }

    [Fact]
    public async Task UserKeyRotation_OtherDeviceFinishesIt_SignsWithTheNewKey()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser bob = await users.LoginAsync("bob");
        DeviceRegistrationStart phoneStart = await users.App.RegisterDeviceStartAsync("bob-phone", "phone password", Ct);
        await bob.RegisterDeviceAsync(phoneStart, Ct);
        using CofferUser phone = Assert.IsType<LoginResult.LoggedIn>(await users.App.LoginAsync("bob-phone", "phone password", Ct)).User;

        string body = bob.PrepareUserKeyRotation();
        string answer = await users.SendAsync(bob, HttpMethod.Post, "/user/user_keys/rotation", body);
        string newUserKey = await bob.DoneUserKeyRotationAsync(answer, Ct);
        await bob.AwaitUserKeyRotationAsync(newUserKey, Wait, Ct);

        Assert.Equal([newUserKey], await phone.FinishUserKeyRotationAsync(Ct));
        Assert.Equal(bob.NewestUserKey.GroupKey.ExportJson(), phone.NewestUserKey.GroupKey.ExportJson());
        using CofferGroup group = await phone.CreateGroupAsync(sign: true, Ct);
        Assert.Equal(newUserKey, group.NewestKey.SignedByUserSignKeyId);
        using CofferGroup fromBob = await bob.GetGroupAsync(group.GroupId, verify: true, cancellationToken: Ct);
        Assert.True(fromBob.NewestKey.SignatureVerified);
    }

    [Fact]
    public async Task FinishKeyRotation_ServerCouldNotEncryptOneRotation_IsSdk10AfterFinishingTheOthers()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        UserId bobId = await users.RegisterAsync("bob");
        using CofferGroup group = await alice.CreateGroupAsync(cancellationToken: Ct);
        await group.InviteAutoAsync(bobId, cancellationToken: Ct);
        string first = await group.KeyRotationAsync(cancellationToken: Ct);
        await group.AwaitKeyRotationAsync(first, Wait, Ct);
        string second = await group.KeyRotationAsync(cancellationToken: Ct);
        await group.AwaitKeyRotationAsync(second, Wait, Ct);

        // bob's client sees the second rotation as the server stores a failed encryption (api.md §6.2): an error, no ciphertext.
        using var http = new HttpClient(new PendingErrorHandler($"/api/v1/group/{group.GroupId}/key_rotation", second));
        using var client = new CofferClient(server.BaseUrl, server.Credentials.PublicToken, http);
        using CofferUser bob = Assert.IsType<LoginResult.LoggedIn>(await client.LoginAsync("bob", Password, Ct)).User;
        using CofferGroup bobGroup = await bob.GetGroupAsync(group.GroupId, cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<CofferException>(() => bobGroup.FinishKeyRotationAsync(cancellationToken: Ct));
        Assert.Equal(("sdk_10", SdkError.KeyRotationFailed, second), (error.Code, error.SdkError, error.MissingKeyId));
        Assert.NotNull(bobGroup.FindKey(first));
        Assert.Null(bobGroup.FindKey(second));
    }

    [Fact]
    public async Task AwaitKeyRotation_StillRunningAtTheTimeout_IsSdk9AndUnknownKeyIsServer304()
    {
        int polls = 0;
        var running = new KeyRotationProgress("k", "g", 10, 3, 1, null, KeyRotationProgress.Running);
        var timeout = await Assert.ThrowsAsync<CofferException>(() => KeyRotationPolling.AwaitAsync(
            _ => { polls++; return Task.FromResult(running); }, TimeSpan.FromMilliseconds(300), TimeProvider.System, Ct));
        Assert.Equal(("sdk_9", SdkError.KeyRotationTimeout), (timeout.Code, timeout.SdkError));
        Assert.InRange(polls, 2, 10);

        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        using CofferGroup group = await alice.CreateGroupAsync(cancellationToken: Ct);
        var unknown = await Assert.ThrowsAsync<CofferException>(() => group.AwaitKeyRotationAsync(group.NewestKey.KeyId, Wait, Ct));
        Assert.True(unknown.Is(ProtocolError.GroupKeyNotFound));
    }

    /// <summary>Passes requests to the real server; in the answer of one pending-rotations GET, marks one rotation as failed.</summary>
    private sealed class PendingErrorHandler(string path, string failedKeyId) : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
            if (request.Method != HttpMethod.Get || request.RequestUri!.AbsolutePath != path)
            {
                return response;
            }

            JsonNode envelope = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
            foreach (JsonNode? rotation in envelope["result"]!.AsArray())
            {
                if (rotation!["new_group_key_id"]!.GetValue<string>() == failedKeyId)
                {
                    rotation["error"] = "The public key algorithm is not supported.";
                    rotation["encrypted_ephemeral_key_by_group_key_and_public_key"] = "";
                }
            }

            response.Content = new StringContent(envelope.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            return response;
        }
    }
}
