using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Protocol;
using Coffer.Server.Features.Apps;
using Microsoft.Extensions.Caching.Memory;

namespace Coffer.Server.Auth;

public sealed record JwtClaims(UserId User, DeviceId Device, long IssuedAt, long ExpiresAt, bool Fresh);

/// <summary>Outcome of a JWT check: the claims, or the protocol error to answer with.</summary>
public readonly record struct JwtCheck(JwtClaims? Claims, ProtocolError? Error);

/// <summary>
/// User JWTs (api.md §2.3): ES384 = ECDSA P-384 with SHA-384, the JWS signature is the 96-byte r‖s (IEEE P1363).
/// Header <c>{"alg":"ES384","typ":"JWT","kid":…}</c>, claims aud (user), sub (device), iat, exp = iat + 300,
/// fresh. The newest key of the app signs; any key of the app verifies; <c>kid</c> is looked up only in the
/// calling app and <c>alg</c> must be ES384 (never trusted for anything else, §8 #3).
/// Imported keys are kept in small pools per key id: importing a P-384 private key makes OpenSSL validate it (a
/// scalar multiplication, as costly as a signature), and JWT keys are never changed or deleted, only added. The
/// newest key id is still read from the database on every issue, so a key added on another node is used at once.
/// </summary>
public sealed class JwtService(AppStore apps, RootKey rootKey, TimeProvider time) : IDisposable
{
    /// <summary>Imported keys kept per key id; more concurrent users than this import and dispose their own.</summary>
    private const int PoolSize = 32;

    private readonly ConcurrentDictionary<JwtKeyId, ConcurrentBag<ECDsa>> signers = new();
    private readonly ConcurrentDictionary<JwtKeyId, ConcurrentBag<ECDsa>> verifiers = new();
    private readonly ConcurrentDictionary<(AppId App, JwtKeyId Kid), string> verifyKeys = new();

    /// <summary>
    /// Tokens whose signature verified, per app, kept until their <c>exp</c> plus the leeway (api.md §8 #1: never longer
    /// than the token is valid) — a P-384 verification costs ~2 ms, more than the rest of most requests. Only successes
    /// are kept (§8 #2); expiry is still checked on every use, and the app token, the JWT's user and device are still
    /// looked up on every request, so a disabled app or a deleted device is refused at once. Bounded in entries.
    /// </summary>
    private readonly MemoryCache verified = new(new MemoryCacheOptions { SizeLimit = VerifiedCacheEntries });

    private const int VerifiedCacheEntries = 100_000;

    public const string Algorithm = "ES384";
    public const int LifetimeSeconds = 300;
    public const int LeewaySeconds = 60;
    private const int SignatureSize = 96;

