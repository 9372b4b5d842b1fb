using Coffer.Server.Auth;

namespace Coffer.Server.Tests.Api;

// Every API route with the app token and JWT it needs, written from api.md (§2.2 options, §2.3 fresh JWT, the auth
// column of the §4 endpoint tables), not from the code. Two tests use it:
//   EndpointTableTests  the app's real endpoints (EndpointDataSource) and this table must match one to one: a route
//                       missing here, a row without a route, or other metadata (option, secret only, JWT) fails.
//   TokenMatrixTests    every row against the running server on SQLite and PostgreSQL: option level 0 and level 2
//                       with the public token give 400/203; level 2 with the secret token and level 1 with the public
//                       token pass the token stage; S routes give 203 to the public token.
//
// How to add a row (one line per endpoint, so parallel branches merge without conflicts; keep the api.md section):
//   T(method, route, "option")        app token at the level of that option (its snake_case name in api.md §2.2)
//   T(method, route, "option", J)     … plus a JWT: J valid, Jx expiry ignored, Jf fresh (login-issued)
//   S(method, route[, J])             secret token only, whatever the options (the S routes, §4.15)
//   Any(method, route[, J])           any valid app token, no option (the "(no option)" row of §2.2)
// The route is the pattern of the Map… call without /api/v1. Parameter names are not compared (only where a
// parameter stands); the matrix fills every parameter with a fresh UUID (see TokenMatrixTests.PathOf for the one
// place to give a parameter a real value, e.g. a group the caller is a member of, if a check before the option
// stage needs one).
public static class EndpointTable
{
    private const JwtMode J = JwtMode.Valid;
    private const JwtMode Jx = JwtMode.IgnoreExpiry;
    private const JwtMode Jf = JwtMode.Fresh;

