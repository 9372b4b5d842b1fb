using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Coffer.Protocol;

/// <summary>
/// The response envelope of api.md §1.3: <c>{"status":true,"result":…}</c> or
/// <c>{"status":false,"err_code":…,"err_msg":"…"}</c> (no <c>result</c>).
/// </summary>
public static class Envelope
{
    /// <summary>The <c>result</c> of endpoints that return nothing.</summary>
    public const string SuccessText = "Success";

    public static void WriteSuccess<T>(Utf8JsonWriter writer, T result, JsonTypeInfo<T> typeInfo)
    {
        writer.WriteStartObject();
        writer.WriteBoolean("status"u8, true);
        writer.WritePropertyName("result"u8);
        JsonSerializer.Serialize(writer, result, typeInfo);
        writer.WriteEndObject();
    }

    public static void WriteError(Utf8JsonWriter writer, ProtocolError error)
    {
        writer.WriteStartObject();
        writer.WriteBoolean("status"u8, false);
        writer.WriteNumber("err_code"u8, error.Code);
        writer.WriteString("err_msg"u8, error.Message);
        writer.WriteEndObject();
    }
}
