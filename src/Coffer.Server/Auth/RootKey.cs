using System.Security.Cryptography;
using System.Text;

namespace Coffer.Server.Auth;

/// <summary>
/// The server's own secret (api.md §7.4): AES-256-GCM encryption at rest of JWT sign keys (and later TOTP secrets).
/// Sealed format: base64(nonce 12 ‖ ciphertext ‖ tag 16); the associated data binds a value to its row (e.g. the
/// JWT key id), so sealed values cannot be swapped between rows. The key is never logged.
/// </summary>
public sealed class RootKey
{
    public const string ConfigKey = "Coffer:RootKey";
    public const string FileConfigKey = "Coffer:RootKeyFile";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] key;

    public RootKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("The root key must be 32 bytes (base64 of 32 bytes in Coffer:RootKey).");
        }

        this.key = key.ToArray();
    }

    public string Seal(ReadOnlySpan<byte> plaintext, string associatedData)
    {
        byte[] output = new byte[NonceSize + plaintext.Length + TagSize];
        Span<byte> nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length),
            Encoding.UTF8.GetBytes(associatedData));
        return Convert.ToBase64String(output);
    }

    /// <summary>Decrypts a sealed value; a wrong key or tampered data is a bug or an attack, so it throws.</summary>
    public byte[] Open(string sealedValue, string associatedData)
    {
        byte[] input = Convert.FromBase64String(sealedValue);
        byte[] plaintext = new byte[input.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize, plaintext.Length), input.AsSpan(NonceSize + plaintext.Length),
            plaintext, Encoding.UTF8.GetBytes(associatedData));
        return plaintext;
    }

    /// <summary>
    /// The root key from <c>Coffer:RootKey</c> (base64); otherwise from a key file (<c>Coffer:RootKeyFile</c>, or
    /// <c>&lt;sqlite file&gt;.rootkey</c> next to a SQLite database), generated on first use for local development.
    /// A PostgreSQL database needs one of the two settings: a key file guessed from the working directory would
    /// differ between the admin command and the server.
    /// </summary>
    public static RootKey Load(IConfiguration configuration, string databaseConnectionString)
    {
        string? configured = configuration[ConfigKey];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new RootKey(Convert.FromBase64String(configured.Trim()));
        }

        string path = configuration[FileConfigKey] ?? DefaultFile(databaseConnectionString);
        if (!File.Exists(path))
        {
            byte[] fresh = RandomNumberGenerator.GetBytes(32);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            try
            {
                using var stream = new FileStream(path, options);
                using var writer = new StreamWriter(stream);
                writer.Write(Convert.ToBase64String(fresh));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; use theirs.
            }
        }

        return new RootKey(Convert.FromBase64String(File.ReadAllText(path).Trim()));
    }

    private static string DefaultFile(string connectionString)
    {
        var builder = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (builder.TryGetValue("Data Source", out object? file) && file is string dataSource
            && dataSource.Length > 0 && dataSource != ":memory:")
        {
            return Path.GetFullPath(dataSource) + ".rootkey";
        }

        throw new InvalidOperationException(
            $"Set {ConfigKey} (base64 of 32 bytes; environment variable Coffer__RootKey) or {FileConfigKey} for this database.");
    }

    /// <summary>Throws at start-up when the key cannot open a value sealed before (a wrong key would only fail later, at the first login).</summary>
    public void CheckOpens(string sealedValue, string associatedData)
    {
        try
        {
            CryptographicOperations.ZeroMemory(Open(sealedValue, associatedData));
        }
        catch (CryptographicException)
        {
            throw new InvalidOperationException(
                "The root key does not decrypt the stored JWT keys: the database was created with another root key.");
        }
    }
}
