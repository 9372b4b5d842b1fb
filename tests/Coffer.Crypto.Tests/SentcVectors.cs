using System.Text.Json;

namespace Coffer.Crypto.Tests;

/// <summary>Access to the official-client vectors in <c>sentc-wasm-0.15/</c>, with cases discovered from the files.</summary>
public static class SentcVectors
{
    private static readonly Dictionary<string, JsonElement> Cache = [];

    public static JsonElement File(string name)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(name, out JsonElement root))
            {
                using JsonDocument document = Vectors.ReadJson("sentc-wasm-0.15", name);
                root = document.RootElement.Clone();
                Cache[name] = root;
            }

            return root;
        }
    }

    public static JsonElement At(string file, params object[] path)
    {
        JsonElement element = File(file);
        foreach (object step in path)
        {
            element = step switch
            {
                string name => element.GetProperty(name),
                int index => element[index],
                _ => throw new ArgumentException("path steps are names or indexes"),
            };
        }

        return element;
    }

    public static string Str(this JsonElement element, string name) => element.GetProperty(name).GetString()!;

    public static byte[] B64(this JsonElement element, string name) => Convert.FromBase64String(element.Str(name));

    public static byte[] Hex(this JsonElement element, string name) => Convert.FromHexString(element.Str(name));

    /// <summary>Theory data: the indexes of an array in a vector file (with its label when it has one).</summary>
    public static TheoryData<int> Indexes(string file, params object[] path)
    {
        var data = new TheoryData<int>();
        int count = At(file, path).GetArrayLength();
        for (int i = 0; i < count; i++)
        {
            data.Add(i);
        }

        return data;
    }
}
