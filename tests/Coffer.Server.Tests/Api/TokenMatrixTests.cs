using System.Net;
using Coffer.Server.Auth;
using Coffer.Server.Features.Apps;
using Coffer.Server.Features.Login;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Api;

/// <summary>
/// Every row of <see cref="EndpointTable"/> against the running server: the app options and the secret-only rule
/// decide as api.md §2.2 says. Requests carry a fresh JWT of a new user (the JWT is checked before the option, §1.9)
/// and no body, so a request that passes the token stage ends at the body or business rules (or does what a bodyless
/// endpoint does, to a user made for that request only).
/// </summary>
public sealed class TokenMatrixTests(TestDatabases databases)
{
    /// <summary>The errors of the token and JWT stages, a wrong route (404), and 500: none may answer a request that should pass.</summary>
    private static readonly HashSet<int> TokenStageErrors = [200, 201, 203, 204, 30, 31, 32, 35, 404];

    private int userCount;

    [Theory, Databases]
    public async Task EveryEndpoint_TokenAndOptionLevels_DecideAsApiMdSays(DatabaseKind db)
    {
        // Every JWT row logs in fresh users; the login rate limit would otherwise count them all against 127.0.0.1.
        await using TestApp app = await TestApp.StartAsync(db, databases, new Dictionary<string, string>
        {
            [LoginRateLimit.PerAddressKey] = "100000",
        });
        var failures = new List<string>();
        foreach (EndpointRow row in EndpointTable.Rows)
        {
            failures.AddRange(row.Token switch
            {
                EndpointToken.Option => await OptionRowAsync(app, row),
                EndpointToken.SecretOnly => await SecretOnlyRowAsync(app, row),
                EndpointToken.Any => await AnyTokenRowAsync(app, row),
            });
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private async Task<List<string>> OptionRowAsync(TestApp app, EndpointRow row)
    {
        AppOption option = AppOption.FromName(row.Option!) ?? throw new InvalidOperationException($"{row}: unknown option {row.Option}");
        // The users first: registering and logging in need options this row may be about to forbid.
        string?[] jwts = [await JwtForAsync(app, row), await JwtForAsync(app, row), await JwtForAsync(app, row)];
        var failures = new List<string?>();
        try
        {
            await SetOptionAsync(app, option, TokenLevel.Forbidden);
            failures.Add(ExpectRefused(row, "level 0, secret token", await SendAsync(app, row, app.SecretToken, jwts[0])));
            await SetOptionAsync(app, option, TokenLevel.Secret);
            failures.Add(ExpectRefused(row, "level 2, public token", await SendAsync(app, row, app.PublicToken, jwts[0])));
            failures.Add(ExpectPassed(row, "level 2, secret token", await SendAsync(app, row, app.SecretToken, jwts[1])));
            await SetOptionAsync(app, option, TokenLevel.Public);
            failures.Add(ExpectPassed(row, "level 1, public token", await SendAsync(app, row, app.PublicToken, jwts[2])));
        }
        finally
        {
            await SetOptionAsync(app, option, option.DefaultLevel);
        }

        return [.. failures.OfType<string>()];
    }

    /// <summary>A secret-only route ignores the options (so none is set): the public token is refused, the secret one passes.</summary>
    private Task<List<string>> SecretOnlyRowAsync(TestApp app, EndpointRow row) =>
        ChecksAsync(app, row, ("public token", app.PublicToken, false), ("secret token", app.SecretToken, true));

    private Task<List<string>> AnyTokenRowAsync(TestApp app, EndpointRow row) =>
        ChecksAsync(app, row, ("public token", app.PublicToken, true), ("secret token", app.SecretToken, true));

    private async Task<List<string>> ChecksAsync(TestApp app, EndpointRow row, params (string Check, string AppToken, bool Passes)[] checks)
    {
        var failures = new List<string>();
        foreach ((string check, string appToken, bool passes) in checks)
        {
            ApiAnswer answer = await SendAsync(app, row, appToken, await JwtForAsync(app, row));
            failures.AddRange(new[] { passes ? ExpectPassed(row, check, answer) : ExpectRefused(row, check, answer) }.OfType<string>());
        }

        return failures;
    }

    /// <summary>A fresh JWT of a new user when the row needs a JWT (each request gets its own user: bodyless endpoints act).</summary>
    private async Task<string?> JwtForAsync(TestApp app, EndpointRow row) =>
        row.Jwt is null ? null : (await app.RegisterAsync($"matrix-{Interlocked.Increment(ref userCount)}")).Jwt;

    private static Task SetOptionAsync(TestApp app, AppOption option, TokenLevel level) =>
        app.Services.GetRequiredService<AppAdmin>().SetOptionAsync(app.App.App, option, level, CancellationToken.None);

    private static Task<ApiAnswer> SendAsync(TestApp app, EndpointRow row, string appToken, string? jwt) =>
        app.SendAsync(new HttpMethod(row.Method), PathOf(row), appToken: appToken, jwt: jwt);

    /// <summary>
    /// The request path: every parameter is a new UUID. The one place to give a parameter a real value (for example a
    /// group the JWT's user belongs to, should a check that runs before the option stage need one).
    /// </summary>
    private static string PathOf(EndpointRow row) =>
        System.Text.RegularExpressions.Regex.Replace(row.Route, @"\{[^}]*\}", _ => Guid.NewGuid().ToString());

    private static string? ExpectRefused(EndpointRow row, string check, ApiAnswer answer) =>
        (answer.Status, answer.ErrCode) == (HttpStatusCode.BadRequest, 203)
            ? null
            : $"{row} ({check}): expected 400/203, got {(int)answer.Status}/{answer.ErrCode} {answer.Text}";

    private static string? ExpectPassed(EndpointRow row, string check, ApiAnswer answer) =>
        answer.Status != HttpStatusCode.InternalServerError && !TokenStageErrors.Contains(answer.ErrCode)
            ? null
            : $"{row} ({check}): expected to pass the token stage, got {(int)answer.Status}/{answer.ErrCode} {answer.Text}";
}
