namespace Coffer.Server.Auth;

/// <summary>Who is calling: the app and token level, and (on JWT routes) the user and device. Set by <see cref="RequestAuthMiddleware"/>.</summary>
public sealed class RequestIdentity
{
    public required AppId App { get; init; }

    public required TokenLevel Level { get; init; }

    public JwtClaims? Jwt { get; set; }

    /// <summary>The JWT user; only valid on routes that declare a <see cref="JwtRequirement"/>.</summary>
    public UserId User => Jwt?.User ?? throw new InvalidOperationException("This route declares no JWT requirement.");

    /// <summary>The JWT device; only valid on routes that declare a <see cref="JwtRequirement"/>.</summary>
    public DeviceId Device => Jwt?.Device ?? throw new InvalidOperationException("This route declares no JWT requirement.");
}

public static class RequestIdentityExtensions
{
    public static RequestIdentity Identity(this HttpContext context) =>
        context.Features.Get<RequestIdentity>()
        ?? throw new InvalidOperationException("This route declares no app token requirement.");
}
