using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Coffer.Chat.Live;
using Coffer.Chat.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Chat.Tests.Live;

public sealed class LiveDeliveryTests(TestDatabases databases)
{
    internal static async Task<WebSocket> ConnectAsync(ChatTestApp app, ChatUser user)
    {
        WebSocketClient client = app.Server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers.Authorization = "Bearer " + user.Jwt;
        WebSocket socket = await client.ConnectAsync(new Uri("ws://localhost/api/live"), TestContext.Current.CancellationToken);
        // Bounded wait (50 × 100 ms) until the hub has registered the connection, so no event is sent before it.
        ChatHub hub = app.Services.GetRequiredService<ChatHub>();
        for (int i = 0; i < 50 && hub.ConnectionCount(user.Id) == 0; i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, hub.ConnectionCount(user.Id));
        return socket;
    }

    internal static async Task<JsonElement> ReceiveAsync(WebSocket socket)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        byte[] buffer = new byte[65536];
        WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.True(result.EndOfMessage);
        using JsonDocument doc = JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count));
        return doc.RootElement.Clone();
    }

    [Theory, Databases]
    public async Task GroupMessage_DeliveredToMembersSocket_CreatedUpdatedDeleted(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        ChatUser bob = await app.UserAsync();
        ChatUser outsider = await app.UserAsync();
        long group = (await app.PostAsync("/api/group/create", alice, new { name = "g" })).Ok()["group"].GetProperty("id").GetInt64();
        (await app.PostAsync("/api/group/join", bob, new { group_id = group })).Ok();
        using WebSocket bobSocket = await ConnectAsync(app, bob);
        using WebSocket outsiderSocket = await ConnectAsync(app, outsider);

        long id = (await app.PostAsync($"/api/group/{group}/messages", alice, new { content = "live!" })).Ok()["message"].GetProperty("id").GetInt64();
        JsonElement created = await ReceiveAsync(bobSocket);
        Assert.Equal("message.created", created.GetProperty("type").GetString());
        Assert.Equal("group", created.GetProperty("thread").GetString());
        Assert.Equal(group, created.GetProperty("thread_id").GetInt64());
        Assert.Equal("live!", created.GetProperty("message").GetProperty("content").GetString());

        (await app.SendAsync(HttpMethod.Put, $"/api/group/{group}/messages/{id}", alice, new { content = "edited" })).Ok();
        Assert.Equal("edited", (await ReceiveAsync(bobSocket)).GetProperty("message").GetProperty("content").GetString());
        (await app.SendAsync(HttpMethod.Delete, $"/api/group/{group}/messages/{id}", alice)).Ok();
        JsonElement deleted = await ReceiveAsync(bobSocket);
        Assert.Equal("message.deleted", deleted.GetProperty("type").GetString());
        Assert.Equal(id, deleted.GetProperty("message_id").GetInt64());

        // The outsider's socket got nothing: the next thing it sees is its own chat's request, then its message.
        long chat = (await app.PostAsync("/api/secret-chat/create", alice, new { target_user = outsider.Id })).Ok()["chat"].GetProperty("id").GetInt64();
        Assert.Equal("secret_chat.requested", (await ReceiveAsync(outsiderSocket)).GetProperty("type").GetString());
        (await app.PostAsync($"/api/secret-chat/approve/{chat}", outsider)).Ok();
        (await app.PostAsync($"/api/secret-chat/add-public-key/{chat}", alice, new { public_key = Answers.B64("pa") })).Ok();
        (await app.PostAsync($"/api/secret-chat/add-public-key/{chat}", outsider, new { public_key = Answers.B64("pb") })).Ok();
        (await app.PostAsync($"/api/secret-chat/add-symmetric-key/{chat}", outsider,
            new { user_1_encrypted_symmetric_key = Answers.B64("k1"), user_2_encrypted_symmetric_key = Answers.B64("k2") })).Ok();
        (await app.PostAsync($"/api/secret-chat/{chat}/messages", alice, new { encrypted_content = Answers.B64("sealed") })).Ok();
        JsonElement secret = await ReceiveAsync(outsiderSocket);
        Assert.Equal("secret_chat", secret.GetProperty("thread").GetString());
        Assert.Equal(Answers.B64("sealed"), secret.GetProperty("message").GetProperty("encrypted_content").GetString());

        await bobSocket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, TestContext.Current.CancellationToken);
    }

    [Theory, Databases]
    public async Task Live_WithoutTokenOrWithoutUpgrade_Refused(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await app.GetAsync("/api/live", alice)).Status);
        WebSocketClient client = app.Server.CreateWebSocketClient();
        client.ConfigureRequest = request => request.Headers.Authorization = "Bearer " + alice.Jwt + "x";
        await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(new Uri("ws://localhost/api/live"), TestContext.Current.CancellationToken));
        // A JWT in the query string is not accepted (it would end up in request logs).
        WebSocketClient query = app.Server.CreateWebSocketClient();
        await Assert.ThrowsAnyAsync<Exception>(() => query.ConnectAsync(new Uri($"ws://localhost/api/live?token={alice.Jwt}"), TestContext.Current.CancellationToken));
        Assert.Equal(0, app.Services.GetRequiredService<ChatHub>().ConnectionCount(alice.Id));
    }
}
