using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Server;
using Coffer.Server.Features.Apps;
using Microsoft.Extensions.Caching.Memory;

namespace Coffer.Chat.Auth;

/// <summary>Where the verify keys of the Coffer app whose users the chat serves come from.</summary>
public interface IJwtVerifyKeys
{
    /// <summary>The verify keys (base64 uncompressed P-384 points) that may have signed a JWT with this <c>kid</c>.</summary>
    Task<IReadOnlyList<string>> ForKeyIdAsync(string kid, CancellationToken ct);
}

/// <summary>
/// Standalone: the keys given in configuration, as printed by <c>coffer app create --json</c> ("jwt_verify_key"),
/// optionally as <c>kid=key</c> so that only the named key is tried.
/// </summary>
public sealed class StaticJwtVerifyKeys(IEnumerable<string> keys) : IJwtVerifyKeys
{
    private readonly (string? Kid, string Key)[] keys = keys
        .Select(k => k.Trim())
        .Where(k => k.Length > 0)
        .Select(k => k.Split('=', 2) is [var kid, var key] && kid.Length == 36 ? (kid, key) : ((string?)null, k))
        .ToArray();

    public Task<IReadOnlyList<string>> ForKeyIdAsync(string kid, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<string>>(keys.Where(k => k.Kid is null || k.Kid == kid).Select(k => k.Key).ToArray());
}

/// <summary>In the Coffer process: the keys of one app, read from the platform's own store.</summary>
public sealed class AppJwtVerifyKeys(AppStore apps, AppId app) : IJwtVerifyKeys
{
    public async Task<IReadOnlyList<string>> ForKeyIdAsync(string kid, CancellationToken ct) =>
        await apps.JwtVerifyKeyAsync(app, new JwtKeyId(kid), ct) is string key ? [key] : [];
}

/// <summary>
/// Verifies a Coffer user JWT with nothing but verify keys (the own-backend pattern): header alg must be ES384
/// (never taken from the token for anything else), the signature the 96-byte r‖s over "header.payload", claims
/// aud (user id, a UUID) and exp (60 s leeway, as the platform). Returns the user id, or null for any failure.
/// </summary>
public sealed class CofferJwtVerifier(IJwtVerifyKeys keys, TimeProvider time) : IDisposable
{
    private const int SignatureSize = 96;
    private const int PointSize = 97;
    private const int LeewaySeconds = 60;
    private const int VerifiedCacheEntries = 100_000;

    /// <summary>
    /// Tokens whose signature verified, kept until their <c>exp</c> plus the leeway (never longer than the token is
    /// valid), as the platform's JwtService does: a P-384 verification costs ~2 ms, more than the rest of a chat
    /// request (a message send). Only successes are kept; expiry is checked again on every use. Bounded in entries.
    /// </summary>
    private readonly MemoryCache verified = new(new MemoryCacheOptions { SizeLimit = VerifiedCacheEntries });

    public void Dispose() => verified.Dispose();

    public async Task<string?> VerifyAsync(string token, CancellationToken ct)
    {
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        if (verified.TryGetValue(token, out VerifiedToken? known) && known is not null)
        {
            return now <= known.ExpiresAt + LeewaySeconds ? known.User : null;
        }

        if (await VerifySignatureAsync(token, ct) is not VerifiedToken fresh)
        {
            return null;
        }

        DateTimeOffset until = DateTimeOffset.FromUnixTimeSeconds(fresh.ExpiresAt + LeewaySeconds);
        verified.Set(token, fresh, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = until });
        return fresh.User;
    }

    private sealed record VerifiedToken(string User, long ExpiresAt);

    private async Task<VerifiedToken?> VerifySignatureAsync(string token, CancellationToken ct)
    {
        string[] parts = token.Split('.');
        if (parts.Length != 3 || Decode(parts[0]) is not byte[] header || Decode(parts[1]) is not byte[] payload
            || Decode(parts[2]) is not { Length: SignatureSize } signature)
        {
            return null;
        }

        string? kid;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(header);
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("alg"u8, out JsonElement alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "ES384"
                || !root.TryGetProperty("kid"u8, out JsonElement k) || k.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            kid = k.GetString();
        }
        catch (JsonException)
        {
            return null;
        }

        if (string.IsNullOrEmpty(kid))
        {
            return null;
        }

        byte[] signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        bool verified = false;
        foreach (string key in await keys.ForKeyIdAsync(kid, ct))
        {
            if (Verify(key, signingInput, signature))
            {
                verified = true;
                break;
            }
        }

        return verified ? UserOf(payload) : null;
    }

    private VerifiedToken? UserOf(byte[] payload)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(payload);
            JsonElement root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("aud"u8, out JsonElement aud) && aud.ValueKind == JsonValueKind.String
                && root.TryGetProperty("exp"u8, out JsonElement exp) && exp.TryGetInt64(out long expiresAt)
                && time.GetUtcNow().ToUnixTimeSeconds() <= expiresAt + LeewaySeconds
                && Guid.TryParseExact(aud.GetString(), "D", out _))
            {
                return new VerifiedToken(aud.GetString()!.ToLowerInvariant(), expiresAt);
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool Verify(string verifyKeyBase64, byte[] signingInput, byte[] signature)
    {
        byte[] point;
        try
        {
            point = Convert.FromBase64String(verifyKeyBase64);
        }
        catch (FormatException)
        {
            return false;
        }

        if (point is not [0x04, ..] || point.Length != PointSize)
        {
            return false;
        }

        try
        {
            using var ecdsa = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP384,
                Q = new ECPoint { X = point[1..49], Y = point[49..97] },
            });
            return ecdsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false; // not a point on the curve
        }
    }

    private static byte[]? Decode(string part)
    {
        try
        {
            return Base64Url.DecodeFromChars(part);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
