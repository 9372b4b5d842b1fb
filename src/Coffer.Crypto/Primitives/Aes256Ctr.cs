// AES-256 in counter mode as the round-3 "AES" variants of Kyber (90s) and Dilithium use it
// (pq-crystals aes256ctr.c): the 16-byte counter block is nonce(12) ‖ BE32(block counter), the
// counter starts at 0, and the output is the raw keystream (nothing is XORed in).
// AES itself is the BCL's (OpenSSL, AES-NI); only the counter layout lives here.
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

    // Counter blocks are encrypted in batches: one ECB call per batch keeps the per-call OpenSSL
    // overhead off the hot path.
    private const int BatchBlocks = 32;

    private readonly Aes _aes;
    private readonly byte[] _counterBlocks = new byte[BatchBlocks * BlockSize];
    private readonly byte[] _tail = new byte[BatchBlocks * BlockSize];

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
        if (nonce.Length != NonceSize)
        {
            throw new ArgumentException("The CTR nonce must be 12 bytes.", nameof(nonce));
        }

        uint counter = firstBlock;
        while (!output.IsEmpty)
        {
            int blocks = Math.Min(BatchBlocks, (output.Length + BlockSize - 1) / BlockSize);
            Span<byte> input = _counterBlocks.AsSpan(0, blocks * BlockSize);
            for (int b = 0; b < blocks; b++)
            {
                Span<byte> block = input.Slice(b * BlockSize, BlockSize);
                nonce.CopyTo(block);
                BinaryPrimitives.WriteUInt32BigEndian(block[NonceSize..], counter++);
            }

            int bytes = Math.Min(output.Length, input.Length);
            if (bytes == input.Length)
            {
                _aes.EncryptEcb(input, output[..bytes], PaddingMode.None);
            }
            else
            {
                Span<byte> tail = _tail.AsSpan(0, input.Length);
                _aes.EncryptEcb(input, tail, PaddingMode.None);
                tail[..bytes].CopyTo(output);
                CryptographicOperations.ZeroMemory(tail);
            }

            output = output[bytes..];
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_tail);
        _aes.Dispose();
    }
}
