using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Client;
using Coffer.Crypto;

namespace Coffer.LoadTest;

/// <summary>
/// A registered user with everything the timed loop needs pre-computed: the request bodies (the auth key is derived
/// from the password once, here: Argon2 stays outside the loop), the device private key (to decrypt each new login
/// challenge, which is inside the loop), the user keys (for the group scenarios) and a JWT with its refresh token.
/// </summary>
public sealed class LoadUser : IDisposable
{
    private readonly VerifiedLogin firstLogin;

    private LoadUser(string identifier, string authKey, VerifiedLogin firstLogin, string jwt, string refreshToken)
    {
        this.firstLogin = firstLogin;
        PrepareLoginBody = JsonSerializer.Serialize(new Dictionary<string, string> { ["user_identifier"] = identifier });
        DoneLoginBody = JsonSerializer.Serialize(new Dictionary<string, string> { ["auth_key"] = authKey, ["device_identifier"] = identifier });
        VerifyPrefix = $"{{\"auth_key\":{JsonSerializer.Serialize(authKey)},\"device_identifier\":{JsonSerializer.Serialize(identifier)},\"challenge\":";
        RefreshBody = JsonSerializer.Serialize(new Dictionary<string, string> { ["refresh_token"] = refreshToken });
        Jwt = jwt;
    }

    public string PrepareLoginBody { get; }

    public string DoneLoginBody { get; }

    public string RefreshBody { get; }

    /// <summary>The JWT of the setup login (or of the last <see cref="RefreshJwtAsync"/>); PUT /refresh accepts it expired.</summary>
    public string Jwt { get; private set; }

    /// <summary>A new JWT through PUT /refresh (for runs that outlast the JWT's 5 minutes).</summary>
    public async Task RefreshJwtAsync(LoadClient client, LoadSettings settings, CancellationToken ct)
    {
        using JsonDocument answer = JsonDocument.Parse(await ExpectOkAsync(client, HttpMethod.Put, "refresh", RefreshBody, settings.PublicToken, Jwt, ct));
        Jwt = answer.RootElement.GetProperty("result").GetProperty("jwt").GetString()!;
    }

    /// <summary>The device private key, decrypted once from the setup login's device keys.</summary>
    public PrivateKey DeviceKey => firstLogin.DeviceKeys.PrivateKey;

    /// <summary>The user id.</summary>
    public string UserId => firstLogin.UserId.Value;

    /// <summary>The newest user key (the key pair group keys are encrypted to for this user).</summary>
    public UserKey UserKey => firstLogin.UserKeys[0];

    private string VerifyPrefix { get; }

    public string VerifyLoginBody(string challenge) => VerifyPrefix + JsonSerializer.Serialize(challenge) + "}";

    /// <summary>Registers a user (POST /register, secret token) without logging it in; returns its user id.</summary>
    public static async Task<string> RegisterOnlyAsync(LoadClient client, LoadSettings settings, string identifier, CancellationToken ct)
    {
        string password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        string registered = await ExpectOkAsync(client, HttpMethod.Post, "register", OwnBackend.PrepareRegister(identifier, password), settings.SecretToken, null, ct);
        return OwnBackend.DoneRegister(registered).UserId.Value;
    }

    /// <summary>
    /// Registers a user with the SDK (POST /register, secret token) and logs it in once with the SDK's own steps
    /// (prepare_login, Argon2, done_login, device keys and challenge decrypted, verify_login).
    /// </summary>
    public static async Task<LoadUser> RegisterAsync(LoadClient client, LoadSettings settings, string identifier, CancellationToken ct)
    {
        // A random password per user, never printed; the server only ever sees keys derived from it.
        string password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        string registerBody = OwnBackend.PrepareRegister(identifier, password);
        await ExpectOkAsync(client, HttpMethod.Post, "register", registerBody, settings.SecretToken, null, ct);

        string prepareBody = OwnBackend.PrepareLoginStart(identifier);
        string salt = await ExpectOkAsync(client, HttpMethod.Post, "prepare_login", prepareBody, settings.PublicToken, null, ct);
        using LoginPreparation preparation = OwnBackend.PrepareLogin(identifier, password, salt);
        string done = await ExpectOkAsync(client, HttpMethod.Post, "done_login", preparation.DoneLoginBody, settings.PublicToken, null, ct);
        if (OwnBackend.DoneLogin(preparation, done) is not LoginStep.ChallengeSolved { Challenge: LoginChallenge challenge })
        {
            throw new InvalidOperationException("done_login did not answer with a challenge (MFA enabled?)");
        }

        VerifiedLogin login;
        try
        {
            string verified = await ExpectOkAsync(client, HttpMethod.Post, "verify_login", challenge.VerifyLoginBody, settings.PublicToken, null, ct);
            login = OwnBackend.VerifyLogin(challenge, verified); // takes over the device keys, decrypts the user keys
        }
        finally
        {
            challenge.Dispose();
        }

        using JsonDocument doneBody = JsonDocument.Parse(preparation.DoneLoginBody);
        return new LoadUser(identifier, doneBody.RootElement.GetProperty("auth_key").GetString()!, login, login.Jwt, login.RefreshToken);
    }

    public void Dispose() => firstLogin.Dispose();

    /// <summary>Sends a setup request; anything but a success envelope stops the setup (the body text is not printed: it may hold keys).</summary>
    public static async Task<string> ExpectOkAsync(
        LoadClient client, HttpMethod method, string path, string body, string appToken, string? jwt, CancellationToken ct)
    {
        using Answer answer = await client.SendAsync(method, path, body, appToken, jwt, ct);
        return answer.Ok
            ? answer.Body!.RootElement.GetRawText()
            : throw new InvalidOperationException($"setup request {path} failed: {answer.ErrorKind}");
    }
}
