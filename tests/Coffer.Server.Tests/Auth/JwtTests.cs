using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Server.Features.Apps;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Auth;

public sealed class JwtTests(TestDatabases databases)
{
    private const string DevicesPath = "/user/device/0/none";

    [Theory, Databases]
    public async Task IssuedJwt_HasES384HeaderExactClaimsAndVerifiesWithTheAppVerifyKey(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string[] parts = alice.Jwt.Split('.');
        using JsonDocument header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using JsonDocument claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        Assert.Equal("ES384", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal("JWT", header.RootElement.GetProperty("typ").GetString());
        Assert.Equal(app.App.JwtKeyId.Value, header.RootElement.GetProperty("kid").GetString());
        Assert.Equal(["aud", "sub", "iat", "exp", "fresh"], claims.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(alice.UserId, claims.RootElement.GetProperty("aud").GetString());
        Assert.Equal(alice.DeviceId, claims.RootElement.GetProperty("sub").GetString());
        Assert.Equal(300, claims.RootElement.GetProperty("exp").GetInt64() - claims.RootElement.GetProperty("iat").GetInt64());
        Assert.True(claims.RootElement.GetProperty("fresh").GetBoolean());

        byte[] point = Convert.FromBase64String(app.App.JwtVerifyKey);
        Assert.Equal(97, point.Length);
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP384,
            Q = new ECPoint { X = point[1..49], Y = point[49..] },
        });
        byte[] signature = Base64Url.DecodeFromChars(parts[2]);
        Assert.Equal(96, signature.Length);
        Assert.True(ecdsa.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature,
            HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Theory, Databases]
    public async Task NoAuthorizationOrNoBearerPrefix_Returns401Code31(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer none = await app.SendAsync(HttpMethod.Get, DevicesPath);
        Assert.Equal((HttpStatusCode.Unauthorized, 31), (none.Status, none.ErrCode));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1" + DevicesPath);
        request.Headers.TryAddWithoutValidation("x-sentc-app-token", app.PublicToken);
        request.Headers.TryAddWithoutValidation("Authorization", "bearer " + alice.Jwt);
        ApiAnswer lowercase = await TestApp.ReadAsync(await app.Client.SendAsync(request, TestContext.Current.CancellationToken));
        Assert.Equal((HttpStatusCode.Unauthorized, 31), (lowercase.Status, lowercase.ErrCode));
    }

    [Theory, Databases]
    public async Task MalformedJwt_Returns401Code32(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        foreach (string jwt in new[] { "abc", "a.b", "!!.??.**", Base64Url.EncodeToString("{\"alg\":\"ES384\"}"u8) + ".e30.AA" })
        {
            ApiAnswer answer = await app.SendAsync(HttpMethod.Get, DevicesPath, jwt: jwt);
            Assert.Equal((HttpStatusCode.Unauthorized, 32), (answer.Status, answer.ErrCode));
        }
    }

    [Theory, Databases]
    public async Task KidOfAnotherApp_Returns401Code35(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        AppCredentials other = await app.CreateAppAsync("other");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Get, DevicesPath, appToken: other.PublicToken, jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.Unauthorized, 35), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task TamperedClaimsOrSignature_Returns401Code30(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        string[] a = alice.Jwt.Split('.');
        string[] b = bob.Jwt.Split('.');
        string swapped = a[0] + "." + b[1] + "." + a[2];
        byte[] sig = Base64Url.DecodeFromChars(a[2]);
        sig[10] ^= 1;
        string flipped = a[0] + "." + a[1] + "." + Base64Url.EncodeToString(sig);
        foreach (string jwt in new[] { swapped, flipped })
        {
            ApiAnswer answer = await app.SendAsync(HttpMethod.Get, DevicesPath, jwt: jwt);
            Assert.Equal((HttpStatusCode.Unauthorized, 30), (answer.Status, answer.ErrCode));
        }
    }

    [Theory, Databases]
    public async Task AlgNone_IsRejected(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string[] parts = alice.Jwt.Split('.');
        string header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"{app.App.JwtKeyId}\"}}"));
        ApiAnswer answer = await app.SendAsync(HttpMethod.Get, DevicesPath, jwt: header + "." + parts[1] + "." + parts[2]);
        Assert.Equal((HttpStatusCode.Unauthorized, 30), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task ExpiredJwt_PassesWithin60sLeeway_FailsAfter(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        app.Clock.Advance(TimeSpan.FromSeconds(300 + 59));
        Assert.True((await app.SendAsync(HttpMethod.Get, DevicesPath, jwt: alice.Jwt)).Ok);

        // The token is now in the verified-signature cache; its expiry must still apply.
        app.Clock.Advance(TimeSpan.FromSeconds(2));
        ApiAnswer answer = await app.SendAsync(HttpMethod.Get, DevicesPath, jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.Unauthorized, 30), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task ExpiredJwt_IsAcceptedByRefreshAndInit_AfterBeingRejectedElsewhere(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(30, (await app.SendAsync(HttpMethod.Get, DevicesPath, jwt: alice.Jwt)).ErrCode);
        ApiAnswer refresh = await app.SendAsync(HttpMethod.Put, "/refresh", Bodies.RefreshToken(alice.RefreshToken), jwt: alice.Jwt);
        Assert.True(refresh.Ok, refresh.Text);
        ApiAnswer init = await app.SendAsync(HttpMethod.Post, "/init", Bodies.RefreshToken(alice.RefreshToken), jwt: alice.Jwt);
        Assert.True(init.Ok, init.Text);
    }

    [Theory, Databases]
    public async Task NonFreshJwt_OnFreshRoute_Returns401Code113(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice", fresh: false);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Delete, "/user/device/" + alice.DeviceId, jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.Unauthorized, 113), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task JwtOfDeletedUser_Returns400Code100(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        Assert.True((await app.SendAsync(HttpMethod.Delete, "/user", appToken: app.SecretToken, jwt: alice.Jwt)).Ok);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Get, DevicesPath, jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.BadRequest, 100), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task NewJwtKey_SignsNewTokens_OldTokensStillVerify(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        app.Clock.Advance(TimeSpan.FromMilliseconds(5));
        JwtKeyCreated? key = await app.Services.GetRequiredService<AppAdmin>().AddJwtKeyAsync(app.App.App, CancellationToken.None);
        Assert.NotNull(key);
        (string jwt, _) = await app.LoginAsync(alice.Identifier);
        using JsonDocument header = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[0]));
        Assert.Equal(key.JwtKeyId.Value, header.RootElement.GetProperty("kid").GetString());
        Assert.True((await app.SendAsync(HttpMethod.Get, DevicesPath, jwt: jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Get, DevicesPath, jwt: alice.Jwt)).Ok);
    }
}
