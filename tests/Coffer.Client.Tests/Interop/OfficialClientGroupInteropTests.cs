using System.Text;
using System.Text.Json;
using Coffer.Client.Groups;
using Coffer.Client.Tests.Groups;
using Coffer.Client.Tests.Infrastructure;
using Coffer.Protocol;
using static Coffer.Client.Tests.Groups.GroupTestUsers;

namespace Coffer.Client.Tests.Interop;

/// <summary>
/// Official-client users (sentc_wasm 0.15.0 in Node, keys made by the wasm) and Coffer.Client users in the same
/// groups on the real server: each decrypts what the other encrypted, invites and join requests work both ways, and
/// the server enforces ranks and kicks the same for both.
/// </summary>
public sealed class OfficialClientGroupInteropTests
{
    private const string Text = "hello there £ Я a a 👍";

    [Fact]
    public async Task SdkGroup_OfficialUserInvitedThenByJoinRequest_EachDecryptsTheOther()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        Official wasm = await Official.RegisterAsync(server, "wasm-user");
        using CofferGroup group = await alice.CreateGroupAsync(sign: true, Ct);

        await group.InviteAsync(wasm.UserId, cancellationToken: Ct);
        Assert.True((await wasm.RunAsync("group_accept_invite", group.GroupId)).GetProperty("ok").GetBoolean());
        string fromSdk = group.EncryptString(Text, sign: true);
        Assert.Equal(Text, (await wasm.RunAsync("group_decrypt", group.GroupId, ("data", fromSdk), ("signer", alice.UserId.Value))).Str("text"));
        string fromWasm = (await wasm.RunAsync("group_encrypt", group.GroupId, ("text", "from the official client"), ("sign", true))).Str("data");
        Assert.Equal("from the official client", await group.DecryptStringAsync(fromWasm, wasm.UserId, Ct));

