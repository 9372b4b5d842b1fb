using System.Text.Json;
using System.Text.Json.Serialization;
using Coffer.Client.Storage;

namespace Coffer.Chat.Cli;

/// <summary>What a profile remembers in plain text: where the server is and who logged in (no keys, no tokens).</summary>
public sealed record ProfileSettings(
    [property: JsonPropertyName("server")] string Server,
    [property: JsonPropertyName("app_token")] string AppToken,
    [property: JsonPropertyName("identifier")] string Identifier,
    [property: JsonPropertyName("user_id")] string UserId);

/// <summary>
/// One profile's folder (<c>~/.config/coffer-chat/&lt;profile&gt;</c>, or under <c>--profile-dir</c>):
/// <c>profile.json</c> (server, app token, login name, user id) and <c>keys/</c>, an <see cref="EncryptedFileKeyStore"/>
/// under a key derived from the user's password, holding the logged-in device (device keys, user keys, JWT and refresh
/// token). Several profiles let several users (or servers) live side by side on one machine.
/// </summary>
public sealed class LocalProfile
{
    private const string SettingsFile = "profile.json";
    private const string KeysFolder = "keys";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public LocalProfile(string root, string name)
    {
        if (name.Length == 0 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || name.StartsWith('.'))
        {
            throw new ArgumentException("--profile must be letters, digits, '-', '_' or '.' (not starting with '.')");
        }

        Name = name;
        Directory = Path.Combine(root, name);
    }

    public string Name { get; }

    public string Directory { get; }

    /// <summary>The default root: $XDG_CONFIG_HOME/coffer-chat, else ~/.config/coffer-chat.</summary>
    public static string DefaultRoot() =>
        Path.Combine(
            Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } config
                ? config
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config"),
            "coffer-chat");

    public ProfileSettings? Load()
    {
        string path = Path.Combine(Directory, SettingsFile);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ProfileSettings>(File.ReadAllText(path), Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Saves the settings (the keys are saved through the store of <see cref="OpenKeysAsync"/>).</summary>
    public async Task SaveSettingsAsync(ProfileSettings settings, CancellationToken ct)
    {
        CreateFolder();
        string path = Path.Combine(Directory, SettingsFile);
        await File.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(settings, Json), ct);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>The profile's key store, under a key derived from <paramref name="password"/> (Argon2id, salt in the folder).</summary>
    public Task<EncryptedFileKeyStore> OpenKeysAsync(string password, CancellationToken ct)
    {
        CreateFolder();
        return EncryptedFileKeyStore.OpenWithPassphraseAsync(Path.Combine(Directory, KeysFolder), password, ct);
    }

    /// <summary>The saved user from an unlocked store; null when nothing is saved.</summary>
    public async Task<Coffer.Client.CofferUser?> LoadUserAsync(Coffer.Client.CofferClient client, EncryptedFileKeyStore keys, CancellationToken ct) =>
        await client.LoadUserAsync(keys, cancellationToken: ct);

    /// <summary>Forgets the login (settings and keys).</summary>
    public void Delete()
    {
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private void CreateFolder()
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
