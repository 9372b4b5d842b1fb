using System.Buffers.Text;
using System.Net;
using System.Text;
using Coffer.Server.Auth;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Auth;

public sealed class JwtClaimTests(TestDatabases databases)
{
    private const string DevicesPath = "/user/device/0/none";

    [Theory, Databases]
    public async Task AudOrSubNotAUuid_Returns400Code1(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        // Claims a real login cannot produce, so the server's own JwtService signs them.
        JwtService jwt = app.Services.GetRequiredService<JwtService>();
        foreach ((string user, string device) in new[] { ("not-a-uuid", alice.DeviceId), (alice.UserId, "not-a-uuid") })
        {
            string token = await jwt.IssueAsync(app.App.App, new UserId(user), new DeviceId(device), fresh: true, TestContext.Current.CancellationToken);
            ApiAnswer answer = await app.SendAsync(HttpMethod.Get, DevicesPath, jwt: token);
            Assert.Equal((HttpStatusCode.BadRequest, 1), (answer.Status, answer.ErrCode));
        }
    }

    [Theory, Databases]
    public async Task UnknownUserInTheApp_Returns400Code100(DatabaseKind db)
    {
        // A real login's JWT outlives its user: the backend deletes the user while the JWT has not expired.
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        Assert.True((await app.SendAsync(HttpMethod.Put, "/user/forced/delete", Bodies.Identifier("alice"), appToken: app.SecretToken)).Ok);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Get, DevicesPath, jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.BadRequest, 100), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task HeaderWithoutKid_Returns401Code32(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string[] parts = alice.Jwt.Split('.');
        string header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes("{\"alg\":\"ES384\",\"typ\":\"JWT\"}"));
        ApiAnswer answer = await app.SendAsync(HttpMethod.Get, DevicesPath, jwt: header + "." + parts[1] + "." + parts[2]);
        Assert.Equal((HttpStatusCode.Unauthorized, 32), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task JwtIsCheckedBeforeTheOption(DatabaseKind db)
    {
        // §1.9: app token → JWT → option. DELETE /user with the public token (needs the secret) and a broken JWT.
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Delete, "/user", jwt: "a.b.c");
        Assert.Equal((HttpStatusCode.Unauthorized, 32), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task OptionIsCheckedBeforeFreshness(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice", fresh: false);
        Assert.Equal(203, (await app.SendAsync(HttpMethod.Delete, "/user", jwt: alice.Jwt)).ErrCode);
        Assert.Equal(113, (await app.SendAsync(HttpMethod.Delete, "/user", appToken: app.SecretToken, jwt: alice.Jwt)).ErrCode);
    }
}
