using System.Net;
using Coffer.Server.Auth;
using Coffer.Server.Features.Apps;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Auth;

public sealed class AppTokenTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task MissingAppToken_Returns401Code200(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("a"), noAppToken: true);
        Assert.Equal((HttpStatusCode.Unauthorized, 200), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task AppTokenNotBase64_Returns401Code201(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("a"), appToken: "not base64!");
        Assert.Equal((HttpStatusCode.Unauthorized, 201), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task UnknownAppToken_Returns401Code200(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("a"), appToken: AppTokens.NewPublicToken());
        Assert.Equal((HttpStatusCode.Unauthorized, 200), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task DisabledApp_Returns401Code204(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        Assert.True(await app.Services.GetRequiredService<AppAdmin>().DisableAsync(app.App.App, CancellationToken.None));
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("a"));
        Assert.Equal((HttpStatusCode.Unauthorized, 204), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task RenewedTokens_OldStopWorking_NewWork(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        (string PublicToken, string SecretToken)? renewed =
            await app.Services.GetRequiredService<AppAdmin>().RenewTokensAsync(app.App.App, CancellationToken.None);
        Assert.NotNull(renewed);
        Assert.Equal(200, (await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("a"))).ErrCode);
        Assert.True((await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("a"), appToken: renewed.Value.PublicToken)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("a"), appToken: renewed.Value.SecretToken)).Ok);
    }

    [Theory, Databases]
    public async Task SecretOnlyOption_PublicTokenGets400Code203_SecretTokenPasses(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer withPublic = await app.SendAsync(HttpMethod.Post, "/register", Bodies.Register("alice"));
        Assert.Equal((HttpStatusCode.BadRequest, 203), (withPublic.Status, withPublic.ErrCode));
        ApiAnswer withSecret = await app.SendAsync(HttpMethod.Post, "/register", Bodies.Register("alice"), appToken: app.SecretToken);
        Assert.True(withSecret.Ok, withSecret.Text);
    }

    [Theory, Databases]
    public async Task PublicOption_BothTokensPass(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        Assert.True((await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("a"), appToken: app.PublicToken)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("a"), appToken: app.SecretToken)).Ok);
    }

    [Theory, Databases]
    public async Task ForbiddenOption_BothTokensGet400Code203(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        await app.Services.GetRequiredService<AppAdmin>().SetOptionAsync(
            app.App.App, AppOption.UserExists, TokenLevel.Forbidden, CancellationToken.None);
        Assert.Equal(203, (await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("a"), appToken: app.PublicToken)).ErrCode);
        Assert.Equal(203, (await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("a"), appToken: app.SecretToken)).ErrCode);
    }

    [Theory, Databases]
    public async Task OptionLoweredToPublic_PublicTokenMayRegister(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        await app.Services.GetRequiredService<AppAdmin>().SetOptionAsync(
            app.App.App, AppOption.UserRegister, TokenLevel.Public, CancellationToken.None);
        Assert.True((await app.SendAsync(HttpMethod.Post, "/register", Bodies.Register("alice"))).Ok);
    }

    [Theory, Databases]
    public async Task OptionRaisedToSecret_PublicTokenGets203(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        await app.Services.GetRequiredService<AppAdmin>().SetOptionAsync(
            app.App.App, AppOption.UserPrepareLogin, TokenLevel.Secret, CancellationToken.None);
        Assert.Equal(203, (await app.SendAsync(HttpMethod.Post, "/prepare_login", Bodies.Identifier("a"))).ErrCode);
        Assert.True((await app.SendAsync(HttpMethod.Post, "/prepare_login", Bodies.Identifier("a"), appToken: app.SecretToken)).Ok);
    }

    [Theory, Databases]
    public async Task TokenOfOneApp_SeesOnlyItsOwnUsers(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        await app.RegisterAsync("alice");
        AppCredentials other = await app.CreateAppAsync("other");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("alice"), appToken: other.PublicToken);
        Assert.True(answer.Result.GetProperty("available").GetBoolean());
    }
}
