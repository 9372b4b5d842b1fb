using System.Net.Http.Headers;
using System.Text;
using Coffer.Client.Groups;
using Coffer.Client.Tests.Infrastructure;
using Coffer.Crypto;
using Coffer.Crypto.Formats;
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

    public async Task<UserId> RegisterAsync(string name) => (await backend.RegisterAsync(name, Password, Ct)).UserId;

    /// <summary>
    /// Starts a key rotation of <paramref name="group"/> as <paramref name="user"/> (<c>POST /group/{id}/key_rotation</c>,
    /// crypto-std.md §15.6: new key for the user's newest public key, ephemeral key under the previous newest group key)
    /// and fetches the new key. Key rotation in the SDK belongs to the rotation work; this builds the body only to get
    /// a group with many keys.
    /// </summary>
    public async Task<string> RotateAsync(CofferUser user, CofferGroup group)
    {
        GroupKey previous = group.NewestKey;
        PublicKey invoker = user.NewestUserKey.PublicKey;
        using SymmetricKey newKey = SymmetricKey.Generate();
        using SymmetricKey ephemeral = SymmetricKey.Generate();
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        using (privateKey)
        {
            string body = $$"""
                {"encrypted_group_key_by_user":"{{B64(invoker.Wrap(newKey))}}","group_key_alg":"AES-GCM-256",
                "encrypted_group_key_alg":"{{invoker.Algorithm.Id}}","encrypted_private_group_key":"{{B64(newKey.Wrap(privateKey))}}",
                "public_group_key":{{System.Text.Json.JsonSerializer.Serialize(publicKey.ToWireText())}},"keypair_encrypt_alg":"{{publicKey.Algorithm.Id}}",
                "encrypted_group_key_by_ephemeral":"{{B64(ephemeral.Wrap(newKey))}}","ephemeral_alg":"AES-GCM-256",
                "encrypted_ephemeral_key":"{{B64(previous.SymmetricKey.Wrap(ephemeral))}}","previous_group_key_id":"{{previous.KeyId}}",
                "invoker_public_key_id":"{{invoker.KeyId}}"}
                """;
            string answer = await SendAsync(user, HttpMethod.Post, $"/group/{group.GroupId}/key_rotation", body);
            string keyId = Result(answer).GetProperty("key_id").GetString()!;
            await group.GetKeyAsync(keyId, Ct);
            return keyId;
        }
    }

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

    private static string B64(byte[] data) => StrictBase64.Encode(data);
}
