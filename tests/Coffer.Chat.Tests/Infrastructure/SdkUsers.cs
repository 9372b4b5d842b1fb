using Coffer.Chat.Client;
using Coffer.Client;

namespace Coffer.Chat.Tests.Infrastructure;

/// <summary>
/// Real Coffer users for the end-to-end tests: registered with the app's secret token (as an app's backend does), logged in
/// with its public token through the SDK, each with a <see cref="ChatClient"/> on the chat server.
/// </summary>
public sealed class SdkUsers(Uri cofferUrl, string publicToken, string secretToken, Uri chatUrl, HttpClient http) : IDisposable
{
    public const string Password = "correct horse battery staple";

    private readonly CofferClient backend = new(cofferUrl, secretToken, http);
    private readonly CofferClient frontend = new(cofferUrl, publicToken, http);
    private readonly List<ChatClient> clients = [];

    public static SdkUsers For(ChatTestApp app) =>
        new(app.BaseUrl, app.Credentials.PublicToken, app.Credentials.SecretToken, app.BaseUrl, app.Client);

    /// <summary>A registered, logged-in user with a chat profile named <paramref name="name"/>.</summary>
    public async Task<ChatClient> ChatAsync(string name)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        string identifier = $"{name}-{Guid.NewGuid():N}";
        await backend.RegisterAsync(identifier, Password, ct);
        CofferUser user = Assert.IsType<LoginResult.LoggedIn>(await frontend.LoginAsync(identifier, Password, ct)).User;
        var chat = new ChatClient(chatUrl, user, http);
        clients.Add(chat);
        await chat.UpdateProfileAsync(name, cancellationToken: ct);
        return chat;
    }

    public void Dispose()
    {
        foreach (ChatClient client in clients)
        {
            client.Dispose();
            client.User.Dispose();
        }

        backend.Dispose();
        frontend.Dispose();
    }
}
