using System.Data.Common;
using System.Text.Json;
using System.Text.RegularExpressions;
using Coffer.Server.Features.Apps;
using Coffer.Server.Tests.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Features.Groups;

/// <summary>
/// The authorization matrix of issue 3: every endpoint under /api/v1/group and /api/v1/keys × every role, with the
/// expected allow/deny of each cell derived from ONE table (<see cref="Rows"/>). A second test enumerates the app's
/// real endpoints and fails when one is missing from the table (or the table names one that does not exist).
///
/// HOW TO ADD A ROW (one row per line, so that merges of several branches are unions):
///   Row(method, path template, rule, token rule) with optional body factory, OkCodes, DenyCodes, After hook.
///   * path placeholders: {group} the role's target group, {user} the role's user id, {key} the target group's current
///     key id, {target} the rank-4 member of T, {sym} a symmetric key of the fixture (master key {mk}), {invitee} a
///     user in no group, {spare} a normal group in no group, {x} the connected group X, {sid} a fresh (unknown) key
///     session id; list endpoints end in 0/none.
///   * Allowed: a role → allow function, for rows whose rule is not a plain rank (e.g. leave through a member group).
///   * rule: Rule.AppOnly (no JWT), Rule.Jwt (any JWT user, no group), Rule.Member(maxRank) (G: null = any member),
///     Rule.Forced (secret token, no user), Rule.ForcedUser (S + UF), Rule.ForcedMember(maxRank) (S + UF + GF).
///   * token: Token.Option (public or secret, the §2.2 default 1) or Token.Secret (S routes).
///   * "allow" = the answer is none of 310, 301, 203, 100 (and the row's DenyCodes). An allowed cell must also be a
///     success unless its code is in OkCodes (a business error after authorization, e.g. 318). Pick bodies that succeed.
///   * a row that changes the fixture gets an After hook (run after every cell) that restores it, e.g.
///     <c>f => f.RebuildIfGoneAsync()</c> for destructive rows; rows with a hook run after all the others.
/// </summary>
public sealed class GroupAuthorizationMatrix(TestDatabases databases)
{
    /// <summary>The roles of a cell; see <see cref="MatrixFixture"/> for how each is built.</summary>
    public enum Role
    {
        NonMember,
        Rank4,
        Rank3,
        Rank2,
        Rank1,
        Creator,
        ParentMember,
        ConnectedMember,
        Kicked,
        OtherApp,
    }

    public enum Token
    {
        Option,
        Secret,
    }

    public sealed record Rule(string Kind, int? MaxRank = null)
    {
        public static Rule AppOnly { get; } = new("app");

        public static Rule Jwt { get; } = new("jwt");

        public static Rule Forced { get; } = new("forced");

        public static Rule ForcedUser { get; } = new("forced-user");

        public static Rule Member(int? maxRank = null) => new("member", maxRank);

        public static Rule ForcedMember(int? maxRank = null) => new("forced-member", maxRank);

        public bool SendsJwt => Kind is "jwt" or "member";

        public bool IsForced => Kind.StartsWith("forced", StringComparison.Ordinal);

        public bool UsesGroupAccess => Kind is "member" or "forced-member";
    }

    public sealed record Row(
        string Method,
        string Path,
        Rule Rule,
        Token Token,
        Func<Cell, string>? Body = null,
        int[]? OkCodes = null,
        int[]? DenyCodes = null,
        Func<MatrixFixture, Task>? After = null,
        bool? OtherAppAllowed = null,
        Func<Role, bool>? Allowed = null)
    {
        public override string ToString() => $"{Method} {Path}";
    }

    /// <summary>What a body factory sees: the role's target group, its current key, the fixture.</summary>
    public sealed record Cell(Role Role, string Group, string Key, MatrixFixture Fixture);

    private const string Ok = "OK";

    private static readonly int[] DenyCodesAlways = [310, 301, 203, 100];

    // Rank of each role on its target group (null = no access). ConnectedMember acts on X through member group M.
    private static int? RankOf(Role role) => role switch
    {
        Role.Rank4 => 4,
        Role.Rank3 => 3,
        Role.Rank2 => 2,
        Role.Rank1 => 1,
        Role.Creator => 0,
        Role.ParentMember => 1,
        Role.ConnectedMember => 2,
        Role.NonMember or Role.Kicked or Role.OtherApp => null,
    };

