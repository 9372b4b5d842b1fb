namespace Coffer.Protocol;

/// <summary>
/// The closed set of sentc API v1 errors (api.md §1.5): each case is a named value with its wire code, the HTTP
/// status we answer with (§1.4, including our deviations: 400/500 instead of the reference's 200/422) and the
/// message. The constructor is private, so no other code can invent an error.
/// </summary>
public sealed class ProtocolError
{
    private ProtocolError(int code, int httpStatus, string message)
    {
        Code = code;
        HttpStatus = httpStatus;
        Message = message;
    }

    public int Code { get; }

    public int HttpStatus { get; }

    public string Message { get; }

    public static ProtocolError IdWrongFormat { get; } = new(1, 400, "An id has a wrong format.");
    public static ProtocolError JsonToString { get; } = new(10, 500, "Internal error: the answer could not be serialised.");
    public static ProtocolError JsonParse { get; } = new(11, 422, "The request body is not valid JSON for this endpoint.");
    public static ProtocolError InputTooBig { get; } = new(12, 413, "The request body is too big.");
    public static ProtocolError UnexpectedTime { get; } = new(13, 400, "The time is not a valid unsigned integer.");
    public static ProtocolError NoDbConnection { get; } = new(20, 500, "Internal error: no database connection.");
    public static ProtocolError DbQuery { get; } = new(21, 500, "Internal error: database query failed.");
    public static ProtocolError DbExecute { get; } = new(22, 500, "Internal error: database statement failed.");
    public static ProtocolError DbBulkInsert { get; } = new(23, 500, "Internal error: database insert failed.");
    public static ProtocolError DbTx { get; } = new(24, 500, "Internal error: database transaction failed.");
    public static ProtocolError JwtValidation { get; } = new(30, 401, "The jwt is invalid or expired.");
    public static ProtocolError JwtNotFound { get; } = new(31, 401, "No valid jwt found.");
    public static ProtocolError JwtWrongFormat { get; } = new(32, 401, "The jwt has a wrong format.");
    public static ProtocolError JwtCreation { get; } = new(33, 500, "Internal error: the jwt could not be created.");
    public static ProtocolError JwtKeyCreation { get; } = new(34, 500, "Internal error: the jwt key could not be created.");
    public static ProtocolError JwtKeyNotFound { get; } = new(35, 401, "The jwt key was not found.");
    public static ProtocolError NoParameter { get; } = new(40, 400, "A path parameter is missing.");
    public static ProtocolError NoUrlQuery { get; } = new(41, 400, "A query parameter is missing.");
    public static ProtocolError UserNotFound { get; } = new(100, 400, "User not found.");
    public static ProtocolError UserExists { get; } = new(101, 400, "The identifier is already in use.");
    public static ProtocolError SaltError { get; } = new(110, 401, "The salt cannot be created.");
    public static ProtocolError AuthKeyFormat { get; } = new(111, 401, "The authentication key has a wrong format.");
    public static ProtocolError Login { get; } = new(112, 401, "Wrong username or password.");
    public static ProtocolError WrongJwtAction { get; } = new(113, 401, "This action needs a fresh jwt; log in again.");
    public static ProtocolError RefreshToken { get; } = new(114, 400, "Refresh token not found.");
    public static ProtocolError UserDeviceDelete { get; } = new(115, 400, "The last device of a user cannot be deleted.");
    public static ProtocolError UserDeviceNotFound { get; } = new(116, 400, "No device found.");
    public static ProtocolError UserKeysNotFound { get; } = new(117, 400, "The user keys (sign key, verify key, sign algorithm, public key signature) are missing.");

