using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Crypto;
using Coffer.Protocol.Groups;
using Coffer.Server;
using Coffer.Server.Auth;
using Coffer.Server.Features.Apps;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Coffer.Chat.Tests.Infrastructure;

/// <summary>A clock the test moves; the platform and the chat read all times from it.</summary>
public sealed class TestClock : TimeProvider
{
    private DateTimeOffset now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}

/// <summary>One answer of the chat API: status and parsed JSON body.</summary>
public sealed record ChatAnswer(HttpStatusCode Status, JsonElement Body, string Text)
{
    public string Detail => Body.GetProperty("detail").GetString()!;

    public JsonElement this[string name] => Body.GetProperty(name);
}

/// <summary>A chat user: a Coffer user id and a JWT the platform issued for it.</summary>
public sealed record ChatUser(string Id, string Jwt, string Username);

/// <summary>
/// The one-process setup of <c>coffer serve</c>: the platform (CofferServer.Build, the real pipeline) with the chat
/// added through the same hooks, on a fresh database of one kind, one app whose users chat. JWTs are issued by the
/// platform's own JwtService with the app's key, as after a real login.
/// </summary>
public sealed class ChatTestApp : IAsyncDisposable
{
    private readonly WebApplication app;
    private int users;

    private ChatTestApp(WebApplication app, HttpClient client, TestClock clock, AppCredentials credentials, Uri baseUrl, LogCapture logs)
    {
        this.app = app;
        Client = client;
        Clock = clock;
        Credentials = credentials;
        BaseUrl = baseUrl;
        Logs = logs;
    }

    public HttpClient Client { get; }

    /// <summary>Where the server listens: http://localhost/ on the test server, a loopback port with <c>kestrel</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Every log line the server wrote (Debug and up), for the tests that look for leaked secrets.</summary>
    public LogCapture Logs { get; }

    public string ConnectionString { get; private set; } = "";

    public TestClock Clock { get; }

    public AppCredentials Credentials { get; }

    public IServiceProvider Services => app.Services;

    public TestServer Server => app.GetTestServer();

    /// <summary>
    /// <paramref name="standalone"/>: verify JWTs with the configured verify key (as a separate chat process would), not
    /// the platform store. <paramref name="kestrel"/>: listen on a loopback port (real sockets, e.g. for the SDK's WebSocket).
    /// <paramref name="clock"/>: false = the system clock (SDK users refresh JWTs by real time).
    /// </summary>
    public static async Task<ChatTestApp> StartAsync(DatabaseKind kind, TestDatabases databases, bool standalone = false, bool kestrel = false, bool clock = true)
    {
        string connectionString = await databases.CreateAsync(kind);
        var testClock = new TestClock();
        var logs = new LogCapture();
        WebApplication app = CofferServer.Build(
            [],
            new Dictionary<string, string?>
            {
                [CofferServer.DatabaseConfigKey] = connectionString,
                [RootKey.ConfigKey] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                ["urls"] = "http://127.0.0.1:0",
            },
            builder =>
            {
                if (!kestrel)
                {
                    builder.WebHost.UseTestServer();
                }

                builder.Logging.SetMinimumLevel(LogLevel.Debug);
                builder.Logging.AddProvider(logs);
                builder.Services.AddChat();
                if (clock)
                {
                    builder.Services.AddSingleton<TimeProvider>(testClock);
                }
            },
            web => web.UseChat());
        await app.StartAsync(TestContext.Current.CancellationToken);
        AppCredentials credentials = await app.Services.GetRequiredService<AppAdmin>().CreateAsync("chat", CancellationToken.None);
        // The key source is resolved on the first chat request, so the app id (known only now) can still be configured.
        app.Configuration[standalone ? ChatModule.VerifyKeysConfigKey : ChatModule.AppConfigKey] =
            standalone ? credentials.JwtVerifyKey : credentials.App.Value;
        Uri baseUrl = kestrel ? new Uri(app.Urls.Single()) : new Uri("http://localhost/");
        HttpClient client = kestrel ? new HttpClient { BaseAddress = baseUrl } : app.GetTestClient();
        return new ChatTestApp(app, client, testClock, credentials, baseUrl, logs) { ConnectionString = connectionString };
    }

    /// <summary>A JWT of the platform for <paramref name="userId"/> (a new device).</summary>
    public Task<string> JwtAsync(string userId, AppId? app = null) =>
        Services.GetRequiredService<JwtService>().IssueAsync(
            app ?? Credentials.App, new UserId(userId), new DeviceId(Guid.NewGuid().ToString()), fresh: true, CancellationToken.None);

    /// <summary>A new Coffer user that has used the chat once (set a username), so others can find them.</summary>
    public async Task<ChatUser> UserAsync(string? username = null)
    {
        string id = Guid.NewGuid().ToString();
        string name = username ?? $"user{Interlocked.Increment(ref users)}";
        var user = new ChatUser(id, await JwtAsync(id), name);
        ChatAnswer answer = await SendAsync(HttpMethod.Put, "/api/profile", user, new { username = name });
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return user;
    }

    public async Task<ChatAnswer> SendAsync(HttpMethod method, string path, ChatUser? user, object? body = null, string? rawBody = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (user is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + user.Jwt);
        }

        if (rawBody is not null)
        {
            request.Content = new StringContent(rawBody, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using HttpResponseMessage response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using JsonDocument doc = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return new ChatAnswer(response.StatusCode, doc.RootElement.Clone(), text);
    }

    public Task<ChatAnswer> GetAsync(string path, ChatUser? user) => SendAsync(HttpMethod.Get, path, user);

    /// <summary>
    /// A platform group of the chat's app whose creator (rank 0) is <paramref name="owner"/>, made with real keys through
    /// the platform's create use case (what the owner's client would send), for API tests of secret groups.
    /// </summary>
    public async Task<string> PlatformGroupAsync(ChatUser owner)
    {
        using var key = SymmetricKey.Generate();
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        using (privateKey)
        {
            string alg = EncryptionAlgorithm.Default.Id;
            var data = new CreateData(
                B64(publicKey.Wrap(key)), SymmetricKey.AlgorithmId, alg, B64(key.Wrap(privateKey)), publicKey.ToWireText(), alg,
                "creator-key", B64(key.Encrypt(new byte[32])), "HMAC-SHA256", B64(key.Encrypt(new byte[32])), "OPE-16");
            return await Services.GetRequiredService<Coffer.Server.Features.Groups.GroupStore>().CreateRootAsync(Credentials.App, owner.Id, data, CancellationToken.None);
        }

        static string B64(byte[] bytes) => Convert.ToBase64String(bytes);
    }

    /// <summary>A secret group of <paramref name="owner"/> (on a new platform group); returns the create answer.</summary>
    public async Task<ChatAnswer> SecretGroupAsync(ChatUser owner, string name) =>
        (await PostAsync("/api/group/create-secret", owner, new { name, coffer_group_id = await PlatformGroupAsync(owner) })).Ok();

    public Task<ChatAnswer> PostAsync(string path, ChatUser? user, object? body = null) => SendAsync(HttpMethod.Post, path, user, body ?? new { });

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}

public static class Answers
{
    /// <summary>Asserts the status (printing the body when it differs) and returns the answer.</summary>
    public static ChatAnswer Is(this ChatAnswer answer, HttpStatusCode status)
    {
        Assert.True(answer.Status == status, $"expected {(int)status}, got {(int)answer.Status}: {answer.Text}");
        return answer;
    }

    public static ChatAnswer Ok(this ChatAnswer answer) => answer.Is(HttpStatusCode.OK);

    public static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
