// AES-256 in counter mode as the round-3 "AES" variants of Kyber (90s) and Dilithium use it
// (pq-crystals aes256ctr.c): the 16-byte counter block is nonce(12) ‖ BE32(block counter), the
// counter starts at 0, and the output is the raw keystream (nothing is XORed in).
// AES itself is the BCL's (OpenSSL, AES-NI); only the counter layout lives here. Every BCL call sets up an
// OpenSSL cipher context, so the counter blocks of a whole operation (all nonces of a matrix, all noise
// polynomials) are written into the output and encrypted in place by one call.
// Constant-time: the key and the keystream are secret in every use; nothing branches on them.
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Coffer.Crypto.Primitives;

/// <summary>A keyed AES-256-CTR keystream generator. Not thread-safe; dispose to free the cipher.</summary>
internal sealed class Aes256Ctr : IDisposable
{
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int BlockSize = 16;

    private readonly Aes _aes;
    private readonly byte[] _tail = new byte[BlockSize];

    public Aes256Ctr(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException("AES-256 needs a 32-byte key.", nameof(key));
        }

        _aes = Aes.Create();
        _aes.SetKey(key); // from the span: no managed copy of the key is left behind for the GC
    }

    /// <summary>
    /// Writes the keystream for <paramref name="nonce"/> starting at block <paramref name="firstBlock"/>
    /// into <paramref name="output"/> (any length; a partial last block is truncated).
    /// </summary>
    public void Keystream(ReadOnlySpan<byte> nonce, uint firstBlock, Span<byte> output)
    {
        CheckNonce(nonce);
        int whole = output.Length / BlockSize * BlockSize;
        WriteCounters(nonce, firstBlock, output[..whole]);
        if (whole > 0)
        {
            _aes.EncryptEcb(output[..whole], output[..whole], PaddingMode.None);
        }

        if (whole < output.Length)
        {
            WriteCounters(nonce, firstBlock + (uint)(whole / BlockSize), _tail);
            _aes.EncryptEcb(_tail, _tail, PaddingMode.None);
            _tail.AsSpan(0, output.Length - whole).CopyTo(output[whole..]);
            CryptographicOperations.ZeroMemory(_tail);
        }
    }

    /// <summary>
    /// Fills <paramref name="output"/> with <c>nonces.Length / 12</c> equal slices (each a whole number of blocks):
    /// slice i is the keystream of nonce i from block <paramref name="firstBlock"/> on — all in one cipher call.
    /// </summary>
    public void KeystreamMany(ReadOnlySpan<byte> nonces, uint firstBlock, Span<byte> output)
    {
        int count = nonces.Length / NonceSize;
        int bytesPerNonce = count == 0 ? 0 : output.Length / count;
        if (count == 0 || nonces.Length % NonceSize != 0 || bytesPerNonce % BlockSize != 0 || bytesPerNonce * count != output.Length)
        {
            throw new ArgumentException("KeystreamMany takes whole nonces and equal slices of whole blocks.");
        }

        for (int i = 0; i < count; i++)
        {
            WriteCounters(nonces.Slice(i * NonceSize, NonceSize), firstBlock, output.Slice(i * bytesPerNonce, bytesPerNonce));
        }

        _aes.EncryptEcb(output, output, PaddingMode.None);
    }

    /// <summary>The 12-byte nonce of the Dilithium AES variant: the 16-bit stream nonce, little-endian, then zeros.</summary>
    public static void WriteStreamNonce(ushort streamNonce, Span<byte> nonce)
    {
        nonce[..NonceSize].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(nonce, streamNonce);
    }

    private static void WriteCounters(ReadOnlySpan<byte> nonce, uint counter, Span<byte> blocks)
    {
        for (int offset = 0; offset < blocks.Length; offset += BlockSize)
        {
            Span<byte> block = blocks.Slice(offset, BlockSize);
            nonce.CopyTo(block);
            BinaryPrimitives.WriteUInt32BigEndian(block[NonceSize..], counter++);
        }
    }

    private static void CheckNonce(ReadOnlySpan<byte> nonce)
    {
        if (nonce.Length != NonceSize)
        {
            throw new ArgumentException("The CTR nonce must be 12 bytes.", nameof(nonce));
        }
    }

    public void Dispose() => _aes.Dispose();
}