    public static IReadOnlyList<EndpointRow> Rows { get; } =
    [
        // §4.1 users, auth, MFA
        T("POST", "/exists", "user_exists"),
        T("POST", "/register", "user_register"),
        T("POST", "/prepare_login", "user_prepare_login"),
        T("POST", "/done_login", "user_done_login"),
        T("POST", "/validate_mfa", "user_done_login"),
        T("POST", "/validate_recovery_otp", "user_done_login"),
        T("POST", "/verify_login", "user_done_login"),
        T("PUT", "/refresh", "user_jwt_refresh", Jx),
        T("POST", "/init", "user_jwt_refresh", Jx),
        T("PUT", "/user", "user_update", J),
        T("PUT", "/user/update_pw", "user_change_password", Jf),
        T("PUT", "/user/reset_pw", "user_reset_password", J),
        T("PATCH", "/user/register_otp", "user_register_otp", Jf),
        T("PATCH", "/user/reset_otp", "user_reset_otp", Jf),
        T("PATCH", "/user/disable_otp", "user_disable_otp", Jf),
        T("GET", "/user/otp_recovery_keys", "user_get_otp_recovery_keys", Jf),
        T("DELETE", "/user", "user_delete", Jf),

        // §4.2 devices
        T("POST", "/user/prepare_register_device", "user_device_register"),
        T("PUT", "/user/done_register_device", "user_device_register", J),
        Any("PUT", "/user/user_keys/session/{sessionId}", J),
        T("GET", "/user/device/{lastTime}/{lastId}", "user_device_list", J),
        T("DELETE", "/user/device/{deviceId}", "user_device_delete", Jf),

        // §4.3 user keys and user key rotation
        T("GET", "/user/user_keys/key/{keyId}", "user_done_login", J),
        T("GET", "/user/user_keys/keys/{lastTime}/{lastId}", "user_done_login", J),

        // §4.4 public keys
        T("GET", "/user/{userId}/public_key", "user_public_data"),
        T("GET", "/user/{userId}/public_key/{keyId}", "user_public_data"),
        T("GET", "/user/{userId}/verify_key/{keyId}", "user_public_data"),
        T("GET", "/group/{groupId}/public_key", "user_public_data"),

        // §4.15 forced (secret-token) endpoints
        S("PUT", "/user/forced/delete"),
        S("DELETE", "/user/forced/delete/{userId}"),
        S("PUT", "/user/forced/disable_otp"),
        S("DELETE", "/user/forced/sessions"),
        S("PUT", "/user/forced/reset_user"),
        S("POST", "/user/forced/login"),
        S("POST", "/user/forced/login_light"),
        S("PUT", "/user/reset_pw_light"),
        S("GET", "/user/jwt", J),

        // §4.19 light variants
        T("POST", "/register_light", "user_register"),
        T("POST", "/verify_login_light", "user_done_login"),
        T("PUT", "/user/done_register_device_light", "user_device_register", J),

        // §4.5 groups: create, fetch, list (groups-core)
        T("POST", "/group", "group_create", J),
        T("POST", "/group/light", "group_create", J),
        T("GET", "/group/{groupId}", "group_get", J),
        T("GET", "/group/{groupId}/light", "group_get", J),
        T("GET", "/group/{groupId}/update_check", "group_user_update_check", J),
        T("GET", "/group/{groupId}/update_check_light", "group_user_update_check", J),
        T("GET", "/group/{groupId}/keys/{lastTime}/{lastId}", "group_user_keys", J),
        T("GET", "/group/{groupId}/key/{keyId}", "group_user_keys", J),
        T("GET", "/group/all/{lastTime}/{lastId}", "group_list", J),
        T("GET", "/group/{groupId}/children/{lastTime}/{lastId}", "group_list", J),
        Any("GET", "/group/{groupId}/member/{lastTime}/{lastId}", J),

        // §4.9, §4.10 child and connected groups (groups-core)
        T("POST", "/group/{groupId}/child", "group_create", J),
        T("POST", "/group/{groupId}/child/light", "group_create", J),
        T("POST", "/group/{groupId}/connected", "group_create", J),
        T("POST", "/group/{groupId}/connected/light", "group_create", J),
        T("GET", "/group/{groupId}/all/{lastTime}/{lastId}", "group_list", J),

        // §4.12–§4.14 rank, stop invite, delete (groups-core)
        T("PUT", "/group/{groupId}/change_rank", "group_change_rank", J),
        T("PATCH", "/group/{groupId}/change_invite", "group_invite_stop", J),
        T("DELETE", "/group/{groupId}", "group_delete", J),

        // §4.15 forced group routes (groups-core)
        S("DELETE", "/group/forced/{groupId}"),
        S("GET", "/group/forced/{groupId}/user/{userId}"),
        S("POST", "/group/forced/{userId}"),
        S("POST", "/group/forced/{userId}/light"),
        S("POST", "/group/forced/{userId}/{groupId}/child"),
        S("POST", "/group/forced/{userId}/{groupId}/child/light"),
        S("POST", "/group/forced/{userId}/{groupId}/connected"),
        S("POST", "/group/forced/{userId}/{groupId}/connected/light"),

        // §4.17 symmetric keys (groups-core)
        T("POST", "/keys/sym_key", "key_register", J),
        T("DELETE", "/keys/sym_key/{keyId}", "key_register", J),
        T("GET", "/keys/sym_key/{keyId}", "key_get"),
        T("GET", "/keys/sym_key/master_key/{masterKeyId}/{lastTime}/{lastId}", "key_get"),

        // §4.6 key sessions (groups-members)
        Any("PUT", "/group/{groupId}/invite/session/{sessionId}", J),
        Any("PUT", "/group/{groupId}/join_req/session/{sessionId}", J),

        // §4.7 invites (groups-members)
        T("PUT", "/group/{groupId}/invite/{target}", "group_invite", J),
        T("PUT", "/group/{groupId}/invite_auto/{target}", "group_auto_invite", J),
        T("PUT", "/group/{groupId}/invite_group/{target}", "group_invite", J),
        T("PUT", "/group/{groupId}/invite_group_auto/{target}", "group_auto_invite", J),
        S("PUT", "/group/{groupId}/invite_group_auto_force/{target}", J),
        T("PUT", "/group/{groupId}/re_invite/{target}", "group_auto_invite", J),
        T("PUT", "/group/{groupId}/re_invite_group/{target}", "group_auto_invite", J),
        S("PUT", "/group/{groupId}/re_invite_group_force/{target}", J),
        T("GET", "/group/invite/{lastTime}/{lastId}", "group_invite", J),
        T("PATCH", "/group/{groupId}/invite", "group_accept_invite", J),
        T("DELETE", "/group/{groupId}/invite", "group_reject_invite", J),

        // §4.8 join requests (groups-members)
        T("PATCH", "/group/{groupId}/join_req", "group_join_req", J),
        T("GET", "/group/joins/{lastTime}/{lastId}", "group_join_req", J),
        T("DELETE", "/group/joins/{target}", "group_join_req", J),
        T("GET", "/group/{groupId}/join_req/{lastTime}/{lastId}", "group_join_req", J),
        T("PUT", "/group/{groupId}/join_req/{target}", "group_accept_join_req", J),
        T("DELETE", "/group/{groupId}/join_req/{target}", "group_reject_join_req", J),

        // §4.10 groups as members (groups-members); both URL forms of accept/reject (§8 #7)
        T("GET", "/group/{groupId}/invite/{lastTime}/{lastId}", "group_invite", J),
        T("PATCH", "/group/{groupId}/invite/{target}", "group_accept_invite", J),
        T("DELETE", "/group/{groupId}/invite/{target}", "group_reject_invite", J),
        T("PATCH", "/group/{groupId}/{target}/invite", "group_accept_invite", J),
        T("DELETE", "/group/{groupId}/{target}/invite", "group_reject_invite", J),
        T("PATCH", "/group/{groupId}/join_req/{target}", "group_join_req", J),
        T("GET", "/group/{groupId}/joins/{lastTime}/{lastId}", "group_join_req", J),
        T("DELETE", "/group/{groupId}/joins/{target}", "group_join_req", J),

        // §4.14 leave and kick (groups-members)
        T("DELETE", "/group/{groupId}/leave", "group_leave", J),
        T("DELETE", "/group/{groupId}/kick/{target}", "group_user_delete", J),

        // §4.15 forced kick and auto invites (groups-members)
        S("DELETE", "/group/forced/{userId}/{groupId}/kick/{target}"),
        S("POST", "/group/forced/{userId}/{groupId}/invite_auto/{target}"),
        S("POST", "/group/forced/{userId}/{groupId}/invite_auto/{target}/light"),
        S("POST", "/group/forced/{userId}/{groupId}/invite_auto/{target}/group"),
        S("POST", "/group/forced/{userId}/{groupId}/invite_auto/{target}/group_light"),

        // §4.19 light invites and join accept (groups-members)
        T("PUT", "/group/{groupId}/invite/{target}/light", "group_invite", J),
        T("PUT", "/group/{groupId}/invite_auto/{target}/light", "group_auto_invite", J),
        T("PUT", "/group/{groupId}/invite_group/{target}/light", "group_invite", J),
        T("PUT", "/group/{groupId}/invite_group_auto/{target}/light", "group_auto_invite", J),
        S("PUT", "/group/{groupId}/invite_group_auto_force/{target}/light", J),
        T("PUT", "/group/{groupId}/join_req/{target}/light", "group_accept_join_req", J),
    ];

