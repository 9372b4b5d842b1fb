using System.Net;
using System.Text;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Api;

public sealed class ApiPipelineTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task UnknownRoute_Returns404Envelope(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Get, "/no/such/route");
        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.Equal("""{"status":false,"err_code":404,"err_msg":"Not found."}""", answer.Text);
    }

    [Theory, Databases]
    public async Task KnownPathWrongMethod_Returns404Envelope(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Get, "/register");
        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.Equal(404, answer.ErrCode);
    }

    [Theory, Databases]
    public async Task Options_AnyPath_AnswersPreflight(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/anything/at/all");
        HttpResponseMessage response = await app.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("GET, POST, PUT, DELETE, OPTIONS, PATCH", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("x-sentc-app-token, x-sentc-group-access-id, Content-Type, Accept, Origin, Authorization",
            response.Headers.GetValues("Access-Control-Allow-Headers").Single());
        Assert.Equal("86400", response.Headers.GetValues("Access-Control-Max-Age").Single());
    }

    [Theory, Databases]
    public async Task EveryAnswer_CarriesCorsOriginAndJsonContentType(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer ok = await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("x"));
        ApiAnswer error = await app.SendAsync(HttpMethod.Post, "/exists", "{", noAppToken: true);
        foreach (ApiAnswer answer in new[] { ok, error })
        {
            Assert.Equal("*", answer.Response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Equal("application/json", answer.Response.Content.Headers.ContentType!.MediaType);
        }
    }

    [Theory, Databases]
    public async Task BodyOver256KiB_Returns413Code12(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        string big = "{\"user_identifier\":\"" + new string('a', 256 * 1024) + "\"}";
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/exists", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, answer.Status);
        Assert.Equal(12, answer.ErrCode);
    }

    [Theory, Databases]
    public async Task BodyJustUnder256KiB_IsAccepted(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        string prefix = "{\"user_identifier\":\"";
        string body = prefix + new string('a', 256 * 1024 - prefix.Length - 2) + "\"}";
        Assert.Equal(256 * 1024, Encoding.UTF8.GetByteCount(body));
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/exists", body);
        Assert.True(answer.Ok, answer.Text);
    }

    [Theory, Databases]
    public async Task InvalidBodies_Return422Code11(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        string[] bodies = ["", "{", "not json", "null", "[]", "{}", """{"user_identifier":null}""", """{"user_identifier":5}"""];
        foreach (string body in bodies)
        {
            ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/exists", body);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.Status);
            Assert.Equal(11, answer.ErrCode);
            Assert.Equal(2, answer.Body.EnumerateObject().Count(p => p.Name.StartsWith("err_", StringComparison.Ordinal)));
            Assert.False(answer.Body.TryGetProperty("result", out _));
        }
    }

    [Theory, Databases]
    public async Task BodyWithUnknownFieldsAndNoContentType_IsParsed(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/exists");
        request.Headers.TryAddWithoutValidation("x-sentc-app-token", app.PublicToken);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"user_identifier":"bob","extra":[1,2]}"""));
        ApiAnswer answer = await TestApp.ReadAsync(await app.Client.SendAsync(request, TestContext.Current.CancellationToken));
        Assert.True(answer.Ok, answer.Text);
        Assert.Equal("""{"status":true,"result":{"user_identifier":"bob","available":true}}""", answer.Text);
    }

    [Theory, Databases]
    public async Task AppTokenIsCheckedBeforeTheBody(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/exists", "{", noAppToken: true);
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal(200, answer.ErrCode);
    }

    [Theory, Databases]
    public async Task OptionIsCheckedBeforeTheBody(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/register", "{");
        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal(203, answer.ErrCode);
    }

    [Theory, Databases]
    public async Task ResultStrings_AreNotHtmlEscaped(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("a+b/<c>&'é😀\"\\\n"));
        Assert.Equal("""{"status":true,"result":{"user_identifier":"a+b/<c>&'é😀\"\\\n","available":true}}""", answer.Text);
    }
}

public sealed class UnexpectedErrorTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task UnexpectedException_Returns500WithGenericMessageOnly(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        app.Clock.Failure = new InvalidOperationException("secret detail: root key 0xDEADBEEF");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Get, "/user/device/0/none", jwt: alice.Jwt);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, answer.Status);
        Assert.Equal("""{"status":false,"err_code":500,"err_msg":"Internal server error."}""", answer.Text);
        Assert.Equal("*", answer.Response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        app.Clock.Failure = null;
        Assert.True((await app.SendAsync(HttpMethod.Get, "/user/device/0/none", jwt: alice.Jwt)).Ok);
    }
}
