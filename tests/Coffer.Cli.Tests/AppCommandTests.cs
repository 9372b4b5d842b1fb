using System.Net;
using System.Text.Json;

namespace Coffer.Cli.Tests;

public sealed class AppCommandTests
{
    private const string ExistsBody = """{"user_identifier":"alice"}""";

    [Fact]
    public async Task AppCreate_Json_PrintsOneObjectWithTokensAndVerifyKey()
    {
        using var db = new TempDatabase();
        CliResult result = await Cli.RunAsync("app", "create", "--name", "shop", "--database", db.ConnectionString, "--json");
        Assert.Equal(0, result.ExitCode);
        Assert.Single(result.Output.Trim().Split('\n'));
        JsonElement app = result.Json;
        Assert.True(Guid.TryParse(app.GetProperty("app_id").GetString(), out _));
        Assert.Equal("shop", app.GetProperty("name").GetString());
        Assert.Equal(30, Convert.FromBase64String(app.GetProperty("public_token").GetString()!).Length);
        Assert.Equal(50, Convert.FromBase64String(app.GetProperty("secret_token").GetString()!).Length);
        byte[] verifyKey = Convert.FromBase64String(app.GetProperty("jwt_verify_key").GetString()!);
        Assert.Equal(97, verifyKey.Length);
        Assert.Equal(0x04, verifyKey[0]);
        Assert.True(Guid.TryParse(app.GetProperty("jwt_key_id").GetString(), out _));
    }