    private static EndpointRow T(string method, string route, string option, JwtMode? jwt = null) =>
        new(method, route, EndpointToken.Option, option, jwt);

    private static EndpointRow S(string method, string route, JwtMode? jwt = null) =>
        new(method, route, EndpointToken.SecretOnly, null, jwt);

    private static EndpointRow Any(string method, string route, JwtMode? jwt = null) =>
        new(method, route, EndpointToken.Any, null, jwt);
}

public enum EndpointToken
{
    /// <summary>The level of the row's option (api.md §2.2).</summary>
    Option,

    /// <summary>S: the secret token, whatever the options.</summary>
    SecretOnly,

    /// <summary>Any valid app token; the endpoint has no option.</summary>
    Any,
}

/// <summary>One endpoint as api.md specifies it. <see cref="Option"/> is the snake_case option name (rows of kind Option only).</summary>
public sealed record EndpointRow(string Method, string Route, EndpointToken Token, string? Option, JwtMode? Jwt)
{
    /// <summary>The route with parameter names blanked (<c>/user/{}/public_key</c>): what is compared with the app's routes.</summary>
    public string Shape => EndpointShape.Of(Route);

    public override string ToString() => $"{Method} {Route}";
}

public static partial class EndpointShape
{
    public static string Of(string route) => Parameter().Replace(route, "{}");

    [System.Text.RegularExpressions.GeneratedRegex(@"\{[^}]*\}")]
    private static partial System.Text.RegularExpressions.Regex Parameter();
}
