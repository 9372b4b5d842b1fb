using System.Text.Json;

namespace Coffer.Client.Tests.Infrastructure;

/// <summary>Compares JSON by shape: the same property names in the same order, the same value kinds, recursively.</summary>
public static class JsonShape
{
    public static void AssertSameShape(JsonElement expected, JsonElement actual, string path = "$")
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: {expected.ValueKind} expected, {actual.ValueKind} found");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                string[] expectedNames = [.. expected.EnumerateObject().Select(p => p.Name)];
                string[] actualNames = [.. actual.EnumerateObject().Select(p => p.Name)];
                Assert.True(expectedNames.SequenceEqual(actualNames),
                    $"{path}: fields [{string.Join(",", expectedNames)}] expected, [{string.Join(",", actualNames)}] found");
                foreach (JsonProperty property in expected.EnumerateObject())
                {
                    AssertSameShape(property.Value, actual.GetProperty(property.Name), path + "." + property.Name);
                }

                break;
            case JsonValueKind.Array:
                Assert.Equal(expected.GetArrayLength(), actual.GetArrayLength());
                for (int i = 0; i < expected.GetArrayLength(); i++)
                {
                    AssertSameShape(expected[i], actual[i], $"{path}[{i}]");
                }

                break;
        }
    }

    /// <summary>Same shape and the same values.</summary>
    public static void AssertSameJson(JsonElement expected, JsonElement actual)
    {
        AssertSameShape(expected, actual);
        Assert.True(JsonElement.DeepEquals(expected, actual), $"{expected.GetRawText()} expected, {actual.GetRawText()} found");
    }

    public static JsonElement Parse(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
