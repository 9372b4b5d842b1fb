using System.Net;
using System.Text.Json;

namespace Coffer.Cli.Tests;

/// <summary><c>coffer serve</c> runs Coffer.Chat in the same process by default (app "chat", created once); <c>--no-chat</c> turns it off.</summary>
public sealed class ServeChatTests
{
    [Fact]
    public async Task Serve_RunsTheChatByDefault_ProvisionsTheChatAppOnce_NoChatTurnsItOff()
    {
        using var db = new TempDatabase();
        for (int start = 0; start < 2; start++)
        {
            await using ServerProcess server = await ServerProcess.StartAsync(db.ConnectionString);
            using HttpResponseMessage chat = await server.Client.GetAsync("/api/profile", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Unauthorized, chat.StatusCode);
            Assert.Contains("\"detail\"", await chat.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        JsonElement apps = (await Cli.RunAsync("app", "list", "--database", db.ConnectionString, "--json")).Json;
        Assert.Equal(["chat"], apps.EnumerateArray().Select(a => a.GetProperty("name").GetString()));

        using var plain = new TempDatabase();
        await using ServerProcess noChat = await ServerProcess.StartAsync(plain.ConnectionString, arguments: ["--no-chat"]);
        using HttpResponseMessage none = await noChat.Client.GetAsync("/api/profile", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Empty((await Cli.RunAsync("app", "list", "--database", plain.ConnectionString, "--json")).Json.EnumerateArray());
    }
}
