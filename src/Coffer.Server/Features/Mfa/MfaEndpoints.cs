using Coffer.Protocol.Users;
using Coffer.Server.Api;
using Coffer.Server.Auth;

namespace Coffer.Server.Features.Mfa;

/// <summary>TOTP management of api.md §4.1 (all with a fresh JWT). validate_mfa / validate_recovery_otp belong to the login.</summary>
public static class MfaEndpoints
{
    public static IEndpointRouteBuilder MapMfa(this IEndpointRouteBuilder api)
    {
        api.MapPatch("/user/register_otp", EnableAsync).RequireAppToken(AppOption.UserRegisterOtp).RequireJwt(JwtMode.Fresh);
        api.MapPatch("/user/reset_otp", EnableAsync).RequireAppToken(AppOption.UserResetOtp).RequireJwt(JwtMode.Fresh);
        api.MapPatch("/user/disable_otp", DisableAsync).RequireAppToken(AppOption.UserDisableOtp).RequireJwt(JwtMode.Fresh);
        api.MapGet("/user/otp_recovery_keys", RecoveryKeysAsync).RequireAppToken(AppOption.UserGetOtpRecoveryKeys).RequireJwt(JwtMode.Fresh);
        return api;
    }

    /// <summary>register_otp and reset_otp: a new secret and six new recovery codes.</summary>
    public static async Task<IResult> EnableAsync(HttpContext context, MfaStore mfa, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        (string secret, IReadOnlyList<string> codes) = await mfa.EnableAsync(identity.App, identity.User, ct);
        return Reply.Ok(new OtpRegister(secret, MfaRules.Alg, codes));
    }

    public static async Task<IResult> DisableAsync(HttpContext context, MfaStore mfa, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        await mfa.DisableAsync(identity.App, identity.User, ct);
        return Reply.Success();
    }

    public static async Task<IResult> RecoveryKeysAsync(HttpContext context, MfaStore mfa, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        return Reply.Ok(new OtpRecoveryKeysOutput(await mfa.RecoveryCodesAsync(identity.App, identity.User, ct)));
    }
}