    /// <summary>
    /// Too many login attempts for this identifier or from this address (our rate limit, not in the reference: §1.5
    /// has no code for it, so 118 follows the 11x login family; HTTP 429 for backends that read the status).
    /// </summary>
    public static ProtocolError LoginRateLimit { get; } = new(118, 429, "Too many login attempts; try again later.");
    public static ProtocolError AppTokenNotFound { get; } = new(200, 401, "App token not found.");
    public static ProtocolError AppTokenWrongFormat { get; } = new(201, 401, "The app token has a wrong format.");
    public static ProtocolError AppNotFound { get; } = new(202, 400, "App not found.");
    public static ProtocolError AppAction { get; } = new(203, 400, "This action is not allowed for this app or needs the secret token.");
    public static ProtocolError AppDisabled { get; } = new(204, 401, "The app is disabled.");
    public static ProtocolError GroupUserNotFound { get; } = new(300, 400, "The user or group is not a member of this group.");
    public static ProtocolError GroupUserRank { get; } = new(301, 400, "The rank is not allowed for this action.");
    public static ProtocolError GroupUserExists { get; } = new(302, 400, "The user or group is already a member or invited.");
    public static ProtocolError GroupNoKeys { get; } = new(303, 400, "No group keys sent.");
    public static ProtocolError GroupKeyNotFound { get; } = new(304, 400, "Key not found.");
    public static ProtocolError GroupTooManyKeys { get; } = new(305, 400, "Too many keys in one request (at most 100).");
    public static ProtocolError GroupKeySession { get; } = new(306, 400, "Key session not found.");
    public static ProtocolError GroupInviteNotFound { get; } = new(307, 400, "Invite not found.");
    public static ProtocolError GroupOnlyOneAdmin { get; } = new(308, 400, "The group would be left without an admin.");
    public static ProtocolError GroupJoinReqNotFound { get; } = new(309, 400, "Join request not found.");
    public static ProtocolError GroupAccess { get; } = new(310, 400, "Group not found or no access.");
    public static ProtocolError GroupKeyRotationKeysNotFound { get; } = new(311, 500, "Internal error: the rotation key could not be loaded.");
    public static ProtocolError GroupKeyRotationThread { get; } = new(312, 500, "Internal error: the key rotation failed.");
    public static ProtocolError GroupUserEncrypt { get; } = new(313, 500, "Internal error: a key could not be encrypted for a member.");
    public static ProtocolError GroupUserRankUpdate { get; } = new(314, 400, "The new rank must be 1 to 4, and the creator's rank cannot change.");
    public static ProtocolError GroupUserKick { get; } = new(315, 400, "The creator of a group cannot be kicked.");
    public static ProtocolError GroupUserKickRank { get; } = new(316, 400, "A member with a stronger rank cannot be kicked.");
    public static ProtocolError GroupInviteStop { get; } = new(317, 400, "The group does not accept invites or join requests.");
    public static ProtocolError GroupConnectedFromConnected { get; } = new(318, 400, "A connected group cannot be created from a connected group.");
    public static ProtocolError GroupJoinAsConnectedGroup { get; } = new(319, 400, "Only a normal group can be a member, and only of a connected group.");
    public static ProtocolError GroupReInviteMemberNotFound { get; } = new(320, 400, "The re-invited user or group is not a member.");
    public static ProtocolError GroupKeyRotationLimit { get; } = new(321, 400, "The group has reached its key rotations for this month.");
    public static ProtocolError KeyNotFound { get; } = new(400, 400, "Key not found.");
    public static ProtocolError PageNotFound { get; } = new(404, 404, "Not found.");
    public static ProtocolError TotpSecretDecode { get; } = new(900, 400, "The stored TOTP secret cannot be used.");
    public static ProtocolError TotpGet { get; } = new(901, 400, "Multi-factor login is not enabled for this user, or the recovery code is unknown.");
    public static ProtocolError TotpWrongToken { get; } = new(902, 402, "Wrong TOTP code.");

    /// <summary>
    /// An unexpected failure that is not a database failure (a bug). §1.5 has no generic internal code; we answer
    /// HTTP 500 with code 500, which the official clients only surface as an error (they read <c>status</c>).
    /// </summary>
    public static ProtocolError ServerError { get; } = new(500, 500, "Internal server error.");

    public override string ToString() => $"{Code} {Message}";
}
