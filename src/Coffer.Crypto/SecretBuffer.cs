using System.Security.Cryptography;

namespace Coffer.Crypto;

/// <summary>
/// Secret bytes in a pinned array (so the GC never leaves copies behind when it compacts), zeroed on dispose.
/// </summary>
internal sealed class SecretBuffer : IDisposable
{
    private readonly byte[] _bytes;
    private bool _disposed;

    public SecretBuffer(int length) => _bytes = GC.AllocateArray<byte>(length, pinned: true);

    public SecretBuffer(ReadOnlySpan<byte> source)
        : this(source.Length) => source.CopyTo(_bytes);

    public int Length => _bytes.Length;

    public Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _bytes;
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_bytes);
            _disposed = true;
        }
    }
}

internal static class RawKey
{
    /// <summary>Builds a key from raw bytes that the caller owns, and zeroes them whatever happens.</summary>
    public static T Consume<T>(byte[] raw, Func<byte[], T> import)
    {
        try
        {
            return import(raw);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }
}
