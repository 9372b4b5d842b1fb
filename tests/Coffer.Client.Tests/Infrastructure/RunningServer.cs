using System.Security.Cryptography;
using Coffer.Server;
using Coffer.Server.Auth;
using Coffer.Server.Features.Apps;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Client.Tests.Infrastructure;

/// <summary>
/// The real Coffer server (CofferServer.Build, the same host as Program) listening on a real Kestrel port on
/// 127.0.0.1, with a temporary SQLite database and one app created through the app-provisioning use case
/// (<c>coffer app create</c>). The SDK talks to it over HTTP like to any server. One per test.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly string folder;

    private RunningServer(WebApplication app, string folder, Uri baseUrl, AppCredentials credentials)
    {
        this.app = app;
        this.folder = folder;
        BaseUrl = baseUrl;
        Credentials = credentials;
    }

    public Uri BaseUrl { get; }

    public AppCredentials Credentials { get; }

    public static async Task<RunningServer> StartAsync(CancellationToken ct)
    {
        string folder = Directory.CreateTempSubdirectory("coffer-e2e-").FullName;
        WebApplication app = CofferServer.Build([], new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            [CofferServer.DatabaseConfigKey] = $"Data Source={Path.Combine(folder, "coffer.db")}",
            [RootKey.ConfigKey] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await app.StartAsync(ct);
        var baseUrl = new Uri(app.Urls.Single());
        AppCredentials credentials = await app.Services.GetRequiredService<AppAdmin>().CreateAsync("e2e", ct);
        return new RunningServer(app, folder, baseUrl, credentials);
    }

    /// <summary>A client with the public token (what an app ships).</summary>
    public CofferClient PublicClient(TimeProvider? time = null) => new(BaseUrl, Credentials.PublicToken, timeProvider: time);

    /// <summary>A client with the secret token (what the app's backend uses, e.g. for register and delete).</summary>
    public CofferClient SecretClient(TimeProvider? time = null) => new(BaseUrl, Credentials.SecretToken, timeProvider: time);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }
}
