using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Coffer.Chat.Auth;
using Coffer.Chat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Chat.Tests.Auth;

public sealed class CofferJwtVerifierTests(TestDatabases databases)
{
    private static readonly string User = Guid.NewGuid().ToString();

    /// <summary>A Coffer-format JWT written here from the format's description (not with the platform's code).</summary>
    private static string Token(ECDsa key, string kid, long exp, string alg = "ES384", string? user = null)
    {
        string header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"{{alg}}","typ":"JWT","kid":"{{kid}}"}"""));
        string claims = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            $$"""{"aud":"{{user ?? User}}","sub":"{{Guid.NewGuid()}}","iat":{{exp - 300}},"exp":{{exp}},"fresh":true}"""));
        byte[] signature = key.SignData(Encoding.ASCII.GetBytes(header + "." + claims), HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return header + "." + claims + "." + Base64Url.EncodeToString(signature);
    }

    private static string VerifyKey(ECDsa key)
    {
        ECParameters p = key.ExportParameters(false);
        return Convert.ToBase64String([0x04, .. p.Q.X!, .. p.Q.Y!]);
    }

    [Fact]
    public async Task Verify_GoodToken_User_AnyOtherFlaw_Null()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        string kid = Guid.NewGuid().ToString();
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var verifier = new CofferJwtVerifier(new StaticJwtVerifyKeys([VerifyKey(key)]), TimeProvider.System);
        CancellationToken ct = TestContext.Current.CancellationToken;

        Assert.Equal(User, await verifier.VerifyAsync(Token(key, kid, now + 300), ct));
        Assert.Null(await verifier.VerifyAsync(Token(other, kid, now + 300), ct));
        Assert.Null(await verifier.VerifyAsync(Token(key, kid, now - 61), ct));
        Assert.Null(await verifier.VerifyAsync(Token(key, kid, now + 300, alg: "HS384"), ct));
        Assert.Null(await verifier.VerifyAsync(Token(key, kid, now + 300, user: "not-a-uuid"), ct));
        string good = Token(key, kid, now + 300);
        string[] parts = good.Split('.');
        string forged = parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            $$"""{"aud":"{{Guid.NewGuid()}}","sub":"x","iat":0,"exp":{{now + 300}},"fresh":true}""")) + "." + parts[2];
        Assert.Null(await verifier.VerifyAsync(forged, ct));
        Assert.Null(await verifier.VerifyAsync("a.b", ct));
        Assert.Null(await verifier.VerifyAsync("!!.??.**", ct));

        // kid=key entries are tried for their kid only.
        var named = new CofferJwtVerifier(new StaticJwtVerifyKeys([$"{kid}={VerifyKey(key)}"]), TimeProvider.System);
        Assert.Equal(User, await named.VerifyAsync(Token(key, kid, now + 300), ct));
        Assert.Null(await named.VerifyAsync(Token(key, Guid.NewGuid().ToString(), now + 300), ct));
    }

    [Theory, Databases]
    public async Task Api_InProcess_PlatformJwtAccepted_OthersUnauthorized(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        string id = Guid.NewGuid().ToString();
        var user = new ChatUser(id, await app.JwtAsync(id), "u");
        Assert.Equal(id, (await app.GetAsync("/api/profile", user)).Ok()["profile"].GetProperty("user_id").GetString());

        ChatAnswer anonymous = await app.GetAsync("/api/group/user-groups", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal("Not authenticated", anonymous.Detail);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.GetAsync("/api/profile", user with { Jwt = user.Jwt + "x" })).Status);

        // A JWT of another app of the same server is not a chat user.
        var otherApp = await app.Services.GetRequiredService<Coffer.Server.Features.Apps.AppAdmin>().CreateAsync("other", CancellationToken.None);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.GetAsync("/api/profile", user with { Jwt = await app.JwtAsync(id, otherApp.App) })).Status);

        // Expired (past the 60 s leeway).
        app.Clock.Advance(TimeSpan.FromMinutes(7));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.GetAsync("/api/profile", user)).Status);

        // The platform's own routes are untouched by the chat's.
        using HttpResponseMessage platform = await app.Client.GetAsync("/api/v1/nothing-here", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, platform.StatusCode);
    }

    [Theory, Databases]
    public async Task Api_Standalone_ConfiguredVerifyKey_AndProfiles(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases, standalone: true);
        ChatUser alice = await app.UserAsync("alice");
        ChatUser bob = await app.UserAsync("bob");
        ChatAnswer updated = (await app.SendAsync(HttpMethod.Put, "/api/profile", alice, new { avatar_url = "https://a/a.png" })).Ok();
        Assert.Equal("alice", updated["profile"].GetProperty("username").GetString());
        ChatAnswer seen = (await app.GetAsync($"/api/profile/{alice.Id}", bob)).Ok();
        Assert.Equal("https://a/a.png", seen["profile"].GetProperty("avatar_url").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync($"/api/profile/{Guid.NewGuid()}", bob)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.SendAsync(HttpMethod.Put, "/api/profile", alice, new { username = "" })).Status);
    }
}
