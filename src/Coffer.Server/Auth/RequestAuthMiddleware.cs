using Coffer.Protocol;
using Coffer.Server.Api;
using Coffer.Server.Features.Apps;
using Coffer.Server.Features.Groups;
using Coffer.Server.Features.Users;

namespace Coffer.Server.Auth;

/// <summary>
/// Enforces the requirements an endpoint declares as metadata, in the order of api.md §1.9: app token
/// (401/200, 201, 204) → JWT (401/30–32, 35; 400/1, 100) → group access (400/1, 100, 310) → endpoint option
/// (400/203) → fresh JWT (401/113) → rank (400/301).
/// Runs after routing and before parameter binding, so no body is read for a rejected request.
/// </summary>
public sealed class RequestAuthMiddleware(RequestDelegate next, RequestLookup lookup, JwtService jwt)
{
    public const string AppTokenHeader = "x-sentc-app-token";
    private const string BearerPrefix = "Bearer ";

    public async Task InvokeAsync(HttpContext context)
    {
        Endpoint? endpoint = context.GetEndpoint();
        AppTokenRequirement? tokenRequirement = endpoint?.Metadata.GetMetadata<AppTokenRequirement>();
        if (tokenRequirement is null)
        {
            await next(context);
            return;
        }

        ProtocolError? error = await AuthorizeAsync(
            context, tokenRequirement, endpoint!.Metadata.GetMetadata<JwtRequirement>(), endpoint.Metadata.GetMetadata<GroupAccessRequirement>());
        if (error is not null)
        {
            await Reply.WriteErrorAsync(context, error);
            return;
        }

        await next(context);
    }

    private async Task<ProtocolError?> AuthorizeAsync(
        HttpContext context, AppTokenRequirement tokenRequirement, JwtRequirement? jwtRequirement, GroupAccessRequirement? groupRequirement)
    {
        CancellationToken ct = context.RequestAborted;
        string? token = context.Request.Headers[AppTokenHeader];
        if (string.IsNullOrEmpty(token))
        {
            return ProtocolError.AppTokenNotFound;
        }

        string? hash = AppTokens.HashOfBase64(token);
        if (hash is null)
        {
            return ProtocolError.AppTokenWrongFormat;
        }

        // Everything the stages below read comes from one batch (RequestLookup); the stages still decide in the
        // order of §1.9, and the batch's answers about the JWT's user are used only once the JWT is verified.
        string? bearer = null;
        JwtClaims? peeked = null;
        if (jwtRequirement is not null)
        {
            string? authorization = context.Request.Headers.Authorization;
            if (authorization is not null && authorization.StartsWith(BearerPrefix, StringComparison.Ordinal))
            {
                bearer = authorization[BearerPrefix.Length..];
                peeked = JwtService.PeekClaims(bearer);
            }
        }

        GroupTarget? target = groupRequirement is null ? null : ReadGroupTarget(context, groupRequirement);
        string? groupUser = target is { Error: null } ? target.ForcedUser ?? peeked?.User.Value : null;
        RequestLookup.Answer answer = await lookup.RunAsync(
            new RequestLookup.Query(
                hash,
                tokenRequirement.Option,
                peeked,
                target is { Error: null } ? target.ForcedUser : null,
                groupUser is null ? null : new RequestLookup.GroupQuery(target!.Group!, groupUser, target.MemberGroup)),
            ct);

        AppTokenMatch? match = answer.App;
        if (match is null)
        {
            return ProtocolError.AppTokenNotFound;
        }

        if (match.Disabled)
        {
            return ProtocolError.AppDisabled;
        }

        var identity = new RequestIdentity { App = match.App, Level = match.Level };
        context.Features.Set(identity);

        if (jwtRequirement is not null)
        {
            if (bearer is null)
            {
                return ProtocolError.JwtNotFound;
            }

            JwtCheck check = await jwt.VerifyAsync(match.App, bearer, checkExpiry: jwtRequirement.Mode != JwtMode.IgnoreExpiry, ct);
            if (check.Error is not null)
            {
                return check.Error;
            }

            // A verified token parses to the claims that were peeked at; the batch answered for exactly them.
            JwtClaims claims = check.Claims!;
            if (peeked is null || peeked.User != claims.User || peeked.Device != claims.Device || answer.Subject is not JwtSubject subject)
            {
                throw new InvalidOperationException("The verified JWT's claims differ from the ones read ahead.");
            }

            switch (subject)
            {
                case JwtSubject.UserNotFound:
                    return ProtocolError.UserNotFound;
                case JwtSubject.DeviceNotFound:
                    return ProtocolError.JwtNotFound; // a token of a deleted device is known to be invalid
                case JwtSubject.Found:
                    break;
            }

            identity.Jwt = claims;
        }

        GroupAccess? access = null;
        if (target is not null)
        {
            if (target.Error is not null)
            {
                return target.Error;
            }

            if (answer.ForcedUserExists == false)
            {
                return ProtocolError.UserNotFound;
            }

            if (answer.Access is not GroupAccessResult result)
            {
                // G without UF needs the JWT user (every such route declares a JWT requirement).
                throw new InvalidOperationException("A group access requirement without a user to resolve it for.");
            }

            if (result.Error is not null)
            {
                return result.Error;
            }

            access = result.Access!;
            context.Features.Set(access);
        }

        TokenLevel required = tokenRequirement switch
        {
            { SecretOnly: true } => TokenLevel.Secret,
            { Option: AppOption option } => match.OptionLevel ?? option.DefaultLevel,
            _ => TokenLevel.Public,
        };
        if (required == TokenLevel.Forbidden || (required == TokenLevel.Secret && match.Level != TokenLevel.Secret))
        {
            return ProtocolError.AppAction;
        }

        if (jwtRequirement is { Mode: JwtMode.Fresh } && !identity.Jwt!.Fresh)
        {
            return ProtocolError.WrongJwtAction;
        }

        return groupRequirement is { MaxRank: int maxRank } && !access!.AtLeast(maxRank) ? ProtocolError.GroupUserRank : null;
    }

    /// <summary>The group (and member group, forced user) of a G route as the request names them; Error = 400/1 for a malformed id.</summary>
    private sealed record GroupTarget(string? Group, string? MemberGroup, string? ForcedUser, ProtocolError? Error);

    private static GroupTarget ReadGroupTarget(HttpContext context, GroupAccessRequirement requirement)
    {
        string? group = context.GetRouteValue("groupId") as string;
        if (group is null || !NewId.IsUuid(group))
        {
            return new GroupTarget(null, null, null, ProtocolError.IdWrongFormat);
        }

        string? memberGroup = context.Request.Headers[GroupAccessResolver.AccessHeader];
        if (string.IsNullOrEmpty(memberGroup))
        {
            memberGroup = null;
        }
        else if (!NewId.IsUuid(memberGroup))
        {
            return new GroupTarget(null, null, null, ProtocolError.IdWrongFormat);
        }

        string? forcedUser = requirement.UserRouteValue is string routeValue ? context.GetRouteValue(routeValue) as string ?? "" : null;
        return new GroupTarget(group, memberGroup, forcedUser, null);
    }
}
