using System.Text.Json;
using System.Text.Json.Serialization;
using Coffer.Protocol.Groups;
using Coffer.Protocol.Keys;
using Coffer.Protocol.Users;

namespace Coffer.Protocol.Json;

/// <summary>
/// Source-generated metadata of every wire record. snake_case names; a missing or null required field and a wrong
/// type are errors (api.md §1.6: 422/11); unknown fields are ignored. Use <see cref="ProtocolJson.Context"/>,
/// which adds the serde-compatible encoder; this attribute cannot name an encoder.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(UserIdentifierInput))]
[JsonSerializable(typeof(UserExistsOutput))]
[JsonSerializable(typeof(RegisterData))]
[JsonSerializable(typeof(RegisterOutput))]
[JsonSerializable(typeof(PrepareLoginSaltOutput))]
[JsonSerializable(typeof(DoneLoginInput))]
[JsonSerializable(typeof(VerifyLoginInput))]
[JsonSerializable(typeof(DoneLoginResult))]
[JsonSerializable(typeof(DoneLoginServerOutput))]
[JsonSerializable(typeof(JwtRefreshInput))]
[JsonSerializable(typeof(RefreshOutput))]
[JsonSerializable(typeof(InitOutput))]
[JsonSerializable(typeof(IReadOnlyList<DeviceListItem>))]
[JsonSerializable(typeof(GroupKeyServerOutput))]
[JsonSerializable(typeof(IReadOnlyList<GroupKeyServerOutput>))]
[JsonSerializable(typeof(UserPublicKeyData))]
[JsonSerializable(typeof(UserVerifyKeyData))]
[JsonSerializable(typeof(ChangePasswordData))]
[JsonSerializable(typeof(ResetPasswordData))]
[JsonSerializable(typeof(UserDeviceRegisterInput))]
[JsonSerializable(typeof(UserDeviceRegisterOutput))]
[JsonSerializable(typeof(UserDeviceDoneRegisterInput))]
[JsonSerializable(typeof(UserDeviceDoneRegisterInputLight))]
[JsonSerializable(typeof(IReadOnlyList<GroupKeysForNewMember>))]
[JsonSerializable(typeof(GroupInviteServerOutput))]
[JsonSerializable(typeof(OtpRegister))]
[JsonSerializable(typeof(OtpRecoveryKeysOutput))]
[JsonSerializable(typeof(OtpInput))]
[JsonSerializable(typeof(VerifyLoginOutput))]
[JsonSerializable(typeof(VerifyLoginLightOutput))]
[JsonSerializable(typeof(UserLoginForcedOutput))]
[JsonSerializable(typeof(UserLoginLightForcedOutput))]
[JsonSerializable(typeof(UserJwtInfo))]
[JsonSerializable(typeof(CreateData))]
[JsonSerializable(typeof(GroupCreateOutput))]
[JsonSerializable(typeof(GroupServerData))]
[JsonSerializable(typeof(GroupLightServerData))]
[JsonSerializable(typeof(GroupDataCheckUpdateServerOutput))]
[JsonSerializable(typeof(GroupDataCheckUpdateServerOutputLight))]
[JsonSerializable(typeof(IReadOnlyList<ListGroups>))]
[JsonSerializable(typeof(IReadOnlyList<GroupChildrenList>))]
[JsonSerializable(typeof(GroupUserListItem))]
[JsonSerializable(typeof(IReadOnlyList<GroupUserListItem>))]
[JsonSerializable(typeof(IReadOnlyList<GroupJoinReqList>))]
[JsonSerializable(typeof(IReadOnlyList<GroupInviteReqList>))]
[JsonSerializable(typeof(GroupKeysForNewMemberServerInput))]
[JsonSerializable(typeof(GroupNewMemberLightInput))]
[JsonSerializable(typeof(GroupChangeRankInput))]
[JsonSerializable(typeof(IReadOnlyList<GroupHmacData>))]
[JsonSerializable(typeof(IReadOnlyList<GroupSortableData>))]
[JsonSerializable(typeof(KeyRotationData))]
[JsonSerializable(typeof(KeyRotationStartServerOutput))]
[JsonSerializable(typeof(IReadOnlyList<KeyRotationInput>))]
[JsonSerializable(typeof(DoneKeyRotationData))]
[JsonSerializable(typeof(KeyRotationProgress))]
[JsonSerializable(typeof(GroupAccessBy))]
[JsonSerializable(typeof(GeneratedSymKeyHeadServerInput))]
[JsonSerializable(typeof(GeneratedSymKeyHeadServerRegisterOutput))]
[JsonSerializable(typeof(GeneratedSymKeyHeadServerOutput))]
[JsonSerializable(typeof(IReadOnlyList<GeneratedSymKeyHeadServerOutput>))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;

public static class ProtocolJson
{
    /// <summary>The options of the wire: the generated metadata plus <see cref="SerdeJsonEncoder"/>.</summary>
    public static JsonSerializerOptions Options { get; } = new(ProtocolJsonContext.Default.Options)
    {
        Encoder = SerdeJsonEncoder.Instance,
    };

    public static ProtocolJsonContext Context { get; } = new(Options);
}
