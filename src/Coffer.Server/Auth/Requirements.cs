namespace Coffer.Server.Auth;

/// <summary>
/// Endpoint metadata: which app token the endpoint needs. <see cref="Option"/> null means "any valid token" (routes
/// without an option); <see cref="SecretOnly"/> marks the S routes that need the secret token regardless of options.
/// The most specific metadata wins, so the /api/v1 group declares "any token" and endpoints narrow it.
/// </summary>
public sealed record AppTokenRequirement(AppOption? Option, bool SecretOnly = false);

public enum JwtMode
{
    /// <summary>J: a valid, unexpired JWT.</summary>
    Valid,

    /// <summary>Jx: signature checked, expiry ignored (PUT /refresh, POST /init).</summary>
    IgnoreExpiry,

    /// <summary>Jf: a valid JWT issued by a login (<c>fresh = true</c>).</summary>
    Fresh,
}

public sealed record JwtRequirement(JwtMode Mode);

/// <summary>
/// G (api.md §5): access to the group in the route value <c>groupId</c>, resolved for the JWT user — or, with
/// <see cref="UserRouteValue"/> set (GF, forced routes), for the user in that route value, which must be a user of
/// the app (UF, 400/100). <see cref="MaxRank"/>: the weakest effective rank allowed (else 400/301); null = any member.
/// Handlers whose validation order puts other errors before the rank error (invites, §4.7) leave it null and
/// check the rank themselves.
/// </summary>
public sealed record GroupAccessRequirement(int? MaxRank, string? UserRouteValue = null);

/// <summary>Requirements declared as data on routes and route groups (style.md).</summary>
public static class RequirementExtensions
{
    public static TBuilder RequireAppToken<TBuilder>(this TBuilder builder, AppOption option)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AppTokenRequirement(option));

    /// <summary>Any valid app token (public or secret), for routes without an option.</summary>
    public static TBuilder RequireAnyAppToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AppTokenRequirement(null));

    public static TBuilder RequireSecretToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new AppTokenRequirement(null, SecretOnly: true));

    public static TBuilder RequireJwt<TBuilder>(this TBuilder builder, JwtMode mode = JwtMode.Valid)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new JwtRequirement(mode));

    /// <summary>G: the JWT user must reach <c>{groupId}</c> (directly, via an ancestor or as a member group), with rank ≤ <paramref name="maxRank"/>.</summary>
    public static TBuilder RequireGroupAccess<TBuilder>(this TBuilder builder, int? maxRank = null)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new GroupAccessRequirement(maxRank));

    /// <summary>UF + GF: the user in route value <paramref name="userRouteValue"/> must exist and reach <c>{groupId}</c>.</summary>
    public static TBuilder RequireGroupAccessFor<TBuilder>(this TBuilder builder, string userRouteValue, int? maxRank = null)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new GroupAccessRequirement(maxRank, userRouteValue));
}