    /// <summary>A new P-384 key pair: the sign key sealed with the root key, the verify key as the uncompressed point.</summary>
    public static NewJwtKey CreateKey(RootKey rootKey)
    {
        var id = new JwtKeyId(NewId.Uuid());
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        ECParameters parameters = ecdsa.ExportParameters(includePrivateParameters: true);
        try
        {
            byte[] point = [0x04, .. parameters.Q.X!, .. parameters.Q.Y!];
            return new NewJwtKey(id, rootKey.Seal(parameters.D, id.Value), Convert.ToBase64String(point));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    public async Task<string> IssueAsync(AppId app, UserId user, DeviceId device, bool fresh, CancellationToken ct)
    {
        AppJwtKey key = await apps.NewestJwtKeyAsync(app, ct)
            ?? throw new InvalidOperationException($"App {app} has no JWT key.");
        long iat = time.GetUtcNow().ToUnixTimeSeconds();

        var header = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(header))
        {
            writer.WriteStartObject();
            writer.WriteString("alg"u8, Algorithm);
            writer.WriteString("typ"u8, "JWT");
            writer.WriteString("kid"u8, key.Id.Value);
            writer.WriteEndObject();
        }

        var claims = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(claims))
        {
            writer.WriteStartObject();
            writer.WriteString("aud"u8, user.Value);
            writer.WriteString("sub"u8, device.Value);
            writer.WriteNumber("iat"u8, iat);
            writer.WriteNumber("exp"u8, iat + LifetimeSeconds);
            writer.WriteBoolean("fresh"u8, fresh);
            writer.WriteEndObject();
        }

        string signingInput = Base64Url.EncodeToString(header.WrittenSpan) + "." + Base64Url.EncodeToString(claims.WrittenSpan);
        ConcurrentBag<ECDsa> pool = signers.GetOrAdd(key.Id, _ => []);
        ECDsa ecdsa = pool.TryTake(out ECDsa? pooled) ? pooled : ImportSignKey(key);
        try
        {
            byte[] signature = ecdsa.SignData(
                Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            return signingInput + "." + Base64Url.EncodeToString(signature);
        }
        finally
        {
            Return(pool, ecdsa);
        }
    }

    private ECDsa ImportSignKey(AppJwtKey key)
    {
        byte[] d = rootKey.Open(key.SignKeySealed, key.Id.Value);
        try
        {
            return ImportKey(key.VerifyKey, d);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    private static void Return(ConcurrentBag<ECDsa> pool, ECDsa ecdsa)
    {
        if (pool.Count < PoolSize)
        {
            pool.Add(ecdsa);
        }
        else
        {
            ecdsa.Dispose();
        }
    }

    public void Dispose()
    {
        verified.Dispose();
        foreach (ConcurrentBag<ECDsa> pool in signers.Values.Concat(verifiers.Values))
        {
            while (pool.TryTake(out ECDsa? ecdsa))
            {
                ecdsa.Dispose();
            }
        }
    }

    public async Task<JwtCheck> VerifyAsync(AppId app, string token, bool checkExpiry, CancellationToken ct)
    {
        if (verified.TryGetValue((app, token), out JwtClaims? known) && known is not null)
        {
            return checkExpiry && time.GetUtcNow().ToUnixTimeSeconds() > known.ExpiresAt + LeewaySeconds
                ? Fail(ProtocolError.JwtValidation)
                : new JwtCheck(known, null);
        }

        JwtCheck check = await VerifySignatureAsync(app, token, checkExpiry, ct);
        if (check.Claims is JwtClaims claims)
        {
            DateTimeOffset until = DateTimeOffset.FromUnixTimeSeconds(claims.ExpiresAt + LeewaySeconds);
            if (until > time.GetUtcNow())
            {
                verified.Set((app, token), claims, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpiration = until });
            }
        }

        return check;
    }

    /// <summary>
    /// The claims of <paramref name="token"/> WITHOUT any check of its signature or expiry — only for reading ahead
    /// (<see cref="RequestLookup"/>); null when the token is malformed. Never authorise anything with the result.
    /// </summary>
    public static JwtClaims? PeekClaims(string token)
    {
        string[] parts = token.Split('.');
        if (parts.Length != 3 || !TryDecode(parts[1], out byte[] payload))
        {
            return null;
        }

        JwtClaims? claims = ParseClaims(payload);
        return claims is not null && NewId.IsUuid(claims.User.Value) && NewId.IsUuid(claims.Device.Value) ? claims : null;
    }

    private async Task<JwtCheck> VerifySignatureAsync(AppId app, string token, bool checkExpiry, CancellationToken ct)
    {
        string[] parts = token.Split('.');
        if (parts.Length != 3 || !TryDecode(parts[0], out byte[] header) || !TryDecode(parts[1], out byte[] payload)
            || !TryDecode(parts[2], out byte[] signature))
        {
            return Fail(ProtocolError.JwtWrongFormat);
        }

        string? kid;
        string? alg;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(header);
            kid = doc.RootElement.TryGetProperty("kid"u8, out JsonElement k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            alg = doc.RootElement.TryGetProperty("alg"u8, out JsonElement a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
        }
        catch (JsonException)
        {
            return Fail(ProtocolError.JwtWrongFormat);
        }

        if (string.IsNullOrEmpty(kid))
        {
            return Fail(ProtocolError.JwtWrongFormat);
        }

        if (alg != Algorithm)
        {
            return Fail(ProtocolError.JwtValidation);
        }

        var keyId = new JwtKeyId(kid);
        if (!verifyKeys.TryGetValue((app, keyId), out string? verifyKey))
        {
            // Only found keys are remembered (keys are never deleted); an unknown kid is asked again each time.
            verifyKey = await apps.JwtVerifyKeyAsync(app, keyId, ct);
            if (verifyKey is null)
            {
                return Fail(ProtocolError.JwtKeyNotFound);
            }

            verifyKeys.TryAdd((app, keyId), verifyKey);
        }

        if (signature.Length != SignatureSize)
        {
            return Fail(ProtocolError.JwtValidation);
        }

        ConcurrentBag<ECDsa> pool = verifiers.GetOrAdd(keyId, _ => []);
        ECDsa ecdsa = pool.TryTake(out ECDsa? pooled) ? pooled : ImportKey(verifyKey, d: null);
        try
        {
            byte[] signingInput = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
            if (!ecdsa.VerifyData(signingInput, signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return Fail(ProtocolError.JwtValidation);
            }
        }
        finally
        {
            Return(pool, ecdsa);
        }

        JwtClaims? claims = ParseClaims(payload);
        if (claims is null)
        {
            return Fail(ProtocolError.JwtWrongFormat);
        }

        if (checkExpiry && time.GetUtcNow().ToUnixTimeSeconds() > claims.ExpiresAt + LeewaySeconds)
        {
            return Fail(ProtocolError.JwtValidation);
        }

        return NewId.IsUuid(claims.User.Value) && NewId.IsUuid(claims.Device.Value)
            ? new JwtCheck(claims, null)
            : Fail(ProtocolError.IdWrongFormat);
    }

    private static JwtCheck Fail(ProtocolError error) => new(null, error);

    private static bool TryDecode(string part, out byte[] bytes)
    {
        try
        {
            bytes = Base64Url.DecodeFromChars(part);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    private static JwtClaims? ParseClaims(byte[] payload)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(payload);
            JsonElement root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("aud"u8, out JsonElement aud) && aud.ValueKind == JsonValueKind.String
                && root.TryGetProperty("sub"u8, out JsonElement sub) && sub.ValueKind == JsonValueKind.String
                && root.TryGetProperty("iat"u8, out JsonElement iat) && iat.TryGetInt64(out long issuedAt)
                && root.TryGetProperty("exp"u8, out JsonElement exp) && exp.TryGetInt64(out long expiresAt)
                && root.TryGetProperty("fresh"u8, out JsonElement fresh) && fresh.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return new JwtClaims(new UserId(aud.GetString()!), new DeviceId(sub.GetString()!), issuedAt, expiresAt, fresh.GetBoolean());
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ECDsa ImportKey(string verifyKeyBase64, byte[]? d)
    {
        byte[] point = Convert.FromBase64String(verifyKeyBase64);
        return ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP384,
            Q = new ECPoint { X = point[1..49], Y = point[49..97] },
            D = d,
        });
    }
}

public sealed record NewJwtKey(JwtKeyId Id, string SignKeySealed, string VerifyKey);
