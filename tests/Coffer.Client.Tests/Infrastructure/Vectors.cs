using System.Text.Json;

namespace Coffer.Client.Tests.Infrastructure;

/// <summary>
/// The official client's vectors (<c>shared/vectors/sentc-wasm-0.15</c>): <c>COFFER_VECTORS</c>, or
/// <c>shared/vectors</c> next to the repository or next to one of its parent folders (git worktrees sit deeper).
/// </summary>
public static class Vectors
{
    private static readonly Lazy<string> Folder = new(Locate);

    public static JsonElement Read(string file)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder.Value, "sentc-wasm-0.15", file)));
        return document.RootElement.Clone();
    }

    public static JsonElement Register => Read("register.json");

    public static JsonElement Login => Read("login.json");

    public static string Str(this JsonElement element, string name) => element.GetProperty(name).GetString()!;

    /// <summary>The exchange of login.json for an API path, e.g. <c>/api/v1/done_login</c>.</summary>
    public static JsonElement Exchange(string path) =>
        Login.GetProperty("exchanges").EnumerateArray().Single(e => e.Str("path") == path);

    /// <summary>The raw JSON text of a recorded response (the whole envelope) or request body.</summary>
    public static string Raw(this JsonElement element, string name) => element.GetProperty(name).GetRawText();

    private static string Locate()
    {
        string? fromEnv = Environment.GetEnvironmentVariable("COFFER_VECTORS");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "vectors");
            if (Directory.Exists(Path.Combine(candidate, "sentc-wasm-0.15")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("No shared/vectors folder above the test binary; set COFFER_VECTORS.");
    }
}
