using System.Data.Common;
using Coffer.Server.Data;
using Coffer.Server.Features.Apps;
using Coffer.Server.Features.Groups;
using Coffer.Server.Features.Users;
using Dapper;

namespace Coffer.Server.Auth;

/// <summary>
/// Everything the request pipeline reads from the database, in one round trip: the app of the token (with the route's
/// option level), the JWT's user and device, the user of a forced route (UF) and the group access (G). The statements
/// after the first take the app id from the token hash as a subquery, so none of them waits for another, and the batch
/// reads the state of the moment — nothing is cached, so a renewed token, a disabled app, a deleted device or a kick
/// takes effect on the next request on every server node (api.md §8 #28).
/// <para>
/// The JWT's user and device are read from the token before its signature is checked (<see cref="JwtService.PeekClaims"/>):
/// the statements only read, and <see cref="RequestAuthMiddleware"/> uses their answers only after the signature and
/// the claims have been verified — for the same token, so for the same claims.
/// </para>
/// </summary>
public sealed class RequestLookup(Database db)
{
    /// <summary>What to look up: the token hash, the route's option, and optionally subject, forced user and group.</summary>
    public sealed record Query(string TokenHash, AppOption? Option, JwtClaims? Subject, string? ForcedUser, GroupQuery? Group);

    /// <summary>Access of <see cref="User"/> to <see cref="Group"/>, acting as <see cref="MemberGroup"/> when given.</summary>
    public sealed record GroupQuery(string Group, string User, string? MemberGroup);

    /// <summary>The answers; a part is null when it was not asked.</summary>
    public sealed record Answer(AppTokenMatch? App, JwtSubject? Subject, bool? ForcedUserExists, GroupAccessResult? Access);

    /// <summary>
    /// The batch text of every combination of the parts (subject, forced user, none / direct / member-group access),
    /// composed once: the request path only picks one.
    /// </summary>
    private static readonly string[] Batches = [.. Enumerable.Range(0, 12).Select(Compose)];

    private static int BatchIndex(bool subject, bool forcedUser, GroupQuery? group) =>
        (subject ? 1 : 0) | (forcedUser ? 2 : 0) | ((group is null ? 0 : group.MemberGroup is null ? 1 : 2) << 2);

    private static string Compose(int index)
    {
        string app = AppStore.AppOfTokenSql;
        List<string> statements = [AppStore.TokenMatchSql];
        if ((index & 1) != 0)
        {
            statements.Add(UserStore.JwtSubjectSql(app));
        }

        if ((index & 2) != 0)
        {
            statements.Add(UserStore.UserExistsSql(app));
        }

        if ((index >> 2) is int access and > 0)
        {
            statements.Add(GroupAccessResolver.Sql(viaMemberGroup: access == 2, app));
        }

        return string.Join(";\n", statements);
    }

    public async Task<Answer> RunAsync(Query query, CancellationToken ct)
    {
        var parameters = new DynamicParameters();
        parameters.Add("hash", query.TokenHash);
        parameters.Add("option", query.Option?.Name ?? "");
        if (query.Subject is JwtClaims subject)
        {
            parameters.Add("jwtUser", subject.User.Value);
            parameters.Add("jwtDevice", subject.Device.Value);
        }

        if (query.ForcedUser is string forced)
        {
            parameters.Add("user", forced);
        }

        if (query.Group is GroupQuery group)
        {
            parameters.Add("target", group.Group);
            parameters.Add("member", group.User);
            if (group.MemberGroup is not null)
            {
                parameters.Add("memberGroup", group.MemberGroup);
            }
        }

        string sql = Batches[BatchIndex(query.Subject is not null, query.ForcedUser is not null, query.Group)];
        await using DbConnection connection = await db.OpenAsync(ct);
        await using SqlMapper.GridReader grid = await connection.QueryMultipleAsync(
            new CommandDefinition(sql, parameters, cancellationToken: ct));
        AppTokenMatch? match = await AppStore.ReadTokenMatchAsync(grid);
        JwtSubject? subjectAnswer = query.Subject is null ? null : await UserStore.ReadJwtSubjectAsync(grid);
        bool? forcedExists = query.ForcedUser is null ? null : await grid.ReadSingleAsync<long>() > 0;
        GroupAccessResult? access = query.Group is GroupQuery g
            ? GroupAccessResolver.ToResult(await grid.ReadSingleOrDefaultAsync<GroupAccessResolver.AccessRow>(), g.Group, g.User, g.MemberGroup)
            : null;
        return new Answer(match, subjectAnswer, forcedExists, access);
    }
}