        using CofferGroup second = await alice.CreateGroupAsync(cancellationToken: Ct);
        Assert.True((await wasm.RunAsync("group_join_req", second.GroupId)).GetProperty("ok").GetBoolean());
        GroupJoinRequest request = Assert.Single(await second.GetJoinRequestsAsync(cancellationToken: Ct));
        Assert.Equal(wasm.UserId.Value, request.MemberId);
        await second.AcceptJoinRequestAsync(wasm.UserId, GroupRank.Editor, Ct);
        Assert.Equal(Text, (await wasm.RunAsync("group_decrypt", second.GroupId, ("data", second.EncryptString(Text)))).Str("text"));
        Assert.Equal(GroupRank.Editor, (await wasm.RunAsync("group_fetch", second.GroupId)).GetProperty("rank").GetInt32());
    }

    [Fact]
    public async Task OfficialGroup_SdkUserInvitedThenByJoinRequest_EachDecryptsTheOther()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser bob = await users.LoginAsync("bob");
        CofferUser carol = await users.LoginAsync("carol");
        Official wasm = await Official.RegisterAsync(server, "wasm-user");
        var groupId = new GroupId((await wasm.RunAsync("group_create", null, ("sign", true))).Str("group_id"));

        Assert.True((await wasm.RunAsync("group_invite", groupId, ("user_id", bob.UserId.Value))).GetProperty("ok").GetBoolean());
        Assert.Equal(groupId, Assert.Single(await bob.GetGroupInvitesAsync(cancellationToken: Ct)).GroupId);
        await bob.AcceptGroupInviteAsync(groupId, Ct);
        using CofferGroup bobGroup = await bob.GetGroupAsync(groupId, verify: true, cancellationToken: Ct);
        GroupKey key = Assert.Single(bobGroup.Keys);
        Assert.True(key.SignatureVerified);
        Assert.Equal(wasm.UserId, key.SignedByUserId);
        string fromWasm = (await wasm.RunAsync("group_encrypt", groupId, ("text", Text), ("sign", true))).Str("data");
        Assert.Equal(Text, await bobGroup.DecryptStringAsync(fromWasm, wasm.UserId, Ct));
        string fromSdk = bobGroup.EncryptString("from Coffer.Client", sign: true);
        Assert.Equal("from Coffer.Client", (await wasm.RunAsync("group_decrypt", groupId, ("data", fromSdk), ("signer", bob.UserId.Value))).Str("text"));

        await carol.SendJoinRequestAsync(groupId, Ct);
        Assert.True((await wasm.RunAsync("group_accept_join_req", groupId, ("user_id", carol.UserId.Value))).GetProperty("ok").GetBoolean());
        using CofferGroup carolGroup = await carol.GetGroupAsync(groupId, cancellationToken: Ct);
        Assert.Equal(Text, await carolGroup.DecryptStringAsync(fromWasm, cancellationToken: Ct));
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
        Official wasm = await Official.RegisterAsync(server, "wasm-user");
        using CofferGroup group = await alice.CreateGroupAsync(cancellationToken: Ct);
        await group.InviteAutoAsync(bob.UserId, cancellationToken: Ct);
        await group.InviteAutoAsync(wasm.UserId, cancellationToken: Ct);
        using CofferGroup bobGroup = await bob.GetGroupAsync(group.GroupId, cancellationToken: Ct);

        // Both members have rank 4: neither may kick nor invite (the official client is made to skip its own rank check).
        Assert.Equal("server_301", (await wasm.RunAsync("group_kick", group.GroupId, ("user_id", bob.UserId.Value))).Str("failure"));
        var sdkKick = await Assert.ThrowsAsync<CofferException>(() => bobGroup.KickAsync(wasm.UserId.Value, Ct));
        Assert.True(sdkKick.Is(ProtocolError.GroupUserRank));
        Assert.Contains("server_301", (await wasm.RunAsync("group_invite", group.GroupId, ("user_id", dave.Value), ("admin_rank", 0))).Str("failure"));
        var sdkInvite = await Assert.ThrowsAsync<CofferException>(() => bobGroup.InviteAsync(dave, cancellationToken: Ct));
        Assert.True(sdkInvite.Is(ProtocolError.GroupUserRank));

        // A manager (rank 2) of either client kicks a member; the creator cannot be kicked by either.
        await group.UpdateRankAsync(wasm.UserId.Value, GroupRank.Manager, Ct);
        Assert.Equal("server_315", (await wasm.RunAsync("group_kick", group.GroupId, ("user_id", alice.UserId.Value))).Str("failure"));
        Assert.True((await wasm.RunAsync("group_kick", group.GroupId, ("user_id", bob.UserId.Value))).GetProperty("ok").GetBoolean());
        var kicked = await Assert.ThrowsAsync<CofferException>(() => bob.GetGroupAsync(group.GroupId, cancellationToken: Ct));
        Assert.True(kicked.Is(ProtocolError.GroupAccess));

        await group.KickAsync(wasm.UserId.Value, Ct);
        Assert.Equal("server_310", (await wasm.RunAsync("group_fetch", group.GroupId)).Str("failure"));
    }

    /// <summary>A user registered and driven by the official client (its keys are made by the wasm).</summary>
    private sealed class Official(RunningServer server, string identifier, UserId userId)
    {
        private const string Password = "wasm password ✓";

        public UserId UserId { get; } = userId;

        public static async Task<Official> RegisterAsync(RunningServer server, string identifier)
        {
            JsonElement prepared = await OfficialClient.RunAsync(
                new Dictionary<string, string> { ["op"] = "prepare_register", ["identifier"] = identifier, ["password"] = Password }, Ct);
            using var http = new HttpClient { BaseAddress = server.BaseUrl };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/register")
            {
                Content = new StringContent(prepared.Str("body"), Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-sentc-app-token", server.Credentials.SecretToken);
            using HttpResponseMessage response = await http.SendAsync(request, Ct);
            return new Official(server, identifier, OwnBackend.DoneRegister(await response.Content.ReadAsStringAsync(Ct)).UserId);
        }

        public Task<JsonElement> RunAsync(string op, GroupId? group, params (string Name, object Value)[] arguments)
        {
            var command = new Dictionary<string, object>
            {
                ["op"] = op,
                ["base_url"] = server.BaseUrl.ToString().TrimEnd('/'),
                ["token"] = server.Credentials.PublicToken,
                ["identifier"] = identifier,
                ["password"] = Password,
            };
            if (group is { } id)
            {
                command["group_id"] = id.Value;
            }

            foreach ((string name, object value) in arguments)
            {
                command[name] = value;
            }

            return OfficialClient.RunAsync(command, Ct);
        }
    }
}
