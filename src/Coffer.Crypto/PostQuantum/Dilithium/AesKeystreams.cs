// AES-256-CTR keystreams for the AES variant of Dilithium round 3 (v3.1): the counter layout of the shared
// Aes256Ctr (block = nonce(12) ‖ BE32(counter), nonce = LE16(stream nonce) ‖ 10 zero bytes), but many streams —
// one per stream nonce — produced by a single ECB call. Measured on this machine, every BCL EncryptEcb call costs
// far more than the blocks it encrypts, and Aes256Ctr makes one call per 512 bytes of one nonce (ExpandA alone would
// be ~60 calls); batching is what keeps ExpandA, the secret sampling and the mask sampling cheap. (Candidate for
// the shared Aes256Ctr as a multi-nonce API.)
// Constant-time: the key (ρ′ in signing and key generation) and the keystream are secret; AES is the BCL's
// (OpenSSL, AES-NI), and nothing here branches on either. The caller zeroes the keystream it asked for.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Coffer.Crypto.PostQuantum.Dilithium;

internal sealed class AesKeystreams : IDisposable
{
    public const int KeySize = 32;
    public const int BlockSize = 16;

    private readonly Aes _aes;

    public AesKeystreams(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        // SetKey copies the key into the cipher, which clears its copy on Dispose; no managed array of ours holds it.
        _aes.SetKey(key[..KeySize]);
    }

    /// <summary>
    /// Fills <paramref name="output"/> with <c>nonces.Length</c> equal slices; slice i is the keystream for
    /// stream nonce <c>nonces[i]</c> from block <paramref name="firstBlock"/> on. The slice length must be a
    /// multiple of 16.
    /// </summary>
    public void Generate(ReadOnlySpan<ushort> nonces, uint firstBlock, Span<byte> output)
    {
        int streamBytes = output.Length / nonces.Length;
        if (streamBytes * nonces.Length != output.Length || streamBytes % BlockSize != 0)
        {
            throw new ArgumentException("Each stream must be a whole number of blocks.", nameof(output));
        }

        // Counter blocks as two little-endian words each: LE16(nonce) with zero padding, then 4 zero bytes and the
        // big-endian block counter. The cipher then encrypts them in place.
        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(output);
        int blocksPerStream = streamBytes / BlockSize;
        int w = 0;
        for (int s = 0; s < nonces.Length; s++)
        {
            ulong nonceWord = BitConverter.IsLittleEndian ? nonces[s] : BinaryPrimitives.ReverseEndianness((ulong)nonces[s]);
            for (int b = 0; b < blocksPerStream; b++)
            {
                uint counter = BinaryPrimitives.ReverseEndianness(firstBlock + (uint)b);
                words[w++] = nonceWord;
                words[w++] = BitConverter.IsLittleEndian ? (ulong)counter << 32 : counter;
            }
        }

        _aes.EncryptEcb(output, output, PaddingMode.None);
    }

    public void Dispose() => _aes.Dispose();
}