    [Fact]
    public async Task AppCreate_WithoutJson_PrintsATable()
    {
        using var db = new TempDatabase();
        CliResult result = await Cli.RunAsync("app", "create", "--name", "shop", "--database", db.ConnectionString);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("public_token", result.Output, StringComparison.Ordinal);
        Assert.Contains("secret_token", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppCreate_WithoutName_Fails()
    {
        using var db = new TempDatabase();
        CliResult result = await Cli.RunAsync("app", "create", "--database", db.ConnectionString, "--json");
        Assert.NotEqual(0, result.ExitCode);
    }

    [Fact]
    public async Task UnknownConnectionString_FailsWithMessage()
    {
        CliResult result = await Cli.RunAsync("app", "create", "--name", "x", "--database", "Foo=bar", "--json");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Data Source", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_AnswersRequestsWithTheTokensOfAppCreate()
    {
        using var db = new TempDatabase();
        JsonElement app = (await Cli.RunAsync("app", "create", "--name", "shop", "--database", db.ConnectionString, "--json")).Json;
        await using ServerProcess server = await ServerProcess.StartAsync(db.ConnectionString);
        (HttpStatusCode status, JsonElement body) = await server.SendAsync(HttpMethod.Post, "/exists", app.GetProperty("public_token").GetString()!, ExistsBody);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("result").GetProperty("available").GetBoolean());
        (status, body) = await server.SendAsync(HttpMethod.Post, "/exists", "AAAA", ExistsBody);
        Assert.Equal((HttpStatusCode.Unauthorized, 200), (status, body.GetProperty("err_code").GetInt32()));
    }

    [Fact]
    public async Task SetOptionRenewTokensDisable_TakeEffectOnTheRunningServer()
    {
        using var db = new TempDatabase();
        JsonElement app = (await Cli.RunAsync("app", "create", "--name", "shop", "--database", db.ConnectionString, "--json")).Json;
        string id = app.GetProperty("app_id").GetString()!;
        await using ServerProcess server = await ServerProcess.StartAsync(db.ConnectionString);

        Assert.Equal(0, (await Cli.RunAsync("app", "set-option", "--app", id, "--option", "user_exists", "--level", "0", "--database", db.ConnectionString)).ExitCode);
        (_, JsonElement body) = await server.SendAsync(HttpMethod.Post, "/exists", app.GetProperty("secret_token").GetString()!, ExistsBody);
        Assert.Equal(203, body.GetProperty("err_code").GetInt32());
        Assert.Equal(0, (await Cli.RunAsync("app", "set-option", "--app", id, "--option", "user_exists", "--level", "1", "--database", db.ConnectionString)).ExitCode);

        CliResult renewed = await Cli.RunAsync("app", "renew-tokens", "--app", id, "--database", db.ConnectionString, "--json");
        Assert.Equal(0, renewed.ExitCode);
        (_, body) = await server.SendAsync(HttpMethod.Post, "/exists", app.GetProperty("public_token").GetString()!, ExistsBody);
        Assert.Equal(200, body.GetProperty("err_code").GetInt32());
        string newPublic = renewed.Json.GetProperty("public_token").GetString()!;
        (_, body) = await server.SendAsync(HttpMethod.Post, "/exists", newPublic, ExistsBody);
        Assert.True(body.GetProperty("status").GetBoolean());

        Assert.Equal(0, (await Cli.RunAsync("app", "disable", "--app", id, "--database", db.ConnectionString)).ExitCode);
        (HttpStatusCode status, body) = await server.SendAsync(HttpMethod.Post, "/exists", newPublic, ExistsBody);
        Assert.Equal((HttpStatusCode.Unauthorized, 204), (status, body.GetProperty("err_code").GetInt32()));
    }

    [Fact]
    public async Task AddJwtKey_PrintsANewVerifyKey()
    {
        using var db = new TempDatabase();
        JsonElement app = (await Cli.RunAsync("app", "create", "--name", "shop", "--database", db.ConnectionString, "--json")).Json;
        CliResult added = await Cli.RunAsync("app", "add-jwt-key", "--app", app.GetProperty("app_id").GetString()!, "--database", db.ConnectionString, "--json");
        Assert.Equal(0, added.ExitCode);
        Assert.NotEqual(app.GetProperty("jwt_key_id").GetString(), added.Json.GetProperty("jwt_key_id").GetString());
        Assert.Equal(97, Convert.FromBase64String(added.Json.GetProperty("jwt_verify_key").GetString()!).Length);
    }

    [Fact]
    public async Task CommandsOnAnUnknownApp_Exit1()
    {
        using var db = new TempDatabase();
        string id = Guid.NewGuid().ToString();
        Assert.Equal(1, (await Cli.RunAsync("app", "renew-tokens", "--app", id, "--database", db.ConnectionString)).ExitCode);
        Assert.Equal(1, (await Cli.RunAsync("app", "add-jwt-key", "--app", id, "--database", db.ConnectionString)).ExitCode);
        Assert.Equal(1, (await Cli.RunAsync("app", "disable", "--app", id, "--database", db.ConnectionString)).ExitCode);
        Assert.Equal(1, (await Cli.RunAsync("app", "set-option", "--app", id, "--option", "user_exists", "--level", "2", "--database", db.ConnectionString)).ExitCode);
    }

    [Fact]
    public async Task DevApp_CreatesTheAppOnlyOnce()
    {
        using var db = new TempDatabase();
        CliResult first = await Cli.RunAsync("dev-app", "--database", db.ConnectionString, "--json");
        Assert.Equal(0, first.ExitCode);
        Assert.Equal("dev", first.Json.GetProperty("name").GetString());
        CliResult second = await Cli.RunAsync("dev-app", "--database", db.ConnectionString, "--json");
        Assert.Equal(1, second.ExitCode);
        Assert.Equal("", second.Output);
    }
}

public sealed class RootKeyCommandTests
{
    [Fact]
    public async Task PostgresWithoutRootKey_FailsWithMessage()
    {
        CliResult result = await Cli.RunAsync("app", "create", "--name", "x", "--database", "Host=127.0.0.1;Port=1;Username=u;Database=d", "--json");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Coffer:RootKey", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherRootKey_IsDetectedBeforeAnyChange()
    {
        using var db = new TempDatabase();
        JsonElement app = (await Cli.RunAsync("app", "create", "--name", "shop", "--database", db.ConnectionString, "--json")).Json;
        string keyFile = Path.Combine(db.Folder, "coffer.db.rootkey");
        Assert.True(File.Exists(keyFile));
        await File.WriteAllTextAsync(keyFile, Convert.ToBase64String(new byte[32]), TestContext.Current.CancellationToken);
        CliResult result = await Cli.RunAsync("app", "add-jwt-key", "--app", app.GetProperty("app_id").GetString()!, "--database", db.ConnectionString);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("another root key", result.Error, StringComparison.Ordinal);
    }
}
