using System.Text.Json;

namespace Coffer.Crypto.Tests;

/// <summary>
/// Locates the shared vector folder: <c>COFFER_VECTORS</c> if set, otherwise <c>../shared/vectors</c> next to the
/// repository (or next to one of its parent folders). Cases are discovered from the files, so a regenerated vector set of the same format is tested as is.
/// </summary>
public static class Vectors
{
    public static string Root { get; } = Locate();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string ReadText(params string[] parts) => File.ReadAllText(PathOf(parts));

    public static JsonDocument ReadJson(params string[] parts) => JsonDocument.Parse(ReadText(parts));

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static string Locate()
    {
        string? fromEnv = Environment.GetEnvironmentVariable("COFFER_VECTORS");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return Directory.Exists(fromEnv)
                ? Path.GetFullPath(fromEnv)
                : throw new DirectoryNotFoundException($"COFFER_VECTORS points to a missing folder: {fromEnv}");
        }

        // Walk up from the test binary to the repository root (the folder with Coffer.slnx); the vectors are
        // shared/vectors next to it — or next to one of its ancestors, for a checkout in a nested folder
        // (e.g. a git worktree).
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Coffer.slnx")))
            {
                for (DirectoryInfo? up = dir.Parent; up is not null; up = up.Parent)
                {
                    string candidate = Path.Combine(up.FullName, "shared", "vectors");
                    if (Directory.Exists(candidate))
                    {
                        return candidate;
                    }
                }

                throw new DirectoryNotFoundException(
                    $"No shared/vectors folder next to {dir.FullName} or its parents; set COFFER_VECTORS to the vector folder.");
            }
        }

        throw new DirectoryNotFoundException("Cannot find the repository root (Coffer.slnx) above the test binary.");
    }
}
