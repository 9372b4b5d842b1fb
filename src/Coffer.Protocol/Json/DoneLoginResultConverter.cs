using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Coffer.Protocol.Users;

namespace Coffer.Protocol.Json;

/// <summary>Externally tagged form of <see cref="DoneLoginResult"/>: <c>"Otp"</c> or <c>{"Direct":{…}}</c>.</summary>
public sealed class DoneLoginResultConverter : JsonConverter<DoneLoginResult>
{
    public override DoneLoginResult Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.ValueTextEquals("Otp"u8)
                ? new DoneLoginResult.Otp()
                : throw new JsonException("Unknown unit variant of DoneLoginResult.");
        }

        if (reader.TokenType != JsonTokenType.StartObject || !reader.Read()
            || reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("Direct"u8))
        {
            throw new JsonException("Expected {\"Direct\":…}.");
        }

        reader.Read();
        var info = (JsonTypeInfo<DoneLoginServerOutput>)options.GetTypeInfo(typeof(DoneLoginServerOutput));
        DoneLoginServerOutput output = JsonSerializer.Deserialize(ref reader, info)
            ?? throw new JsonException("Direct must not be null.");
        reader.Read();
        return reader.TokenType == JsonTokenType.EndObject
            ? new DoneLoginResult.Direct(output)
            : throw new JsonException("An externally tagged enum has exactly one key.");
    }

    public override void Write(Utf8JsonWriter writer, DoneLoginResult value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case DoneLoginResult.Otp:
                writer.WriteStringValue("Otp"u8);
                break;
            case DoneLoginResult.Direct direct:
                writer.WriteStartObject();
                writer.WritePropertyName("Direct"u8);
                JsonSerializer.Serialize(
                    writer, direct.Output, (JsonTypeInfo<DoneLoginServerOutput>)options.GetTypeInfo(typeof(DoneLoginServerOutput)));
                writer.WriteEndObject();
                break;
            default:
                throw new JsonException($"Unknown DoneLoginResult case {value.GetType().Name}.");
        }
    }
}
