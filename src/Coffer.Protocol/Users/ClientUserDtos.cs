using Coffer.Protocol.Groups;

namespace Coffer.Protocol.Users;

// Wire records of api.md §4.1–§4.2 that the first server commit did not have yet; added by the SDK work (new file
// only, so that the server branch merges cleanly). Field order is serde's declaration order.

/// <summary>Result of POST /verify_login: the user keys of this device (first page), the user-group HMAC keys and the tokens.</summary>
public sealed record VerifyLoginOutput(
    IReadOnlyList<GroupKeyServerOutput> UserKeys,
    IReadOnlyList<GroupHmacData> HmacKeys,
    string Jwt,
    string RefreshToken);

/// <summary>Body of POST /validate_mfa and POST /validate_recovery_otp.</summary>
public sealed record OtpInput(string Token, string AuthKey, string DeviceIdentifier);
