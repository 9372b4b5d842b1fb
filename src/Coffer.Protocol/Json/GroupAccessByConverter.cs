using System.Text.Json;
using System.Text.Json.Serialization;
using Coffer.Protocol.Groups;

namespace Coffer.Protocol.Json;

/// <summary>The externally tagged (serde) form of <see cref="GroupAccessBy"/> (api.md §1.6, §4.0).</summary>
public sealed class GroupAccessByConverter : JsonConverter<GroupAccessBy>
{
    public override GroupAccessBy Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.ValueTextEquals("User"u8)
                ? new GroupAccessBy.User()
                : throw new JsonException("Unknown unit variant of GroupAccessBy.");
        }

        if (reader.TokenType != JsonTokenType.StartObject || !reader.Read() || reader.TokenType != JsonTokenType.PropertyName)
        {
            throw new JsonException("Expected an externally tagged GroupAccessBy.");
        }

        GroupAccessBy result;
        if (reader.ValueTextEquals("Parent"u8))
        {
            result = new GroupAccessBy.Parent(ReadId(ref reader));
        }
        else if (reader.ValueTextEquals("GroupAsUser"u8))
        {
            result = new GroupAccessBy.GroupAsUser(ReadId(ref reader));
        }
        else if (reader.ValueTextEquals("GroupAsUserAsParent"u8))
        {
            result = ReadAsParent(ref reader);
        }
        else
        {
            throw new JsonException("Unknown variant of GroupAccessBy.");
        }

        reader.Read();
        return reader.TokenType == JsonTokenType.EndObject
            ? result
            : throw new JsonException("An externally tagged enum has exactly one key.");
    }

    public override void Write(Utf8JsonWriter writer, GroupAccessBy value, JsonSerializerOptions options)
    {
        switch (value)
        {
            case GroupAccessBy.User:
                writer.WriteStringValue("User"u8);
                break;
            case GroupAccessBy.Parent parent:
                writer.WriteStartObject();
                writer.WriteString("Parent"u8, parent.Group);
                writer.WriteEndObject();
                break;
            case GroupAccessBy.GroupAsUser asUser:
                writer.WriteStartObject();
                writer.WriteString("GroupAsUser"u8, asUser.Group);
                writer.WriteEndObject();
                break;
            case GroupAccessBy.GroupAsUserAsParent both:
                writer.WriteStartObject();
                writer.WriteStartObject("GroupAsUserAsParent"u8);
                writer.WriteString("parent"u8, both.Ancestor);
                writer.WriteString("group_as_user"u8, both.MemberGroup);
                writer.WriteEndObject();
                writer.WriteEndObject();
                break;
            default:
                throw new JsonException($"Unknown GroupAccessBy case {value.GetType().Name}.");
        }
    }

    private static string ReadId(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw new JsonException("Expected a group id.");
    }

    private static GroupAccessBy.GroupAsUserAsParent ReadAsParent(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Expected {\"parent\":…,\"group_as_user\":…}.");
        }

        string? parent = null;
        string? groupAsUser = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("parent"u8))
            {
                parent = ReadId(ref reader);
            }
            else if (reader.ValueTextEquals("group_as_user"u8))
            {
                groupAsUser = ReadId(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return parent is not null && groupAsUser is not null && reader.TokenType == JsonTokenType.EndObject
            ? new GroupAccessBy.GroupAsUserAsParent(parent, groupAsUser)
            : throw new JsonException("GroupAsUserAsParent needs parent and group_as_user.");
    }
}
