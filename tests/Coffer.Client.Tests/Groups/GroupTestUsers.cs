using System.Net.Http.Headers;
using System.Text;
using Coffer.Client.Groups;
using Coffer.Client.Tests.Infrastructure;
using Coffer.Protocol;

namespace Coffer.Client.Tests.Groups;

/// <summary>Users of the group end-to-end tests: registered through the backend client, logged in through the app client.</summary>
internal sealed class GroupTestUsers(RunningServer server) : IAsyncDisposable
{
    public const string Password = "correct horse battery staple ✓";

    private readonly CofferClient backend = server.SecretClient();
    private readonly List<CofferUser> users = [];

    public CofferClient App { get; } = server.PublicClient();

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async Task<CofferUser> LoginAsync(string name)
    {
        await backend.RegisterAsync(name, Password, Ct);
        CofferUser user = Assert.IsType<LoginResult.LoggedIn>(await App.LoginAsync(name, Password, Ct)).User;
        users.Add(user);
        return user;
    }

    /// <summary>A new (unsigned) group of <paramref name="creator"/> with <paramref name="members"/> auto-invited, in that order.</summary>
    public static async Task<CofferGroup> CreateGroupWithAsync(CofferUser creator, params CofferUser[] members)
    {
        CofferGroup group = await creator.CreateGroupAsync(cancellationToken: Ct);
        foreach (CofferUser member in members)
        {
            await group.InviteAutoAsync(member.UserId, cancellationToken: Ct);
        }

        return group;
    }

    public async Task<UserId> RegisterAsync(string name) => (await backend.RegisterAsync(name, Password, Ct)).UserId;

    /// <summary>A raw request with the user's JWT (what an own backend does with the Prepare… bodies); returns the envelope.</summary>
    public async Task<string> SendAsync(CofferUser user, HttpMethod method, string path, string? body = null, GroupId? accessGroup = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, new Uri(server.BaseUrl, "/api/v1" + path))
        {
            Content = new StringContent(body ?? string.Empty, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-sentc-app-token", server.Credentials.PublicToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await user.GetJwtAsync(Ct));
        if (accessGroup is { } access)
        {
            request.Headers.Add("x-sentc-group-access-id", access.Value);
        }

        using HttpResponseMessage response = await http.SendAsync(request, Ct);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    public static System.Text.Json.JsonElement Result(string envelope)
    {
        System.Text.Json.JsonElement root = JsonShape.Parse(envelope);
        Assert.True(root.GetProperty("status").GetBoolean(), envelope);
        return root.GetProperty("result");
    }

    /// <summary>Runs a step, naming the endpoint in the failure when the server has no such route (404).</summary>
    public static async Task<T> Endpoint<T>(string endpoint, Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (CofferException error) when (error.Is(ProtocolError.PageNotFound))
        {
            Assert.Fail($"The server has no {endpoint} (answered 404).");
            throw; // unreachable: Assert.Fail throws
        }
    }

    public static Task Endpoint(string endpoint, Func<Task> step) => Endpoint(endpoint, async () =>
    {
        await step();
        return true;
    });

    public async ValueTask DisposeAsync()
    {
        users.ForEach(u => u.Dispose());
        App.Dispose();
        backend.Dispose();
        await Task.CompletedTask;
    }
}
