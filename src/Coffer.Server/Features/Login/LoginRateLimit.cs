using Coffer.Protocol;
using Coffer.Protocol.Users;
using Coffer.Server.Api;
using Coffer.Server.Auth;
using Coffer.Server.Features.Users;

namespace Coffer.Server.Features.Login;

/// <summary>
/// Login rate limit: a fixed window per identifier and per client address, counted in the database (table
/// <c>login_attempt</c>). In the database, not in memory, because several server nodes on one PostgreSQL must share
/// the count (an attacker would otherwise get N attempts per node); a fixed window because it is one upsert per
/// bucket and needs no clock state besides the row. Every call of a password-checking login endpoint counts.
/// </summary>
public sealed class LoginRateLimit(LoginStore store, TimeProvider time, IConfiguration configuration)
{
    public const string PerIdentifierKey = "Coffer:LoginRateLimit:PerIdentifier";
    public const string PerAddressKey = "Coffer:LoginRateLimit:PerAddress";
    public const string WindowSecondsKey = "Coffer:LoginRateLimit:WindowSeconds";

    /// <summary>A full login is 2 calls (done + verify), an MFA login 3: 30 allow ~10 logins per window per identifier.</summary>
    public const int DefaultPerIdentifier = 30;

    /// <summary>Many users may share one address (NAT, an office), so the address limit is ten times higher.</summary>
    public const int DefaultPerAddress = 300;

    public const int DefaultWindowSeconds = 900;

    private readonly int perIdentifier = configuration.GetValue(PerIdentifierKey, DefaultPerIdentifier);
    private readonly int perAddress = configuration.GetValue(PerAddressKey, DefaultPerAddress);
    private readonly long windowMs = configuration.GetValue(WindowSecondsKey, DefaultWindowSeconds) * 1000L;

    /// <summary>Counts the attempt; true when it is within both limits.</summary>
    public async Task<bool> AllowAsync(AppId app, string identifier, string? address, CancellationToken ct)
    {
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        long windowStart = now - (now % windowMs);
        IReadOnlyList<long> counts = await store.CountAttemptAsync(
            [$"id:{app.Value}:{UserRules.IdentifierHash(identifier)}", $"ip:{address ?? "unknown"}"], windowStart, ct);
        return counts[0] <= perIdentifier && counts[1] <= perAddress;
    }
}

/// <summary>Route metadata: the endpoint is a login attempt and is rate limited (declared on the route, as data).</summary>
public sealed record LoginAttemptRequirement;

public static class LoginRateLimitExtensions
{
    public static RouteHandlerBuilder RequireLoginRateLimit(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new LoginAttemptRequirement()).AddEndpointFilter(async (context, next) =>
        {
            string? identifier = context.Arguments.Select(IdentifierOf).FirstOrDefault(i => i is not null);
            if (identifier is null)
            {
                return await next(context);
            }

            HttpContext http = context.HttpContext;
            LoginRateLimit limit = http.RequestServices.GetRequiredService<LoginRateLimit>();
            string? address = http.Connection.RemoteIpAddress?.ToString();
            return await limit.AllowAsync(http.Identity().App, identifier, address, http.RequestAborted)
                ? await next(context)
                : Reply.Error(ProtocolError.LoginRateLimit);
        });

    private static string? IdentifierOf(object? argument) => argument switch
    {
        JsonBody<DoneLoginInput> b => b.Value.DeviceIdentifier,
        JsonBody<VerifyLoginInput> b => b.Value.DeviceIdentifier,
        JsonBody<OtpInput> b => b.Value.DeviceIdentifier,
        _ => null,
    };
}
