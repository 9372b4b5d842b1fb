using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Crypto;
using Coffer.Crypto.Password;

namespace Coffer.Client.Storage;

/// <summary>
/// A key store in a folder: one file per entry, AES-256-GCM (Coffer.Crypto's <see cref="SymmetricKey"/>) under a key
/// the app supplies or derives from a passphrase (Argon2id via <see cref="PasswordKeys"/>, salt in
/// <c>keystore.salt</c>). The entry name is inside the ciphertext and checked on read, so files cannot be swapped
/// between names. Writes are atomic (temporary file, then rename); on Unix the folder is 0700 and files are 0600.
/// </summary>
public sealed class EncryptedFileKeyStore : IKeyStore, IDisposable
{
    /// <summary>The file that holds the passphrase salt.</summary>
    public const string SaltFileName = "keystore.salt";

    private const byte FormatVersion = 1;
    private const string EntryExtension = ".entry";
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string directory;
    private readonly SymmetricKey key;

    /// <summary>Opens (or creates) a store in <paramref name="directory"/> under an app-supplied key (the store keeps its own copy).</summary>
    public EncryptedFileKeyStore(string directory, SymmetricKey key)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(key);
        this.directory = Path.GetFullPath(directory);
        CreateFolder(this.directory);
        this.key = key.WithKeyId(string.Empty);
    }

    /// <summary>
    /// Opens (or creates) a store whose key is derived from a passphrase. A wrong passphrase is only noticed when an
    /// entry is read (<see cref="SdkError.KeyStoreUnreadable"/>).
    /// </summary>
    public static async Task<EncryptedFileKeyStore> OpenWithPassphraseAsync(
        string directory, string passphrase, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(passphrase);
        string folder = Path.GetFullPath(directory);
        CreateFolder(folder);
        string saltPath = Path.Combine(folder, SaltFileName);
        byte[] clientRandom;
        if (File.Exists(saltPath))
        {
            clientRandom = await File.ReadAllBytesAsync(saltPath, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            clientRandom = RandomNumberGenerator.GetBytes(PasswordKeys.ClientRandomValueSize);
            await WriteAtomicallyAsync(folder, saltPath, clientRandom, overwrite: false, cancellationToken).ConfigureAwait(false);
            clientRandom = await File.ReadAllBytesAsync(saltPath, cancellationToken).ConfigureAwait(false); // another process may have won
        }

        using PasswordKeys keys = await Task.Run(() => PasswordKeys.Derive(passphrase, PasswordKeys.Salt(clientRandom)), cancellationToken)
            .ConfigureAwait(false);
        return new EncryptedFileKeyStore(folder, keys.MasterKeyEncryptionKey);
    }

    /// <inheritdoc/>
    public async ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        string path = PathOf(name);
        byte[] data;
        try
        {
            data = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        if (data.Length < 1 || data[0] != FormatVersion || !key.TryDecrypt(data.AsSpan(1), out byte[]? plaintext))
        {
            throw CofferException.FromSdk(SdkError.KeyStoreUnreadable);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(plaintext);
            JsonElement root = document.RootElement;
            return root.GetProperty("name").GetString() == name
                ? root.GetProperty("value").GetString()
                : throw CofferException.FromSdk(SdkError.KeyStoreUnreadable);
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw CofferException.FromSdk(SdkError.KeyStoreUnreadable, inner: exception);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <inheritdoc/>
    public async ValueTask SetAsync(string name, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        string path = PathOf(name);
        byte[] plaintext = Entry(name, value);
        try
        {
            byte[] blob = key.Encrypt(plaintext);
            byte[] data = new byte[1 + blob.Length];
            data[0] = FormatVersion;
            blob.CopyTo(data, 1);
            await WriteAtomicallyAsync(directory, path, data, overwrite: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <inheritdoc/>
    public ValueTask DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        File.Delete(PathOf(name));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose() => key.Dispose();

    /// <summary>The file of an entry: the SHA-256 of the name, so any name is a safe file name.</summary>
    private string PathOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Path.Combine(directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name))) + EntryExtension);
    }

    private static byte[] Entry(string name, string value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteString("value", value);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void CreateFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, FolderMode);
        }
    }

    /// <summary>Writes a temporary file (0600 from its creation on Unix), flushes it to disk, then renames it over the target.</summary>
    private static async Task WriteAtomicallyAsync(string folder, string path, byte[] data, bool overwrite, CancellationToken cancellationToken)
    {
        string temporary = Path.Combine(folder, "." + Guid.NewGuid().ToString("N") + ".tmp");
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        try
        {
            await using (var stream = new FileStream(temporary, options))
            {
                await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            if (overwrite)
            {
                File.Move(temporary, path, overwrite: true);
            }
            else
            {
                try
                {
                    File.Move(temporary, path, overwrite: false);
                }
                catch (IOException) when (File.Exists(path))
                {
                    // Another process created it first; keep theirs.
                }
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
