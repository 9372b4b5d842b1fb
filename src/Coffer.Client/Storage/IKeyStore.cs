namespace Coffer.Client.Storage;

/// <summary>
/// Where the SDK keeps key material between sessions: named text entries (the SDK writes JSON with keys in
/// Coffer.Crypto's export format). Implementations must keep entries confidential; see <see cref="EncryptedFileKeyStore"/>.
/// </summary>
public interface IKeyStore
{
    /// <summary>The entry's text, or null when there is no such entry.</summary>
    ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces an entry.</summary>
    ValueTask SetAsync(string name, string value, CancellationToken cancellationToken = default);

    /// <summary>Removes an entry; nothing happens when there is none.</summary>
    ValueTask DeleteAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>A key store in process memory, for tests and short-lived processes. Thread-safe.</summary>
public sealed class InMemoryKeyStore : IKeyStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> entries = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public ValueTask<string?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(entries.TryGetValue(name, out string? value) ? value : null);

    /// <inheritdoc/>
    public ValueTask SetAsync(string name, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        entries[name] = value;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        entries.TryRemove(name, out _);
        return ValueTask.CompletedTask;
    }
}
