using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Coffer.Client.Storage;
using Coffer.Protocol.Json;

namespace Coffer.Client.Http;

/// <summary>
/// Metadata of the SDK-only wire records (device-registration bodies, key sessions) and of the SDK's storage records.
/// Same settings as <see cref="ProtocolJsonContext"/>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(DoneRegisterDeviceBody))]
[JsonSerializable(typeof(KeySessionOutput))]
[JsonSerializable(typeof(StoredUser))]
internal sealed partial class ClientJsonContext : JsonSerializerContext;

/// <summary>
/// The SDK's JSON: the protocol context first, then <see cref="ClientJsonContext"/>, with the serde-compatible
/// encoder. Request bodies leave absent optional fields out (serde's <c>skip_serializing_if</c> on CreateData,
/// crypto-std.md §2.3); fields that serde writes as <c>null</c> say so with <c>JsonIgnoreCondition.Never</c>.
/// </summary>
internal static class ClientJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(ProtocolJsonContext.Default, ClientJsonContext.Default),
        Encoder = SerdeJsonEncoder.Instance,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static JsonTypeInfo<T> Info<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Info<T>());

    /// <summary>Parses a value; a malformed one is <see cref="SdkError.ResponseInvalid"/>.</summary>
    public static T Read<T>(JsonElement element)
    {
        try
        {
            return element.Deserialize(Info<T>()) ?? throw CofferException.FromSdk(SdkError.ResponseInvalid);
        }
        catch (JsonException exception)
        {
            throw CofferException.FromSdk(SdkError.ResponseInvalid, inner: exception);
        }
    }
}
