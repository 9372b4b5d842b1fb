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
public sealed class RequestAuthMiddleware(RequestDelegate next, AppStore apps, JwtService jwt, UserStore users, GroupAccessResolver groups)
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

        AppTokenMatch? match = await apps.FindByTokenHashAsync(hash, tokenRequirement.Option, ct);
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
            string? authorization = context.Request.Headers.Authorization;
            if (authorization is null || !authorization.StartsWith(BearerPrefix, StringComparison.Ordinal))
            {
                return ProtocolError.JwtNotFound;
            }

            JwtCheck check = await jwt.VerifyAsync(
                match.App, authorization[BearerPrefix.Length..], checkExpiry: jwtRequirement.Mode != JwtMode.IgnoreExpiry, ct);
            if (check.Error is not null)
            {
                return check.Error;
            }

            JwtClaims claims = check.Claims!;
            switch (await users.FindJwtSubjectAsync(match.App, claims.User, claims.Device, ct))
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
        if (groupRequirement is not null)
        {
            (access, ProtocolError? accessError) = await ResolveGroupAsync(context, identity, groupRequirement, ct);
            if (accessError is not null)
            {
                return accessError;
            }

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

    private async Task<(GroupAccess? Access, ProtocolError? Error)> ResolveGroupAsync(
        HttpContext context, RequestIdentity identity, GroupAccessRequirement requirement, CancellationToken ct)
    {
        string? group = context.GetRouteValue("groupId") as string;
        if (group is null || !NewId.IsUuid(group))
        {
            return (null, ProtocolError.IdWrongFormat);
        }

        string? memberGroup = context.Request.Headers[GroupAccessResolver.AccessHeader];
        if (string.IsNullOrEmpty(memberGroup))
        {
            memberGroup = null;
        }
        else if (!NewId.IsUuid(memberGroup))
        {
            return (null, ProtocolError.IdWrongFormat);
        }

        string user;
        if (requirement.UserRouteValue is string routeValue)
        {
            user = context.GetRouteValue(routeValue) as string ?? "";
            if (!await users.UserExistsAsync(identity.App, user, ct))
            {
                return (null, ProtocolError.UserNotFound);
            }
        }
        else
        {
            user = identity.User.Value;
        }

        GroupAccessResult result = await groups.ResolveAsync(identity.App, group, user, memberGroup, ct);
        return (result.Access, result.Error);
    }
}
