using Coffer.Client.Groups;
using Coffer.Client.Tests.Groups;
using Coffer.Client.Tests.Infrastructure;
using static Coffer.Client.Tests.Groups.GroupTestUsers;

namespace Coffer.Client.Tests.Interop;

/// <summary>
/// Key rotation across clients on the real server: the official client (sentc_wasm 0.15.0 through
/// tests/interop-node/driver.js, as the JS SDK does it) finishes a rotation Coffer.Client started and the other way
/// round; then each decrypts what the other encrypted with the new key, and old data still opens with the old key.
/// </summary>
public sealed class OfficialClientRotationInteropTests(OfficialClient wasm) : IClassFixture<OfficialClient>
{
    private const string Old = "before the rotation";
    private const string New = "after the rotation £ Я 👍";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SdkStartsSignedRotation_OfficialClientFinishesIt_EachDecryptsTheOthersNewData()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser alice = await users.LoginAsync("alice");
        OfficialUser official = await OfficialUser.RegisterAsync(wasm, server, "wasm-user");
        using CofferGroup group = await alice.CreateGroupAsync(cancellationToken: Ct);
        await group.InviteAutoAsync(official.UserId, cancellationToken: Ct);
        string oldKey = group.NewestKey.KeyId;
        string oldData = group.EncryptString(Old);

        string newKey = await group.KeyRotationAsync(sign: true, Ct);
        await group.AwaitKeyRotationAsync(newKey, Wait, Ct);
        Assert.Equal([oldKey], await official.KeyIdsAsync(group.GroupId));
        Assert.Equal([newKey], await official.FinishKeyRotationAsync(group.GroupId));
        Assert.Equal([newKey, oldKey], await official.KeyIdsAsync(group.GroupId));
        Assert.Empty(await official.FinishKeyRotationAsync(group.GroupId));

        Assert.Equal(New, await official.DecryptAsync(group.GroupId, group.EncryptString(New)));
        Assert.Equal(Old, await official.DecryptAsync(group.GroupId, oldData));
        string fromOfficial = await official.EncryptAsync(group.GroupId, "from the official client", sign: true);
        Assert.Equal(newKey, (await wasm.CallAsync("split_head_and_encrypted_string", fromOfficial)).Str("id"));
        Assert.Equal("from the official client", await group.DecryptStringAsync(fromOfficial, official.UserId, Ct));
    }

    [Fact]
    public async Task OfficialClientStartsSignedRotation_SdkFinishesAndVerifiesIt_EachDecryptsTheOthersNewData()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        await using var users = new GroupTestUsers(server);
        CofferUser bob = await users.LoginAsync("bob");
        OfficialUser official = await OfficialUser.RegisterAsync(wasm, server, "wasm-user");
        GroupId groupId = await official.CreateGroupAsync(sign: false);
        await official.InviteAsync(groupId, bob.UserId);
        await bob.AcceptGroupInviteAsync(groupId, Ct);
        using CofferGroup bobGroup = await bob.GetGroupAsync(groupId, cancellationToken: Ct);
        string oldKey = bobGroup.NewestKey.KeyId;
        string oldData = await official.EncryptAsync(groupId, Old);

        string newKey = await official.KeyRotationAsync(groupId, sign: true);
        Assert.Equal([newKey, oldKey], await official.KeyIdsAsync(groupId));
        await bobGroup.AwaitKeyRotationAsync(newKey, Wait, Ct);
        Assert.Equal([newKey], await bobGroup.FinishKeyRotationAsync(verify: true, Ct));
        GroupKey key = bobGroup.NewestKey;
        Assert.Equal((newKey, true, official.UserId), (key.KeyId, key.SignatureVerified, key.SignedByUserId));

        string fromOfficial = await official.EncryptAsync(groupId, New);
        Assert.Equal(newKey, (await wasm.CallAsync("split_head_and_encrypted_string", fromOfficial)).Str("id"));
        Assert.Equal((New, Old), (bobGroup.DecryptString(fromOfficial), bobGroup.DecryptString(oldData)));
        Assert.Equal("from Coffer.Client", await official.DecryptAsync(groupId, bobGroup.EncryptString("from Coffer.Client")));
    }
}
