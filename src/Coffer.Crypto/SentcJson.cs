using System.Text;
using System.Text.Json;

namespace Coffer.Crypto;

/// <summary>
/// Writes JSON text the way serde_json does (crypto-std.md §2.3): fields in the order given, no spaces, and only
/// <c>"</c>, <c>\</c> and control characters escaped — so strings we produce are byte-identical to the official
/// client's. Reading is System.Text.Json (unknown fields are ignored, like serde).
/// </summary>
internal static class SentcJson
{
    public static StringBuilder AppendString(this StringBuilder json, string value)
    {
        json.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case < ' ': json.Append("\\u00").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)); break;
                default: json.Append(c); break;
            }
        }

        return json.Append('"');
    }

    public static StringBuilder AppendField(this StringBuilder json, string name, string value, bool first = false)
    {
        if (!first)
        {
            json.Append(',');
        }

        return json.AppendString(name).Append(':').AppendString(value);
    }

    /// <summary>Parses an externally tagged enum <c>{"Tag":{...}}</c>: the tag and its object.</summary>
    public static bool TryReadTagged(string text, out string tag, out JsonElement body, out JsonDocument? document)
    {
        tag = string.Empty;
        body = default;
        document = null;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return false;
        }

        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        using JsonElement.ObjectEnumerator properties = root.EnumerateObject();
        if (!properties.MoveNext())
        {
            return false;
        }

        tag = properties.Current.Name;
        body = properties.Current.Value;
        return !properties.MoveNext();
    }

    public static string? GetString(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
