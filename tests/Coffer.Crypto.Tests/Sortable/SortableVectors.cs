using System.Text.Json;

namespace Coffer.Crypto.Tests.Sortable;

/// <summary>Reads the OPE-16 cases out of the sentc_wasm 0.15 vector files (cases are discovered, not listed).</summary>
internal static class SortableVectors
{
    public const string Folder = "sentc-wasm-0.15";

    /// <summary>The raw key bytes of an exported key JSON <c>{"Ope16":{"key":"&lt;b64&gt;","key_id":"…"}}</c>.</summary>
    public static byte[] KeyFromExport(string keyExport)
    {
        using JsonDocument doc = JsonDocument.Parse(keyExport);
        return Convert.FromBase64String(doc.RootElement.GetProperty("Ope16").GetProperty("key").GetString()!);
    }

    /// <summary>The <c>client_N</c> status inside a wasm error string such as <c>{"status": "client_61", …}</c>.</summary>
    public static string StatusOf(string wasmError)
    {
        using JsonDocument doc = JsonDocument.Parse(wasmError);
        return doc.RootElement.GetProperty("status").GetString()!;
    }

    public static IEnumerable<JsonElement> Keys()
    {
        using JsonDocument doc = Vectors.ReadJson(Folder, "sortable.json");
        foreach (JsonElement key in doc.RootElement.GetProperty("keys").EnumerateArray())
        {
            yield return key.Clone();
        }
    }

    public static ulong ParseU64(JsonElement e) =>
        e.ValueKind == JsonValueKind.Number ? e.GetUInt64() : ulong.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
}
