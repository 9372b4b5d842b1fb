using System.Security.Cryptography;

namespace Coffer.Server.Auth;

/// <summary>App tokens (api.md §2.1): secret 50 random bytes, public 30, shown as standard base64, stored as base64(SHA-256).</summary>
public static class AppTokens
{
    public const int SecretTokenBytes = 50;
    public const int PublicTokenBytes = 30;

    public static string NewSecretToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretTokenBytes));

    public static string NewPublicToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(PublicTokenBytes));

    public static string Hash(ReadOnlySpan<byte> rawToken) => Convert.ToBase64String(SHA256.HashData(rawToken));

    /// <summary>Hash of a token as shown to the customer; null when it is not base64 (401/201).</summary>
    public static string? HashOfBase64(string token)
    {
        byte[] raw = new byte[token.Length];
        return Convert.TryFromBase64String(token, raw, out int length) && length > 0 ? Hash(raw.AsSpan(0, length)) : null;
    }
}
