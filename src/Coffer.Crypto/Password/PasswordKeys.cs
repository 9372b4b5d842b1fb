// sentc's password scheme "ARGON-2-SHA256" (crypto-std.md §8):
//   salt = SHA-256(utf8("sentc" + add, padded with "P" to 200 bytes) ‖ client_random_value(16))
//   d = Argon2id(password, salt, 64);  master-key-encryption key = d[0..32];  auth key = d[32..64]
//   hashed auth key (what the server stores) = SHA-256(auth key)[0..16]
// The password never leaves the device: only the auth key (at login) and its hash (at register) do.
using System.Security.Cryptography;
using System.Text;
using Coffer.Crypto.Primitives;

namespace Coffer.Crypto.Password;

/// <summary>The two keys derived from a password: the master-key-encryption key and the auth key.</summary>
public sealed class PasswordKeys : IDisposable
{
    public const string AlgorithmId = "ARGON-2-SHA256";
    public const int ClientRandomValueSize = 16;
    public const int AuthKeySize = 32;

    private readonly SecretBuffer _authKey;

    private PasswordKeys(SymmetricKey masterKeyEncryptionKey, SecretBuffer authKey)
    {
        MasterKeyEncryptionKey = masterKeyEncryptionKey;
        _authKey = authKey;
    }

    /// <summary>Encrypts (and decrypts) the user's master key.</summary>
    public SymmetricKey MasterKeyEncryptionKey { get; }

    /// <summary>What the client sends at login (<c>auth_key</c>), standard base64.</summary>
    public string AuthKeyBase64 => Convert.ToBase64String(_authKey.Span);

    /// <summary>What the client sends at register (<c>hashed_authentication_key</c>): 16 bytes.</summary>
    public byte[] HashedAuthKey => AuthKeyHash.Compute(_authKey.Span);

    public static PasswordKeys Derive(string password, ReadOnlySpan<byte> salt)
    {
        // The UTF-8 bytes of the string as given: no Unicode normalization (NFC and NFD give different keys).
        byte[] passwordBytes = Encoding.UTF8.GetBytes(password);
        Span<byte> derived = stackalloc byte[Argon2id.OutputSize];
        try
        {
            Argon2id.Derive(passwordBytes, salt, derived);
            return new PasswordKeys(SymmetricKey.Import(derived[..32], string.Empty), new SecretBuffer(derived[32..]));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passwordBytes);
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    /// <summary>
    /// The salt for a client random value. Clients use <paramref name="additional"/> = ""; the server derives a
    /// stable fake salt for unknown identifiers with the identifier there.
    /// </summary>
    public static byte[] Salt(ReadOnlySpan<byte> clientRandomValue, string additional = "")
    {
        var text = new StringBuilder("sentc").Append(additional);
        int length = Encoding.UTF8.GetByteCount(text.ToString());
        if (length < 200)
        {
            text.Append('P', 200 - length); // padded by UTF-8 byte count, never truncated
        }

        byte[] prefix = Encoding.UTF8.GetBytes(text.ToString());
        byte[] input = new byte[prefix.Length + clientRandomValue.Length];
        prefix.CopyTo(input, 0);
        clientRandomValue.CopyTo(input.AsSpan(prefix.Length));
        return SHA256.HashData(input);
    }

    public void Dispose()
    {
        MasterKeyEncryptionKey.Dispose();
        _authKey.Dispose();
    }
}

/// <summary>The server side of the auth key: its stored hash and the constant-time check.</summary>
public static class AuthKeyHash
{
    public const int Size = 16;

    public static byte[] Compute(ReadOnlySpan<byte> authKey)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(authKey, digest);
        return digest[..Size].ToArray();
    }

    /// <summary>True when <paramref name="authKey"/> (32 bytes) hashes to <paramref name="storedHash"/>; constant time.</summary>
    public static bool Matches(ReadOnlySpan<byte> authKey, ReadOnlySpan<byte> storedHash)
    {
        if (authKey.Length != PasswordKeys.AuthKeySize || storedHash.Length != Size)
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(authKey, digest);
        return CryptographicOperations.FixedTimeEquals(digest[..Size], storedHash);
    }
}
