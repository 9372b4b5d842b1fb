using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Server.Auth;
using Coffer.Server.Features.Apps;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>A clock the test moves; the server reads all times from it.</summary>
public sealed class TestClock : TimeProvider
{
    private DateTimeOffset now = DateTimeOffset.UtcNow;

    /// <summary>When set, reading the clock throws this (simulates a bug deep inside a request).</summary>
    public Exception? Failure { get; set; }

    public override DateTimeOffset GetUtcNow() => Failure is null ? now : throw Failure;

    public void Advance(TimeSpan by) => now += by;
}

/// <summary>One answer of the API: HTTP status and the parsed envelope.</summary>
public sealed record ApiAnswer(HttpStatusCode Status, JsonElement Body, string Text, HttpResponseMessage Response)
{
    public bool Ok => Body.GetProperty("status").GetBoolean();

    public int ErrCode => Body.TryGetProperty("err_code", out JsonElement code) ? code.GetInt32() : 0;

    public JsonElement Result => Body.GetProperty("result");
}

/// <summary>A registered user with a device logged in through done_login / verify_login.</summary>
public sealed record TestUser(string Identifier, string UserId, string DeviceId, string Jwt, string RefreshToken);

/// <summary>
/// The real server (Program, the real pipeline) on a fresh database of one kind, with one app created through the
/// same use case as <c>coffer app create</c>. Explicit, per test: no shared state between tests.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> factory;

    private TestApp(WebApplicationFactory<Program> factory, HttpClient client, TestClock clock, LogSink logs)
    {
        Logs = logs;
        this.factory = factory;
        Client = client;
        Clock = clock;
    }

    public HttpClient Client { get; }

    public TestClock Clock { get; }

    /// <summary>Everything the server logged.</summary>
    public LogSink Logs { get; }

    public AppCredentials App { get; private set; } = null!;

    public IServiceProvider Services => factory.Services;

    public static async Task<TestApp> StartAsync(
        DatabaseKind kind, TestDatabases databases, IReadOnlyDictionary<string, string>? settings = null)
    {
        string connectionString = await databases.CreateAsync(kind);
        var clock = new TestClock();
        var logs = new LogSink();
        WebApplicationFactory<Program> factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting(CofferServer.DatabaseConfigKey, connectionString);
            builder.UseSetting(RootKey.ConfigKey, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            foreach ((string key, string value) in settings ?? new Dictionary<string, string>())
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureServices(services => services
                .AddSingleton<TimeProvider>(clock)
                .AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));
        });
        var app = new TestApp(factory, factory.CreateClient(), clock, logs);
        app.App = await app.CreateAppAsync("test");
        return app;
    }

    public Task<AppCredentials> CreateAppAsync(string name) =>
        Services.GetRequiredService<AppAdmin>().CreateAsync(name, CancellationToken.None);

    public string PublicToken => App.PublicToken;

    public string SecretToken => App.SecretToken;

    /// <summary>Sends a request the way the official client does: content-type JSON on every request.</summary>
    public async Task<ApiAnswer> SendAsync(
        HttpMethod method, string path, string? body = null, string? appToken = null, string? jwt = null, bool noAppToken = false)
    {
        using var request = new HttpRequestMessage(method, "/api/v1" + path);
        if (!noAppToken)
        {
            request.Headers.TryAddWithoutValidation(RequestAuthMiddleware.AppTokenHeader, appToken ?? PublicToken);
        }

        if (jwt is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + jwt);
        }

        request.Content = new StringContent(body ?? "", Encoding.UTF8, "application/json");
        return await ReadAsync(await Client.SendAsync(request, TestContext.Current.CancellationToken));
    }

    public static async Task<ApiAnswer> ReadAsync(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        using JsonDocument doc = JsonDocument.Parse(text);
        return new ApiAnswer(response.StatusCode, doc.RootElement.Clone(), text, response);
    }

    /// <summary>
    /// Registers a user with the official client's register body (secret token, the default level) and logs in.
    /// <c>fresh: false</c> swaps the login's JWT for a refreshed one (PUT /refresh), as an older session has.
    /// </summary>
    public async Task<TestUser> RegisterAsync(string identifier, bool fresh = true)
    {
        ApiAnswer answer = await SendAsync(HttpMethod.Post, "/register", Bodies.Register(identifier), appToken: SecretToken);
        Assert.True(answer.Ok, answer.Text);
        string userId = answer.Result.GetProperty("user_id").GetString()!;
        string deviceId = answer.Result.GetProperty("device_id").GetString()!;
        (string jwt, string refresh) = await LoginAsync(identifier);
        if (!fresh)
        {
            ApiAnswer refreshed = await SendAsync(HttpMethod.Put, "/refresh", Bodies.RefreshToken(refresh), jwt: jwt);
            Assert.True(refreshed.Ok, refreshed.Text);
            jwt = refreshed.Result.GetProperty("jwt").GetString()!;
        }

        return new TestUser(identifier, userId, deviceId, jwt, refresh);
    }

    /// <summary>
    /// The real login of a device made from the official register body (its password data and device keys are the
    /// vector's): done_login, the challenge decrypted with the device private key, verify_login.
    /// </summary>
    public async Task<(string Jwt, string RefreshToken)> LoginAsync(string identifier)
    {
        ApiAnswer verified = await LoginAnswerAsync(identifier);
        Assert.True(verified.Ok, verified.Text);
        return (verified.Result.GetProperty("jwt").GetString()!, verified.Result.GetProperty("refresh_token").GetString()!);
    }

    /// <summary>done_login then verify_login with the decrypted challenge; the verify_login answer.</summary>
    public async Task<ApiAnswer> LoginAnswerAsync(string identifier)
    {
        ApiAnswer done = await SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin(identifier));
        Assert.True(done.Ok, done.Text);
        string challenge = Bodies.DecryptChallenge(done.Result.GetProperty("Direct"));
        return await SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin(identifier, challenge));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await factory.DisposeAsync();
    }
}
