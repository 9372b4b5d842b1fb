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

    public async Task<Answer> RunAsync(Query query, CancellationToken ct)
    {
        string app = AppStore.AppOfTokenSql;
        List<string> statements = [AppStore.TokenMatchSql];
        var parameters = new DynamicParameters();
        parameters.Add("hash", query.TokenHash);
        parameters.Add("option", query.Option?.Name ?? "");
        if (query.Subject is JwtClaims subject)
        {
            statements.Add(UserStore.JwtSubjectSql(app));
            parameters.Add("jwtUser", subject.User.Value);
            parameters.Add("jwtDevice", subject.Device.Value);
        }

        if (query.ForcedUser is string forced)
        {
            statements.Add(UserStore.UserExistsSql(app));
            parameters.Add("user", forced);
        }

        if (query.Group is GroupQuery group)
        {
            statements.Add(GroupAccessResolver.Sql(group.MemberGroup is not null, app));
            parameters.Add("target", group.Group);
            parameters.Add("member", group.User);
            if (group.MemberGroup is not null)
            {
                parameters.Add("memberGroup", group.MemberGroup);
            }
        }

        await using DbConnection connection = await db.OpenAsync(ct);
        await using SqlMapper.GridReader grid = await connection.QueryMultipleAsync(
            new CommandDefinition(string.Join(";\n", statements), parameters, cancellationToken: ct));
        AppTokenMatch? match = await AppStore.ReadTokenMatchAsync(grid);
        JwtSubject? subjectAnswer = query.Subject is null ? null : await UserStore.ReadJwtSubjectAsync(grid);
        bool? forcedExists = query.ForcedUser is null ? null : await grid.ReadSingleAsync<long>() > 0;
        GroupAccessResult? access = query.Group is GroupQuery g
            ? GroupAccessResolver.ToResult(await grid.ReadSingleOrDefaultAsync<GroupAccessResolver.AccessRow>(), g.Group, g.User, g.MemberGroup)
            : null;
        return new Answer(match, subjectAnswer, forcedExists, access);
    }
}
