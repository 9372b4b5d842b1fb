using System.Net;
using System.Text;
using Coffer.Chat.Tests.Infrastructure;
using Coffer.Crypto;

namespace Coffer.Chat.Tests.SecretChats;

public sealed class SecretChatTests(TestDatabases databases)
{
    /// <summary>The seed's workflow end to end with real keys: the server only ever holds public keys and wrapped keys.</summary>
    [Theory, Databases]
    public async Task Workflow_BothUsersDecryptTheOtherOnesMessage(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser a = await app.UserAsync();
        ChatUser b = await app.UserAsync();

        ChatAnswer created = (await app.PostAsync("/api/secret-chat/create", a, new { target_user = b.Id })).Ok();
        long id = created["chat"].GetProperty("id").GetInt64();
        ChatAnswer fresh = (await app.GetAsync($"/api/secret-chat/get/{id}", a)).Ok();
        Assert.Equal(
            ["id", "user_1", "user_2", "user_1_public_key", "user_2_public_key", "user_1_encrypted_symmetric_key",
             "user_2_encrypted_symmetric_key", "user_2_accepted", "key_finalized"],
            fresh.Body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(a.Id, fresh["user_1"].GetString());
        Assert.Equal(b.Id, fresh["user_2"].GetString());
        Assert.False(fresh["user_2_accepted"].GetBoolean());
        Assert.False(fresh["key_finalized"].GetBoolean());

        // A: key pair, public key up.
        (PrivateKey aPrivate, PublicKey aPublic) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        Assert.Equal("success", (await app.PostAsync($"/api/secret-chat/add-public-key/{id}", a,
            new { public_key = Convert.ToBase64String(aPublic.Export()) })).Ok()["message"].GetString());

        // B: approves, key pair, public key up, K wrapped for both.
        Assert.Equal("success", (await app.PostAsync($"/api/secret-chat/approve/{id}", b)).Ok()["message"].GetString());
        (PrivateKey bPrivate, PublicKey bPublic) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        (await app.PostAsync($"/api/secret-chat/add-public-key/{id}", b, new { public_key = Convert.ToBase64String(bPublic.Export()) })).Ok();
        ChatAnswer forB = (await app.GetAsync($"/api/secret-chat/get/{id}", b)).Ok();
        Assert.True(forB["user_2_accepted"].GetBoolean());
        PublicKey aPublicFromServer = PublicKey.Import(
            EncryptionAlgorithm.Default, Convert.FromBase64String(forB["user_1_public_key"].GetString()!), "");
        using (SymmetricKey k = SymmetricKey.Generate())
        {
            (await app.PostAsync($"/api/secret-chat/add-symmetric-key/{id}", b, new
            {
                user_1_encrypted_symmetric_key = Convert.ToBase64String(aPublicFromServer.Wrap(k)),
                user_2_encrypted_symmetric_key = Convert.ToBase64String(bPublic.Wrap(k)),
            })).Ok();
        }

        ChatAnswer final = (await app.GetAsync($"/api/secret-chat/get/{id}", a)).Ok();
        Assert.True(final["key_finalized"].GetBoolean());
        using SymmetricKey kA = aPrivate.UnwrapSymmetricKey(Convert.FromBase64String(final["user_1_encrypted_symmetric_key"].GetString()!), "");
        using SymmetricKey kB = bPrivate.UnwrapSymmetricKey(Convert.FromBase64String(final["user_2_encrypted_symmetric_key"].GetString()!), "");

        string sealedText = Convert.ToBase64String(kA.Encrypt(Encoding.UTF8.GetBytes("hello B")));
        ChatAnswer sent = (await app.PostAsync($"/api/secret-chat/{id}/messages", a, new { encrypted_content = sealedText })).Ok();
        Assert.Equal(a.Id, sent["message"].GetProperty("sender_id").GetString());
        ChatAnswer listed = (await app.GetAsync($"/api/secret-chat/{id}/messages", b)).Ok();
        string received = listed["messages"][0].GetProperty("encrypted_content").GetString()!;
        Assert.Equal("hello B", Encoding.UTF8.GetString(kB.Decrypt(Convert.FromBase64String(received))));
        aPrivate.Dispose();
        bPrivate.Dispose();
    }

    [Theory, Databases]
    public async Task KeyRules_OnlyUserBAfterApprovalAndOnlyOnce(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser a = await app.UserAsync();
        ChatUser b = await app.UserAsync();
        ChatUser eve = await app.UserAsync();
        long id = (await app.PostAsync("/api/secret-chat/create", a, new { target_user = b.Id })).Ok()["chat"].GetProperty("id").GetInt64();
        var keys = new { user_1_encrypted_symmetric_key = Answers.B64("k1"), user_2_encrypted_symmetric_key = Answers.B64("k2") };

        // No messages before the keys are final.
        Assert.Equal(HttpStatusCode.Conflict, (await app.PostAsync($"/api/secret-chat/{id}/messages", a, new { encrypted_content = Answers.B64("x") })).Status);
        // Only B approves; a stranger is no participant.
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync($"/api/secret-chat/approve/{id}", a)).Status);
        Assert.Equal("Not a participant", (await app.PostAsync($"/api/secret-chat/approve/{id}", eve)).Is(HttpStatusCode.Forbidden).Detail);
        // Before approval, before public keys: refused.
        Assert.Equal(HttpStatusCode.Conflict, (await app.PostAsync($"/api/secret-chat/add-symmetric-key/{id}", b, keys)).Status);
        (await app.PostAsync($"/api/secret-chat/approve/{id}", b)).Ok();
        Assert.Equal(HttpStatusCode.Conflict, (await app.PostAsync($"/api/secret-chat/add-symmetric-key/{id}", b, keys)).Status);
        (await app.PostAsync($"/api/secret-chat/add-public-key/{id}", a, new { public_key = Answers.B64("pa") })).Ok();
        (await app.PostAsync($"/api/secret-chat/add-public-key/{id}", b, new { public_key = Answers.B64("pb") })).Ok();
        // User A never uploads the symmetric keys (the seed's 403), nor does a stranger.
        Assert.Equal("Only User B can upload symmetric keys",
            (await app.PostAsync($"/api/secret-chat/add-symmetric-key/{id}", a, keys)).Is(HttpStatusCode.Forbidden).Detail);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync($"/api/secret-chat/add-symmetric-key/{id}", eve, keys)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync($"/api/secret-chat/add-public-key/{id}", eve, new { public_key = Answers.B64("pe") })).Status);
        (await app.PostAsync($"/api/secret-chat/add-symmetric-key/{id}", b, keys)).Ok();

        // Finalized: neither keys nor public keys can be overwritten.
        var other = new { user_1_encrypted_symmetric_key = Answers.B64("evil1"), user_2_encrypted_symmetric_key = Answers.B64("evil2") };
        Assert.Equal(HttpStatusCode.Conflict, (await app.PostAsync($"/api/secret-chat/add-symmetric-key/{id}", b, other)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await app.PostAsync($"/api/secret-chat/add-public-key/{id}", a, new { public_key = Answers.B64("new") })).Status);
        ChatAnswer chat = (await app.GetAsync($"/api/secret-chat/get/{id}", b)).Ok();
        Assert.Equal(Answers.B64("k1"), chat["user_1_encrypted_symmetric_key"].GetString());
        Assert.Equal(Answers.B64("pa"), chat["user_1_public_key"].GetString());

        // Get: stranger 403 (the seed's "Not a participant"), unknown 404, bad bodies 400.
        Assert.Equal(HttpStatusCode.Forbidden, (await app.GetAsync($"/api/secret-chat/get/{id}", eve)).Status);
        Assert.Equal("Secret chat not found", (await app.GetAsync($"/api/secret-chat/get/{id + 1000}", a)).Is(HttpStatusCode.NotFound).Detail);
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync("/api/secret-chat/get/abc", a)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync($"/api/secret-chat/add-public-key/{id}", a, new { public_key = "not base64!" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.SendAsync(HttpMethod.Post, "/api/secret-chat/create", a, rawBody: "{oops")).Status);
    }

    [Theory, Databases]
    public async Task Create_UnknownOrSelfTarget_Refused_ListAndDelete(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser a = await app.UserAsync();
        ChatUser b = await app.UserAsync();
        Assert.Equal("User not found", (await app.PostAsync("/api/secret-chat/create", a, new { target_user = Guid.NewGuid().ToString() })).Is(HttpStatusCode.NotFound).Detail);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync("/api/secret-chat/create", a, new { target_user = a.Id })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync("/api/secret-chat/create", a, new { })).Status);

        long id = (await app.PostAsync("/api/secret-chat/create", a, new { target_user = b.Id })).Ok()["chat"].GetProperty("id").GetInt64();
        Assert.Equal([id], (await app.GetAsync("/api/secret-chat/list", b)).Ok()["chats"].EnumerateArray().Select(c => c.GetProperty("id").GetInt64()));
        (await app.SendAsync(HttpMethod.Delete, $"/api/secret-chat/{id}", b)).Ok();
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync($"/api/secret-chat/get/{id}", a)).Status);
        Assert.Empty((await app.GetAsync("/api/secret-chat/list", a)).Ok()["chats"].EnumerateArray());
    }
}
