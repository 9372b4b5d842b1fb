using System.Security.Cryptography;
using Coffer.Chat.Client;
using Coffer.Chat.Tests.Infrastructure;
using Coffer.Client;
using Coffer.Server;
using Coffer.Server.Auth;
using Coffer.Server.Features.Apps;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Chat.Tests.EndToEnd;

/// <summary>
/// The chat on its own (<c>coffer chat serve</c>): one host runs the Coffer platform, another the chat with its own
/// database, verifying JWTs with the app's verify key and reaching the platform's forced endpoints with the secret
/// token — both on loopback ports.
/// </summary>
public sealed class StandaloneTests(TestDatabases databases)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, Databases]
    public async Task TwoHosts_SecretChatAndSecretGroup_CreateCheckedKickedAndDeletedOverHttp(DatabaseKind db)
    {
        WebApplication platform = CofferServer.Build([], new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            [CofferServer.DatabaseConfigKey] = await databases.CreateAsync(db),
            [RootKey.ConfigKey] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        });
        await platform.StartAsync(Ct);
        AppCredentials credentials = await platform.Services.GetRequiredService<AppAdmin>().CreateAsync("chat", Ct);
        var platformUrl = new Uri(platform.Urls.Single());
        WebApplication chat = ChatHosting.BuildStandalone([], new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            [ChatModule.DatabaseConfigKey] = await databases.CreateAsync(db),
            [ChatModule.VerifyKeysConfigKey] = credentials.JwtVerifyKey,
            [ChatModule.CofferUrlConfigKey] = platformUrl.ToString(),
            [ChatModule.SecretTokenConfigKey] = credentials.SecretToken,
        });
        await chat.StartAsync(Ct);
        try
        {
            using var http = new HttpClient();
            using var users = new SdkUsers(platformUrl, credentials.PublicToken, credentials.SecretToken, new Uri(chat.Urls.Single()), http);
            ChatClient alice = await users.ChatAsync("alice");
            ChatClient bob = await users.ChatAsync("bob");

            SecretChatInfo secretChat = await alice.CreateSecretChatAsync(bob.UserId, Ct);
            await bob.ApproveSecretChatAsync(secretChat.Id, Ct);
            await alice.SendMessageAsync(ChatThread.SecretChat(secretChat.Id), "over two hosts", cancellationToken: Ct);
            Assert.Equal("over two hosts", (await bob.GetMessagesAsync(ChatThread.SecretChat(secretChat.Id), cancellationToken: Ct)).Messages[0].Text);

            // The chat host checks the platform group's owner over HTTP: bob cannot bind alice's group.
            using CofferGroupHandle foreign = new(await alice.User.CreateGroupAsync(cancellationToken: Ct));
            Assert.Equal(403, (await Assert.ThrowsAsync<ChatApiException>(() => bob.SendAsync(HttpMethod.Post, "group/create-secret",
                new System.Text.Json.Nodes.JsonObject { ["name"] = "stolen", ["coffer_group_id"] = foreign.Group.GroupId.Value }, Ct))).Status);

            ChatGroup group = await alice.CreateSecretGroupAsync("Remote vault", cancellationToken: Ct);
            var thread = ChatThread.Group(group.Id);
            await alice.SendMessageAsync(thread, "before bob", cancellationToken: Ct);
            await bob.JoinGroupByInviteCodeAsync(group.InviteCode!, Ct);
            Assert.Equal([bob.UserId], (await alice.SyncSecretGroupAsync(group.Id, Ct)).KeysHandedOver);
            Assert.Equal("before bob", (await bob.GetMessagesAsync(thread, cancellationToken: Ct)).Messages[0].Text);

            // Removal: the forced kick goes over HTTP; bob's platform access ends, the key is rotated.
            await alice.RemoveMemberAsync(group.Id, bob.UserId, Ct);
            await Assert.ThrowsAsync<CofferException>(() => bob.User.GetGroupAsync(group.CofferGroupId!.Value, cancellationToken: Ct));
            await alice.SendMessageAsync(thread, "after bob", cancellationToken: Ct);
            Assert.Equal(["after bob", "before bob"], (await alice.GetMessagesAsync(thread, cancellationToken: Ct)).Messages.Select(m => m.Text));

            // Deleting the chat group deletes the platform group (forced delete over HTTP).
            await alice.DeleteGroupAsync(group.Id, Ct);
            await Assert.ThrowsAsync<CofferException>(() => alice.User.GetGroupAsync(group.CofferGroupId!.Value, cancellationToken: Ct));
        }
        finally
        {
            await chat.StopAsync(CancellationToken.None);
            await chat.DisposeAsync();
            await platform.StopAsync(CancellationToken.None);
            await platform.DisposeAsync();
        }
    }

    private sealed class CofferGroupHandle(Coffer.Client.Groups.CofferGroup group) : IDisposable
    {
        public Coffer.Client.Groups.CofferGroup Group { get; } = group;

        public void Dispose() => Group.Dispose();
    }
}
