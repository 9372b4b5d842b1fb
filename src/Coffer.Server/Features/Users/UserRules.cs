using System.Security.Cryptography;
using System.Text;
using Coffer.Crypto.Password;
using Coffer.Protocol.Groups;

namespace Coffer.Server.Features.Users;

/// <summary>The pure rules of the users feature (api.md §2.4, §4.1; crypto-std.md §8).</summary>
public static class UserRules
{
    /// <summary>The only password derivation of the 0.15 "std" family.</summary>
    public const string DerivedAlgArgon2 = "ARGON-2-SHA256";

    /// <summary>Client random value of the fake salt for unknown identifiers (same constant as the reference).</summary>
    public const string FakeClientRandomValue = "zx4AKPCMHkeZnh21ciQ62w==";

    public const int PageSize = 50;

    private const int SaltInputLength = 200;

    /// <summary>Identifiers are stored only as base64(SHA-256(UTF-8 identifier)) (§2.4).</summary>
    public static string IdentifierHash(string identifier) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(identifier)));

    /// <summary>Refresh tokens and challenges are stored as base64(SHA-256(UTF-8 token)).</summary>
    public static string SecretHash(string token) => IdentifierHash(token);

    /// <summary>
    /// The salt function of crypto-std.md §8.1: SHA-256(utf8("sentc" + addStr, right-padded with 'P' to 200 UTF-8
    /// bytes, never truncated) ‖ client random value).
    /// </summary>
    public static byte[] Salt(ReadOnlySpan<byte> clientRandomValue, string addStr)
    {
        byte[] prefix = Encoding.UTF8.GetBytes("sentc" + addStr);
        int padding = Math.Max(0, SaltInputLength - prefix.Length);
        byte[] input = new byte[prefix.Length + padding + clientRandomValue.Length];
        prefix.CopyTo(input, 0);
        input.AsSpan(prefix.Length, padding).Fill((byte)'P');
        clientRandomValue.CopyTo(input.AsSpan(prefix.Length + padding));
        return SHA256.HashData(input);
    }

    /// <summary>
    /// The salt for an unknown identifier: stable per identifier, indistinguishable from a real one without the
    /// constant, so prepare_login does not tell whether a user exists.
    /// </summary>
    public static string FakeSalt(string identifier) =>
        Convert.ToBase64String(Salt(Convert.FromBase64String(FakeClientRandomValue), identifier));

    /// <summary>Salt of a registered device; null when the stored client random value is not base64.</summary>
    public static string? RealSalt(string clientRandomValue)
    {
        byte[] crv = new byte[clientRandomValue.Length];
        return Convert.TryFromBase64String(clientRandomValue, crv, out int length)
            ? Convert.ToBase64String(Salt(crv.AsSpan(0, length), ""))
            : null;
    }

    /// <summary>
    /// A hashed auth key no auth key matches in practice: an unknown identifier is checked against it, so that it
    /// costs the same work as a wrong password and gets the same answer (api.md §8 #21).
    /// </summary>
    private static readonly byte[] DummyHashedAuthKey = RandomNumberGenerator.GetBytes(AuthKeyHash.Size);

    /// <summary>
    /// The server's password check (crypto-std.md §8.3): SHA-256(auth key)[0..16] equals the stored hashed auth key,
    /// compared in constant time. Null when the auth key is not base64 of 32 bytes (401/111).
    /// <paramref name="storedHashedAuthKey"/> null (unknown identifier) or malformed checks against the dummy: false.
    /// </summary>
    public static bool? AuthKeyMatches(string authKey, string? storedHashedAuthKey)
    {
        byte[] key = new byte[authKey.Length];
        if (!Convert.TryFromBase64String(authKey, key, out int length) || length != PasswordKeys.AuthKeySize)
        {
            return null;
        }

        byte[] stored = new byte[Math.Max(AuthKeyHash.Size, storedHashedAuthKey?.Length ?? 0)];
        bool storedOk = storedHashedAuthKey is not null
            && Convert.TryFromBase64String(storedHashedAuthKey, stored, out int storedLength) && storedLength == AuthKeyHash.Size;
        bool matches = AuthKeyHash.Matches(key.AsSpan(0, length), storedOk ? stored.AsSpan(0, AuthKeyHash.Size) : DummyHashedAuthKey);
        CryptographicOperations.ZeroMemory(key);
        return matches && storedOk;
    }

    /// <summary>A user group must carry its sign pair and the public-key signature (117, §4.1).</summary>
    public static bool HasUserKeys(CreateData group) =>
        group.EncryptedSignKey is not null && group.VerifyKey is not null && group.KeypairSignAlg is not null && group.PublicKeySig is not null;

    /// <summary>Pending device registrations expire (§8 #26), so an abandoned one does not block its identifier forever.</summary>
    public static readonly TimeSpan PendingDeviceLifetime = TimeSpan.FromHours(24);

    public const int MaxKeysPerRequest = 100;
    public const int DefaultMemberRank = 4;

    /// <summary>A key list for a new member: 1..100 keys (303 / 305, §4.6, §4.7).</summary>
    public static Coffer.Protocol.ProtocolError? CheckKeyCount(int count) => count switch
    {
        0 => Coffer.Protocol.ProtocolError.GroupNoKeys,
        > MaxKeysPerRequest => Coffer.Protocol.ProtocolError.GroupTooManyKeys,
        _ => null,
    };

    /// <summary>The rank of a new member: given or 4; must be 1..4 (301; the creator rank 0 cannot be given).</summary>
    public static int? NewMemberRank(int? requested) => (requested ?? DefaultMemberRank) is var rank && rank is >= 1 and <= 4 ? rank : null;
}
