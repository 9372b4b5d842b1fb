using System.Text.Json.Serialization;
using Coffer.Protocol.Groups;

namespace Coffer.Client.Http;

// The client's own shapes of two device-registration records. Coffer.Protocol's GroupKeysForNewMemberServerInput
// declares key_session before rank (serde writes keys, rank, key_session, with "rank":null; crypto-std.md §15.4), and
// its GroupInviteServerOutput takes session_id as a constructor parameter, which System.Text.Json requires on read
// although the server omits it when no session was opened. The server accepts both orders; these keep the SDK's
// output byte-compatible with the official client and its reading tolerant.

/// <summary>Body of PUT /user/done_register_device, in serde's field order.</summary>
internal sealed record DoneRegisterDeviceBody(NewMemberKeys UserKeys, string Token);

/// <summary><c>GroupKeysForNewMemberServerInput</c> as serde writes it: <c>{"keys":[…],"rank":null,"key_session":false}</c>.</summary>
internal sealed record NewMemberKeys(
    IReadOnlyList<GroupKeysForNewMember> Keys,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Rank,
    bool KeySession);

/// <summary>Result of done_register_device (and invites): <c>session_id</c> only when a key session was opened.</summary>
internal sealed record KeySessionOutput
{
    public string? SessionId { get; init; }

    public required string Message { get; init; }
}
