using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Coffer.Chat.Messages;
using Coffer.Chat.Platform;
using Coffer.Chat.Tests.Infrastructure;
using Coffer.Chat.Tests.Live;
using Coffer.Crypto;
using Coffer.Crypto.Sentc;
using Coffer.Server.Data;
using Coffer.Server.Features.Users;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Chat.Tests.Groups;

/// <summary>The secret-group rules the chat server enforces with the platform (API level, real platform groups).</summary>
public sealed class SecretGroupApiTests(TestDatabases databases)
{
    private static long Id(ChatAnswer answer) => answer["group"].GetProperty("id").GetInt64();

    [Theory, Databases]
    public async Task CreateSecret_NeedsAPlatformGroupTheCallerAdministers_OneChatGroupPerPlatformGroup(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        ChatUser bob = await app.UserAsync();
        string bobs = await app.PlatformGroupAsync(bob);

        Assert.Equal("coffer_group_id is required", (await app.PostAsync("/api/group/create-secret", alice, new { name = "x" })).Is(HttpStatusCode.BadRequest).Detail);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync("/api/group/create-secret", alice, new { name = "x", coffer_group_id = "not-a-group" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync("/api/group/create-secret", alice, new { name = "x", coffer_group_id = 42 })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync("/api/group/create-secret", alice, new { name = "x", coffer_group_id = Guid.NewGuid().ToString() })).Status);
        Assert.Equal("The Coffer group does not exist or the caller is not its admin",
            (await app.PostAsync("/api/group/create-secret", alice, new { name = "x", coffer_group_id = bobs })).Is(HttpStatusCode.Forbidden).Detail);

        ChatAnswer created = (await app.PostAsync("/api/group/create-secret", bob, new { name = "Bob's", coffer_group_id = bobs.ToUpperInvariant() })).Ok();
        Assert.Equal(bobs, created["group"].GetProperty("coffer_group_id").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await app.PostAsync("/api/group/create-secret", bob, new { name = "again", coffer_group_id = bobs })).Status);
        // Public and private groups have none.
        Assert.Equal(System.Text.Json.JsonValueKind.Null,
            (await app.PostAsync("/api/group/create", bob, new { name = "p", type = "private" })).Ok()["group"].GetProperty("coffer_group_id").ValueKind);
        Assert.Single((await app.GetAsync("/api/group/user-groups", bob)).Ok()["groups"].EnumerateArray(), g => g.GetProperty("coffer_group_id").GetString() == bobs);
    }

    [Theory, Databases]
    public async Task SecretMessages_MustBeGroupCiphertextUnderTheNewestKey_KeyRotatedRecordsIt(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        ChatUser bob = await app.UserAsync();
        ChatAnswer created = await app.SecretGroupAsync(alice, "Sealed");
        long id = Id(created);
        string platform = created["group"].GetProperty("coffer_group_id").GetString()!;
        string keyId = (await app.Services.GetRequiredService<UserStore>().GroupPublicKeyAsync(app.Credentials.App, platform, CancellationToken.None))!.PublicKeyId;

        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync($"/api/group/{id}/messages", alice, new { encrypted_content = Answers.B64("not ciphertext") })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync($"/api/group/{id}/messages", alice, new { content = "plain" })).Status);
        ChatAnswer stale = (await app.PostAsync($"/api/group/{id}/messages", alice, new { encrypted_content = Sealed("old-key", "hi") })).Is(HttpStatusCode.Conflict);
        Assert.StartsWith(MessageStore.StaleKeyDetail, stale.Detail);
        ChatAnswer sent = (await app.PostAsync($"/api/group/{id}/messages", alice, new { encrypted_content = Sealed(keyId, "hi") })).Ok();
        Assert.True(sent["message"].GetProperty("is_encrypted").GetBoolean());
        long messageId = sent["message"].GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Conflict,
            (await app.SendAsync(HttpMethod.Put, $"/api/group/{id}/messages/{messageId}", alice, new { encrypted_content = Sealed("old-key", "edit") })).Status);
        (await app.SendAsync(HttpMethod.Put, $"/api/group/{id}/messages/{messageId}", alice, new { encrypted_content = Sealed(keyId, "edit") })).Ok();

        // key-rotated: admins and moderators of secret groups only; answers the platform's newest key id.
        (await app.PostAsync("/api/group/join", bob, new { invite_code = created["group"].GetProperty("invite_code").GetString() })).Ok();
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync($"/api/group/{id}/key-rotated", bob)).Status);
        long pub = Id((await app.PostAsync("/api/group/create", alice, new { name = "open" })).Ok());
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync($"/api/group/{pub}/key-rotated", alice)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await app.PostAsync($"/api/group/{id + 100}/key-rotated", alice)).Status);
        Assert.Equal(keyId, (await app.PostAsync($"/api/group/{id}/key-rotated", alice)).Ok()["key_id"].GetString());
        // Moderators remove members and so rotate too: they may record it.
        (await app.PostAsync($"/api/group/{id}/change-role", alice, new { user_id = bob.Id, role = "moderator" })).Ok();
        Assert.Equal(keyId, (await app.PostAsync($"/api/group/{id}/key-rotated", bob)).Ok()["key_id"].GetString());
    }

    [Theory, Databases]
    public async Task LeaveAndRemove_TakeTheMemberOutOfThePlatformGroup_MarkTheKeyForRotation_DeleteDeletesIt(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        ChatUser bob = await app.UserAsync();
        ChatUser carol = await app.UserAsync();
        ChatAnswer created = await app.SecretGroupAsync(alice, "Sealed");
        long id = Id(created);
        string platform = created["group"].GetProperty("coffer_group_id").GetString()!;
        string code = created["group"].GetProperty("invite_code").GetString()!;
        ICofferPlatform platformApi = app.Services.GetRequiredService<ICofferPlatform>();
        foreach (ChatUser joiner in (ChatUser[])[bob, carol])
        {
            (await app.PostAsync("/api/group/join", joiner, new { invite_code = code })).Ok();
            await AddPlatformMemberAsync(app, platform, joiner.Id);
            Assert.Equal(4, await platformApi.RankAsync(platform, joiner.Id, CancellationToken.None));
        }

        Assert.False((await app.GetAsync($"/api/group/{id}", alice)).Ok()["group"].GetProperty("key_rotation_pending").GetBoolean());
        (await app.PostAsync($"/api/group/{id}/remove-member", alice, new { user_id = bob.Id })).Ok();
        Assert.Null(await platformApi.RankAsync(platform, bob.Id, CancellationToken.None));
        Assert.True((await app.GetAsync($"/api/group/{id}", alice)).Ok()["group"].GetProperty("key_rotation_pending").GetBoolean());
        (await app.PostAsync($"/api/group/leave/{id}", carol)).Ok();
        Assert.Null(await platformApi.RankAsync(platform, carol.Id, CancellationToken.None));
        Assert.Equal(1, (await app.GetAsync($"/api/group/{id}", alice)).Ok()["group"].GetProperty("member_count").GetInt64());

        // The platform group's creator cannot leave (even with another admin): it holds the platform group.
        (await app.PostAsync("/api/group/join", bob, new { invite_code = code })).Ok();
        (await app.PostAsync($"/api/group/{id}/change-role", alice, new { user_id = bob.Id, role = "admin" })).Ok();
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync($"/api/group/{id}", alice)).Status);
        await AddPlatformMemberAsync(app, platform, bob.Id);
        Assert.StartsWith("The creator of a secret group", (await app.PostAsync($"/api/group/leave/{id}", alice)).Is(HttpStatusCode.Conflict).Detail);
        Assert.Equal(HttpStatusCode.Conflict, (await app.PostAsync($"/api/group/{id}/remove-member", bob, new { user_id = alice.Id })).Status);
        Assert.Equal(2, (await app.GetAsync($"/api/group/{id}", alice)).Ok()["group"].GetProperty("member_count").GetInt64());

        (await app.SendAsync(HttpMethod.Delete, $"/api/group/{id}", alice)).Ok();
        Assert.Null(await platformApi.NewestKeyIdAsync(platform, CancellationToken.None));
        Assert.Null(await platformApi.RankAsync(platform, alice.Id, CancellationToken.None));
    }

    [Theory, Databases]
    public async Task KeysHandedOver_ConfirmedWithThePlatform_LedgerShowsKeysReady_MemberNotified_RemovalClearsIt(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        ChatUser bob = await app.UserAsync();
        ChatUser outsider = await app.UserAsync();
        ChatAnswer created = await app.SecretGroupAsync(alice, "Sealed");
        long id = Id(created);
        string platform = created["group"].GetProperty("coffer_group_id").GetString()!;
        (await app.PostAsync("/api/group/join", bob, new { invite_code = created["group"].GetProperty("invite_code").GetString() })).Ok();
        Assert.Equal([(alice.Id, true), (bob.Id, false)], await KeysReadyAsync(app, alice, id));

        // Only admins and moderators report; bad bodies and other groups are refused.
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync($"/api/group/{id}/keys-handed-over", bob, new { user_ids = new[] { bob.Id } })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await app.PostAsync($"/api/group/{id}/keys-handed-over", outsider, new { user_ids = new[] { bob.Id } })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync($"/api/group/{id}/keys-handed-over", alice, new { user_ids = Array.Empty<string>() })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync($"/api/group/{id}/keys-handed-over", alice, new { user_ids = new[] { 1 } })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync($"/api/group/{id}/keys-handed-over", alice, new { user_ids = Enumerable.Repeat(bob.Id, 101) })).Status);
        long open = Id((await app.PostAsync("/api/group/create", alice, new { name = "open" })).Ok());
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync($"/api/group/{open}/keys-handed-over", alice, new { user_ids = new[] { alice.Id } })).Status);
        Assert.False((await app.GetAsync($"/api/group/{open}", alice)).Ok()["group"].GetProperty("members")[0].TryGetProperty("keys_ready", out _));

        // A report the platform does not back (bob is not in the platform group yet) changes nothing, nor does one for an outsider.
        ChatAnswer unbacked = (await app.PostAsync($"/api/group/{id}/keys-handed-over", alice, new { user_ids = new[] { bob.Id, outsider.Id } })).Ok();
        Assert.Empty(unbacked["handed_over"].EnumerateArray());
        await AddPlatformMemberAsync(app, platform, outsider.Id);
        Assert.Equal([(alice.Id, true), (bob.Id, false)], await KeysReadyAsync(app, alice, id));

        using WebSocket bobSocket = await LiveDeliveryTests.ConnectAsync(app, bob);
        await AddPlatformMemberAsync(app, platform, bob.Id);
        ChatAnswer handed = (await app.PostAsync($"/api/group/{id}/keys-handed-over", alice, new { user_ids = new[] { bob.Id.ToUpperInvariant(), outsider.Id } })).Ok();
        string keyId = (await app.Services.GetRequiredService<ICofferPlatform>().NewestKeyIdAsync(platform, CancellationToken.None))!;
        Assert.Equal([bob.Id], handed["handed_over"].EnumerateArray().Select(u => u.GetString()));
        Assert.Equal(keyId, handed["key_id"].GetString());
        Assert.Equal([(alice.Id, true), (bob.Id, true)], await KeysReadyAsync(app, bob, id));
        JsonElement notice = await LiveDeliveryTests.ReceiveAsync(bobSocket);
        Assert.Equal("group.keys_handed_over", notice.GetProperty("type").GetString());
        Assert.Equal(id, notice.GetProperty("thread_id").GetInt64());

        // The ledger holds ids only: bob's public key id (null here: the test user has no platform keys) and the key id.
        await using (var connection = await app.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None))
        {
            Assert.Equal(keyId, await connection.ExecuteScalarAsync<string>(
                "SELECT encrypted_symmetric_key FROM chat_secret_group_key WHERE group_id = @id AND user_id = @user", new { id, user = bob.Id }));
        }

        (await app.PostAsync($"/api/group/{id}/remove-member", alice, new { user_id = bob.Id })).Ok();
        Assert.Equal([(alice.Id, true)], await KeysReadyAsync(app, alice, id));
        await using (var connection = await app.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None))
        {
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM chat_secret_group_key WHERE user_id = @user", new { user = bob.Id }));
        }
    }

    private static async Task<(string, bool)[]> KeysReadyAsync(ChatTestApp app, ChatUser reader, long id) =>
        [.. (await app.GetAsync($"/api/group/{id}", reader)).Ok()["group"].GetProperty("members").EnumerateArray()
            .Select(m => (m.GetProperty("user_id").GetString()!, m.GetProperty("keys_ready").GetBoolean()))];

    /// <summary>Makes the user a rank-4 member of the platform group, as an accepted join request leaves them (keys aside).</summary>
    private static async Task AddPlatformMemberAsync(ChatTestApp app, string group, string user)
    {
        await using var connection = await app.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(
            "INSERT INTO group_member (group_id, member_id, member_type, rank, joined_at) VALUES (@group, @user, 0, 4, @now)",
            new { group, user, now = app.Clock.GetUtcNow().ToUnixTimeMilliseconds() });
    }

    private static string Sealed(string keyId, string text)
    {
        using var key = SymmetricKey.Generate(keyId);
        return Convert.ToBase64String(EncryptedData.Encrypt(key, Encoding.UTF8.GetBytes(text), null));
    }
}
