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
        Caller[] callers = [await CallerForAsync(app, row), await CallerForAsync(app, row), await CallerForAsync(app, row)];
        var failures = new List<string?>();
        try
        {
            await SetOptionAsync(app, option, TokenLevel.Forbidden);
            failures.Add(ExpectRefused(row, "level 0, secret token", await SendAsync(app, row, app.SecretToken, callers[0])));
            await SetOptionAsync(app, option, TokenLevel.Secret);
            failures.Add(ExpectRefused(row, "level 2, public token", await SendAsync(app, row, app.PublicToken, callers[0])));
            failures.Add(ExpectPassed(row, "level 2, secret token", await SendAsync(app, row, app.SecretToken, callers[1])));
            await SetOptionAsync(app, option, TokenLevel.Public);
            failures.Add(ExpectPassed(row, "level 1, public token", await SendAsync(app, row, app.PublicToken, callers[2])));
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
            ApiAnswer answer = await SendAsync(app, row, appToken, await CallerForAsync(app, row));
            failures.AddRange(new[] { passes ? ExpectPassed(row, check, answer) : ExpectRefused(row, check, answer) }.OfType<string>());
        }

        return failures;
    }

    /// <summary>Who sends one request: a JWT (rows with a JWT), and for routes on a group, that user's own group.</summary>
    private sealed record Caller(string? Jwt, string? User, string? Group);

    /// <summary>
    /// A new user when the row needs a JWT or acts on a group (each request gets its own user: bodyless endpoints act).
    /// Group access (400/310) is checked before the option (§1.9), so routes on <c>{groupId}</c> get a group the user
    /// created (rank 0), made now, before the row's option changes.
    /// </summary>
    private async Task<Caller> CallerForAsync(TestApp app, EndpointRow row)
    {
        bool onGroup = row.Route.Contains("{groupId}", StringComparison.Ordinal);
        if (row.Jwt is null && !onGroup)
        {
            return new Caller(null, null, null);
        }

        TestUser user = await app.RegisterAsync($"matrix-{Interlocked.Increment(ref userCount)}");
        string? group = onGroup ? await Features.Groups.GroupKit.CreateAsync(app, user) : null;
        return new Caller(row.Jwt is null ? null : user.Jwt, user.UserId, group);
    }

    private static Task SetOptionAsync(TestApp app, AppOption option, TokenLevel level) =>
        app.Services.GetRequiredService<AppAdmin>().SetOptionAsync(app.App.App, option, level, CancellationToken.None);

    private static Task<ApiAnswer> SendAsync(TestApp app, EndpointRow row, string appToken, Caller caller) =>
        app.SendAsync(new HttpMethod(row.Method), PathOf(row, caller), appToken: appToken, jwt: caller.Jwt);

    /// <summary>
    /// The request path: <c>{groupId}</c> is the caller's group and, on forced group routes, <c>{userId}</c> its creator
    /// (GF resolves access for it); every other parameter is a new UUID.
    /// </summary>
    private static string PathOf(EndpointRow row, Caller caller) =>
        System.Text.RegularExpressions.Regex.Replace(row.Route, @"\{[^}]*\}", m => (m.Value, caller.Group) switch
        {
            ("{groupId}", string group) => group,
            ("{userId}", not null) => caller.User!,
            _ => Guid.NewGuid().ToString(),
        });

    private static string? ExpectRefused(EndpointRow row, string check, ApiAnswer answer) =>
        (answer.Status, answer.ErrCode) == (HttpStatusCode.BadRequest, 203)
            ? null
            : $"{row} ({check}): expected 400/203, got {(int)answer.Status}/{answer.ErrCode} {answer.Text}";

    private static string? ExpectPassed(EndpointRow row, string check, ApiAnswer answer) =>
        answer.Status != HttpStatusCode.InternalServerError && !TokenStageErrors.Contains(answer.ErrCode)
            ? null
            : $"{row} ({check}): expected to pass the token stage, got {(int)answer.Status}/{answer.ErrCode} {answer.Text}";
}