    private static string CreateBody(Cell c) => GroupKit.CreateBody(c.Key);

    private static string ChangeRankBody(Cell c) =>
        JsonSerializer.Serialize(new Dictionary<string, object> { ["changed_user_id"] = c.Fixture.Users[Role.Rank4].UserId, ["new_rank"] = 4 });

    private static string SymKeyBody(Cell c) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["alg"] = "AES-GCM-256", ["encrypted_key_string"] = "c", ["master_key_id"] = "mk" });

    private static string KeysBody(Cell c) =>
        $$"""{"keys":[{{KeyJson(c)}}],"rank":null,"key_session":false}""";

    private static string SessionKeysBody(Cell c) => $"[{KeyJson(c)}]";

    private static string KeyJson(Cell c) =>
        $$"""{"encrypted_group_key":"enc","alg":"AES-GCM-256","encrypted_alg":"ECIES-ed25519_KYBER_768","key_id":"{{c.Key}}","user_public_key_id":"pk"}""";

    private static string LightBody(Cell c) => """{"rank":null}""";

    private static Task Reset(MatrixFixture f) => f.ResetMembershipsAsync();

    /// <summary>Leave: every direct or inherited member may call it; through a member group the user needs r ≤ 1 there (§4.14).</summary>
    private static bool MayLeave(Role role) => RankOf(role) is not null && role != Role.ConnectedMember;

    /// <summary>THE table: one row per endpoint under /group and /keys.</summary>
    public static IReadOnlyList<Row> Rows { get; } =
    [
        new("GET", "/group/{group}/public_key", Rule.AppOnly, Token.Option, DenyCodes: [304]),
        new("POST", "/group", Rule.Jwt, Token.Option, CreateBody),
        new("POST", "/group/light", Rule.Jwt, Token.Option),
        new("GET", "/group/all/0/none", Rule.Jwt, Token.Option),
        new("GET", "/group/{group}", Rule.Member(), Token.Option),
        new("GET", "/group/{group}/light", Rule.Member(), Token.Option),
        new("GET", "/group/{group}/update_check", Rule.Member(), Token.Option),
        new("GET", "/group/{group}/update_check_light", Rule.Member(), Token.Option),
        new("GET", "/group/{group}/keys/0/none", Rule.Member(), Token.Option),
        new("GET", "/group/{group}/key/{key}", Rule.Member(), Token.Option),
        new("GET", "/group/{group}/children/0/none", Rule.Member(), Token.Option),
        new("GET", "/group/{group}/all/0/none", Rule.Member(), Token.Option),
        new("GET", "/group/{group}/member/0/none", Rule.Member(), Token.Option),
        new("POST", "/group/{group}/child", Rule.Member(1), Token.Option, CreateBody),
        new("POST", "/group/{group}/child/light", Rule.Member(1), Token.Option),
        new("POST", "/group/{group}/connected", Rule.Member(1), Token.Option, CreateBody, OkCodes: [318]),
        new("POST", "/group/{group}/connected/light", Rule.Member(1), Token.Option, OkCodes: [318]),
        new("GET", "/group/forced/{group}/user/{target}", Rule.Forced, Token.Secret),
        new("POST", "/group/forced/{user}", Rule.ForcedUser, Token.Secret, CreateBody),
        new("POST", "/group/forced/{user}/light", Rule.ForcedUser, Token.Secret),
        new("POST", "/group/forced/{user}/{group}/child", Rule.ForcedMember(1), Token.Secret, CreateBody),
        new("POST", "/group/forced/{user}/{group}/child/light", Rule.ForcedMember(1), Token.Secret),
        new("POST", "/group/forced/{user}/{group}/connected", Rule.ForcedMember(1), Token.Secret, CreateBody, OkCodes: [318]),
        new("POST", "/group/forced/{user}/{group}/connected/light", Rule.ForcedMember(1), Token.Secret, OkCodes: [318]),
        new("POST", "/keys/sym_key", Rule.Jwt, Token.Option, SymKeyBody),
        new("GET", "/keys/sym_key/{sym}", Rule.AppOnly, Token.Option, DenyCodes: [400]),
        new("GET", "/keys/sym_key/master_key/{mk}/0/none", Rule.AppOnly, Token.Option, OtherAppAllowed: true), // another app lists its own (none)
        // groups-members: invites (§4.7, §4.19; group invites answer 319 before the rank check on the normal group T)
        new("PUT", "/group/{group}/invite/{invitee}", Rule.Member(2), Token.Option, KeysBody, After: Reset),
        new("PUT", "/group/{group}/invite/{invitee}/light", Rule.Member(2), Token.Option, LightBody, After: Reset),
        new("PUT", "/group/{group}/invite_auto/{invitee}", Rule.Member(2), Token.Option, KeysBody, After: Reset),
        new("PUT", "/group/{group}/invite_auto/{invitee}/light", Rule.Member(2), Token.Option, LightBody, After: Reset),
        new("PUT", "/group/{group}/invite_group/{spare}", Rule.Member(), Token.Option, KeysBody, OkCodes: [319], After: Reset),
        new("PUT", "/group/{group}/invite_group/{spare}/light", Rule.Member(), Token.Option, LightBody, OkCodes: [319], After: Reset),
        new("PUT", "/group/{group}/invite_group_auto/{spare}", Rule.Member(), Token.Option, KeysBody, OkCodes: [319], After: Reset),
        new("PUT", "/group/{group}/invite_group_auto/{spare}/light", Rule.Member(), Token.Option, LightBody, OkCodes: [319], After: Reset),
        new("PUT", "/group/{group}/invite_group_auto_force/{spare}", Rule.Member(2), Token.Secret, KeysBody, After: Reset),
        new("PUT", "/group/{group}/invite_group_auto_force/{spare}/light", Rule.Member(2), Token.Secret, LightBody, After: Reset),
        new("PUT", "/group/{group}/re_invite/{target}", Rule.Member(2), Token.Option, KeysBody, OkCodes: [320], After: Reset),
        new("PUT", "/group/{group}/re_invite_group/{spare}", Rule.Member(), Token.Option, KeysBody, OkCodes: [319, 320], After: Reset),
        new("PUT", "/group/{group}/re_invite_group_force/{spare}", Rule.Member(2), Token.Secret, KeysBody, OkCodes: [320], After: Reset),
        new("GET", "/group/invite/0/none", Rule.Jwt, Token.Option),
        new("PATCH", "/group/{group}/invite", Rule.Jwt, Token.Option, OkCodes: [307], After: Reset),
        new("DELETE", "/group/{group}/invite", Rule.Jwt, Token.Option, OkCodes: [307], After: Reset),
        new("GET", "/group/{group}/invite/0/none", Rule.Member(1), Token.Option),
        new("PATCH", "/group/{group}/invite/{x}", Rule.Member(1), Token.Option, OkCodes: [307], After: Reset),
        new("DELETE", "/group/{group}/invite/{x}", Rule.Member(1), Token.Option, OkCodes: [307], After: Reset),
        new("PATCH", "/group/{group}/{x}/invite", Rule.Member(1), Token.Option, OkCodes: [307], After: Reset),
        new("DELETE", "/group/{group}/{x}/invite", Rule.Member(1), Token.Option, OkCodes: [307], After: Reset),

        // groups-members: join requests (§4.8, §4.10) and key sessions (§4.6)
        new("PATCH", "/group/{group}/join_req", Rule.Jwt, Token.Option, OkCodes: [302], After: Reset, OtherAppAllowed: false),
        new("GET", "/group/joins/0/none", Rule.Jwt, Token.Option),
        new("DELETE", "/group/joins/{group}", Rule.Jwt, Token.Option, After: Reset, OtherAppAllowed: false),
        new("GET", "/group/{group}/join_req/0/none", Rule.Member(2), Token.Option),
        new("PUT", "/group/{group}/join_req/{invitee}", Rule.Member(2), Token.Option, KeysBody, OkCodes: [309], After: Reset),
        new("PUT", "/group/{group}/join_req/{invitee}/light", Rule.Member(2), Token.Option, LightBody, OkCodes: [309], After: Reset),
        new("DELETE", "/group/{group}/join_req/{invitee}", Rule.Member(2), Token.Option, After: Reset),
        new("PATCH", "/group/{group}/join_req/{x}", Rule.Member(1), Token.Option, After: Reset),
        new("GET", "/group/{group}/joins/0/none", Rule.Member(1), Token.Option),
        new("DELETE", "/group/{group}/joins/{x}", Rule.Member(1), Token.Option, After: Reset),
        new("PUT", "/group/{group}/invite/session/{sid}", Rule.Member(), Token.Option, SessionKeysBody, OkCodes: [306]),
        new("PUT", "/group/{group}/join_req/session/{sid}", Rule.Member(), Token.Option, SessionKeysBody, OkCodes: [306]),

        // groups-members: leave and kick (§4.14), forced kick and auto invites (§4.15)
        new("DELETE", "/group/{group}/leave", Rule.Member(), Token.Option, OkCodes: [300], After: Reset, Allowed: MayLeave),
        new("DELETE", "/group/{group}/kick/{target}", Rule.Member(2), Token.Option, OkCodes: [300], After: Reset),
        new("DELETE", "/group/forced/{user}/{group}/kick/{target}", Rule.ForcedMember(2), Token.Secret, OkCodes: [300], After: Reset),
        new("POST", "/group/forced/{user}/{group}/invite_auto/{invitee}", Rule.ForcedMember(2), Token.Secret, KeysBody, After: Reset),
        new("POST", "/group/forced/{user}/{group}/invite_auto/{invitee}/light", Rule.ForcedMember(2), Token.Secret, LightBody, After: Reset),
        new("POST", "/group/forced/{user}/{group}/invite_auto/{spare}/group", Rule.ForcedMember(2), Token.Secret, KeysBody, After: Reset),
        new("POST", "/group/forced/{user}/{group}/invite_auto/{spare}/group_light", Rule.ForcedMember(2), Token.Secret, LightBody, After: Reset),

        new("PUT", "/group/{group}/change_rank", Rule.Member(1), Token.Option, ChangeRankBody),
        new("PATCH", "/group/{group}/change_invite", Rule.Member(1), Token.Option, After: f => f.ReopenInvitesAsync()),
        new("DELETE", "/keys/sym_key/{sym}", Rule.Jwt, Token.Option, After: f => f.RenewSymKeyAsync()), // others' deletes do nothing (SymKeyTests)
        new("DELETE", "/group/{group}", Rule.Member(1), Token.Option, After: f => f.RebuildIfGoneAsync()),
        new("DELETE", "/group/forced/{group}", Rule.Forced, Token.Secret, After: f => f.RebuildIfGoneAsync()),
    ];

    [Theory, Databases]
    public async Task Matrix_EveryEndpointAndRole_AllowsOrDeniesAsTheTableSays(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        MatrixFixture fixture = await MatrixFixture.CreateAsync(app);
        var failures = new List<string>();
        int cells = 0;
        foreach (Row row in Rows.OrderBy(r => r.After is null ? 0 : 1))
        {
            IEnumerable<Role> roles = row.Rule.Kind == "forced" ? [Role.Creator, Role.OtherApp] : Enum.GetValues<Role>();
            foreach (Role role in roles)
            {
                bool expected = Expected(row, role);
                string outcome = await SendAsync(fixture, row, role, swapToken: false);
                cells++;
                Check(failures, row, role, "", expected, outcome);
                if (row.After is not null)
                {
                    await row.After(fixture);
                }
            }

            // The token dimension: an allowed request with the other token (Option rows: the secret token works too;
            // S rows: the public token is refused with 203).
            Role allowedRole = roles.First(r => Expected(row, r));
            string swapped = await SendAsync(fixture, row, allowedRole, swapToken: true);
            cells++;
            Check(failures, row, allowedRole, row.Token == Token.Secret ? " with the public token" : " with the secret token",
                row.Token == Token.Option, swapped);
            if (row.Token == Token.Secret && swapped != "203")
            {
                failures.Add($"{row} public token: expected 203, got {swapped}");
            }

            if (row.After is not null)
            {
                await row.After(fixture);
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cells} cells wrong:\n" + string.Join("\n", failures));
        Assert.True(cells >= Rows.Count * 4, "the matrix ran too few cells");
    }

    [Theory, Databases]
    public async Task Table_CoversEveryGroupAndKeyEndpointOfTheApp(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        HashSet<string> real = [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is string raw
                && (raw.StartsWith("/api/v1/group", StringComparison.Ordinal) || raw.StartsWith("/api/v1/keys", StringComparison.Ordinal)))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => m + " " + Normalize(e.RoutePattern.RawText!["/api/v1".Length..])))];
        HashSet<string> table = [.. Rows.Select(r => r.Method + " " + Normalize(r.Path))];

        Assert.True(real.Count > 20, "no group endpoints found: " + string.Join(", ", real));
        Assert.Empty(real.Except(table).Order(StringComparer.Ordinal)); // endpoints without a matrix row
        Assert.Empty(table.Except(real).Order(StringComparer.Ordinal)); // rows without an endpoint
        Assert.Equal(Rows.Count, table.Count); // one row per endpoint
    }

    /// <summary>Every parameter or placeholder segment becomes "{}", and the list placeholders 0/none too.</summary>
    private static string Normalize(string path) =>
        Regex.Replace(Regex.Replace(path, "\\{[^}]*\\}", "{}"), "/0/none$", "/{}/{}");

    private static bool Expected(Row row, Role role)
    {
        if (row.Allowed is not null)
        {
            return row.Allowed(role);
        }

        if (role == Role.OtherApp)
        {
            return row.OtherAppAllowed ?? row.Rule.Kind == "jwt";
        }

        return row.Rule.Kind switch
        {
            "member" or "forced-member" => RankOf(role) is int rank && (row.Rule.MaxRank is not int max || rank <= max),
            _ => true,
        };
    }

    private static void Check(List<string> failures, Row row, Role role, string variant, bool expected, string outcome)
    {
        bool denied = int.TryParse(outcome, out int code) && (DenyCodesAlways.Contains(code) || (row.DenyCodes?.Contains(code) ?? false));
        if (expected && (denied || (outcome != Ok && !(row.OkCodes?.Contains(code) ?? false))))
        {
            failures.Add($"{row} as {role}{variant}: expected allow, got {outcome}");
        }
        else if (!expected && !denied)
        {
            failures.Add($"{row} as {role}{variant}: expected deny, got {outcome}");
        }
    }

    /// <summary>Sends one cell; the outcome is "OK" or the error code.</summary>
    private static async Task<string> SendAsync(MatrixFixture f, Row row, Role role, bool swapToken)
    {
        // The other app's user comes with its own app's token, except on forced routes that name a user: there this
        // app's backend names the other app's user (a foreign user id must be refused, 100).
        bool other = role == Role.OtherApp && row.Rule.Kind is not ("forced-user" or "forced-member");
        TestUser user = f.Users[role];
        (string group, string? header) = f.Target(role);
        string key = await GroupKit.CurrentKeyAsync(f.App, group);
        var cell = new Cell(role, group, key, f);
        string path = row.Path
            .Replace("{group}", group, StringComparison.Ordinal)
            .Replace("{user}", user.UserId, StringComparison.Ordinal)
            .Replace("{key}", key, StringComparison.Ordinal)
            .Replace("{target}", f.Users[Role.Rank4].UserId, StringComparison.Ordinal)
            .Replace("{sym}", f.SymKey, StringComparison.Ordinal)
            .Replace("{mk}", "mk", StringComparison.Ordinal)
            .Replace("{invitee}", f.Invitee.UserId, StringComparison.Ordinal)
            .Replace("{spare}", f.Spare, StringComparison.Ordinal)
            .Replace("{x}", f.X, StringComparison.Ordinal)
            .Replace("{sid}", Guid.NewGuid().ToString("D"), StringComparison.Ordinal);
        bool secret = (row.Token == Token.Secret) != swapToken;
        string token = (other, secret) switch
        {
            (false, false) => f.App.PublicToken,
            (false, true) => f.App.SecretToken,
            (true, false) => f.OtherApp.PublicToken,
            (true, true) => f.OtherApp.SecretToken,
        };
        ApiAnswer answer = await f.App.SendGroupAsync(
            new HttpMethod(row.Method), path, row.Body?.Invoke(cell), row.Rule.SendsJwt ? user.Jwt : null,
            row.Rule.UsesGroupAccess ? header : null, token);
        return answer.Ok ? Ok : answer.ErrCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// One fixture per database: the users of every role and the groups they act on, rebuilt (groups only) when a row
/// deletes them.
/// <list type="bullet">
/// <item>P: root group of Creator; T: child of P (created by Creator, so Creator reaches T with rank 0 via P).</item>
/// <item>Rank1..Rank4: direct members of T; ParentMember: rank 1 in P (reaches T via P); Kicked: was rank 3 in T,
/// its row and keys removed (as a kick leaves it); NonMember: no row anywhere.</item>
/// <item>M: normal group of Creator with ConnectedMember as rank-2 member; X: connected group created from M, so
/// ConnectedMember reaches X through member group M (header) with the weaker rank 2.</item>
/// <item>OtherApp: a user of a second app, with that app's tokens, aiming at this app's T.</item>
/// </list>
/// </summary>
public sealed class MatrixFixture
{
    private MatrixFixture(TestApp app, AppCredentials otherApp, Dictionary<GroupAuthorizationMatrix.Role, TestUser> users)
    {
        App = app;
        OtherApp = otherApp;
        Users = users;
    }

    public TestApp App { get; }

    public AppCredentials OtherApp { get; }

    public IReadOnlyDictionary<GroupAuthorizationMatrix.Role, TestUser> Users { get; }

    public string P { get; private set; } = "";

    public string T { get; private set; } = "";

    public string M { get; private set; } = "";

    public string X { get; private set; } = "";

    public string SymKey { get; private set; } = "";

    /// <summary>A user in no group: the target of invites.</summary>
    public TestUser Invitee { get; private set; } = null!;

    /// <summary>A normal group in no group: the target of group invites.</summary>
    public string Spare { get; private set; } = "";

    private string membershipSignature = "";

    public static async Task<MatrixFixture> CreateAsync(TestApp app)
    {
        var users = new Dictionary<GroupAuthorizationMatrix.Role, TestUser>();
        foreach (GroupAuthorizationMatrix.Role role in Enum.GetValues<GroupAuthorizationMatrix.Role>().Where(r => r != GroupAuthorizationMatrix.Role.OtherApp))
        {
            users[role] = await app.RegisterAsync(role.ToString().ToLowerInvariant());
        }

        AppCredentials other = await app.CreateAppAsync("other");
        users[GroupAuthorizationMatrix.Role.OtherApp] = await RegisterInAppAsync(app, other, "outsider");
        var fixture = new MatrixFixture(app, other, users) { Invitee = await app.RegisterAsync("invitee") };
        await fixture.BuildGroupsAsync();
        await fixture.RenewSymKeyAsync();
        return fixture;
    }

    /// <summary>The group a role acts on and the member-group header it sends.</summary>
    public (string Group, string? Header) Target(GroupAuthorizationMatrix.Role role) =>
        role == GroupAuthorizationMatrix.Role.ConnectedMember ? (X, M) : (T, null);

    public async Task RebuildIfGoneAsync()
    {
        long present = await GroupKit.CountAsync(App, "SELECT COUNT(*) FROM grp WHERE id IN (@P, @T, @M, @X)", new { P, T, M, X });
        if (present != 4)
        {
            await BuildGroupsAsync();
        }
    }

    /// <summary>
    /// After a membership row: drops every invite and join request and the rows of the invitee and the spare group, and
    /// rebuilds the groups when a member row of the fixture changed (a leave, a kick).
    /// </summary>
    public async Task ResetMembershipsAsync()
    {
        await using (DbConnection c = await GroupKit.OpenAsync(App))
        {
            await c.ExecuteAsync(
                """
                DELETE FROM membership_request;
                DELETE FROM member_key WHERE member_id IN (@invitee, @Spare);
                DELETE FROM group_member WHERE member_id IN (@invitee, @Spare);
                """,
                new { invitee = Invitee.UserId, Spare });
        }

        if (await MembershipSignatureAsync() != membershipSignature)
        {
            await BuildGroupsAsync();
        }
    }

    public async Task ReopenInvitesAsync()
    {
        await using DbConnection c = await GroupKit.OpenAsync(App);
        await c.ExecuteAsync("UPDATE grp SET invite_open = @open WHERE id IN (@P, @T, @M, @X)", new { open = true, P, T, M, X });
    }

    public async Task RenewSymKeyAsync()
    {
        if (SymKey.Length > 0 && await GroupKit.CountAsync(App, "SELECT COUNT(*) FROM sym_key WHERE id = @SymKey", new { SymKey }) == 1)
        {
            return;
        }

        ApiAnswer answer = await App.SendAsync(
            HttpMethod.Post, "/keys/sym_key", """{"alg":"AES-GCM-256","encrypted_key_string":"c","master_key_id":"mk"}""",
            jwt: Users[GroupAuthorizationMatrix.Role.Creator].Jwt);
        Assert.True(answer.Ok, answer.Text);
        SymKey = answer.Result.GetProperty("key_id").GetString()!;
    }

    private async Task BuildGroupsAsync()
    {
        TestUser creator = Users[GroupAuthorizationMatrix.Role.Creator];
        P = await GroupKit.CreateAsync(App, creator);
        T = await GroupKit.CreateUnderAsync(App, creator, P, "child");
        await GroupKit.AddMemberAsync(App, T, Users[GroupAuthorizationMatrix.Role.Rank1].UserId, rank: 1);
        await GroupKit.AddMemberAsync(App, T, Users[GroupAuthorizationMatrix.Role.Rank2].UserId, rank: 2);
        await GroupKit.AddMemberAsync(App, T, Users[GroupAuthorizationMatrix.Role.Rank3].UserId, rank: 3);
        await GroupKit.AddMemberAsync(App, T, Users[GroupAuthorizationMatrix.Role.Rank4].UserId, rank: 4);
        await GroupKit.AddMemberAsync(App, P, Users[GroupAuthorizationMatrix.Role.ParentMember].UserId, rank: 1);

        string kicked = Users[GroupAuthorizationMatrix.Role.Kicked].UserId;
        await GroupKit.AddMemberAsync(App, T, kicked, rank: 3);
        await using (DbConnection c = await GroupKit.OpenAsync(App))
        {
            await c.ExecuteAsync(
                """
                DELETE FROM member_key WHERE group_id = @T AND member_id = @kicked;
                DELETE FROM group_member WHERE group_id = @T AND member_id = @kicked;
                """,
                new { T, kicked });
        }

        M = await GroupKit.CreateAsync(App, creator);
        await GroupKit.AddMemberAsync(App, M, Users[GroupAuthorizationMatrix.Role.ConnectedMember].UserId, rank: 2);
        X = await GroupKit.CreateUnderAsync(App, creator, M, "connected");
        Spare = await GroupKit.CreateAsync(App, creator);
        membershipSignature = await MembershipSignatureAsync();
    }

    private async Task<string> MembershipSignatureAsync()
    {
        await using DbConnection c = await GroupKit.OpenAsync(App);
        IEnumerable<string> rows = await c.QueryAsync<string>(
            "SELECT group_id || ':' || member_id || ':' || rank FROM group_member WHERE group_id IN (@P, @T, @M, @X) ORDER BY 1",
            new { P, T, M, X });
        return string.Join(",", rows);
    }

    /// <summary>Registers and logs in a user of another app (the TestApp helpers use the main app's tokens).</summary>
    private static async Task<TestUser> RegisterInAppAsync(TestApp app, AppCredentials credentials, string identifier)
    {
        ApiAnswer registered = await app.SendAsync(HttpMethod.Post, "/register", Bodies.Register(identifier), appToken: credentials.SecretToken);
        Assert.True(registered.Ok, registered.Text);
        ApiAnswer done = await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin(identifier), appToken: credentials.PublicToken);
        string challenge = Bodies.DecryptChallenge(done.Result.GetProperty("Direct"));
        ApiAnswer verified = await app.SendAsync(
            HttpMethod.Post, "/verify_login", Bodies.VerifyLogin(identifier, challenge), appToken: credentials.PublicToken);
        Assert.True(verified.Ok, verified.Text);
        return new TestUser(
            identifier, registered.Result.GetProperty("user_id").GetString()!, registered.Result.GetProperty("device_id").GetString()!,
            verified.Result.GetProperty("jwt").GetString()!, verified.Result.GetProperty("refresh_token").GetString()!);
    }
}
