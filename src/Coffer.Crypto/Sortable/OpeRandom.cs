// The coin source of sentc's OPE-16 ("BlockCipher" in spec crypto-std.md §12): a 128-bit little-endian counter
// `ctr` that the caller re-seeds, XORed with an AES-128 keystream AES_k(LE64(i) ‖ 0^8), i = 0, 1, 2, … that runs
// for the life of the object (re-seeding does not rewind it). Each output block: ctr += 1, then ctr ⊕ the next
// keystream block.
// The keystream depends on the key only, so OpeKeystream computes it once per key, in batches, and every
// encryption reads the same blocks; that is what makes an encryption cost a few microseconds.
// Secret: the key and the keystream (the counter seeds are HMACs of public bounds and of the plaintext).
using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Coffer.Crypto.Sortable;

/// <summary>The AES-128 keystream AES_k(LE64(i) ‖ 0^8) of one OPE key, computed lazily and kept.</summary>
internal sealed class OpeKeystream : IDisposable
{
    public const int BlockSize = 16;

    // One EncryptEcb call per batch keeps OpenSSL's per-call cost off the hot path.
    private const int BatchBlocks = 64;

    private readonly Aes _aes;
    private byte[] _blocks = new byte[BatchBlocks * BlockSize];
    private int _available;

    public OpeKeystream(ReadOnlySpan<byte> key16)
    {
        if (key16.Length != Ope16.KeySize)
        {
            throw new ArgumentException("The OPE-16 key is 16 bytes.", nameof(key16));
        }

        _aes = Aes.Create();
        _aes.Key = key16.ToArray();
    }

    /// <summary>Keystream block <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Block(int index)
    {
        while (index >= _available)
        {
            Extend();
        }

        return _blocks.AsSpan(index * BlockSize, BlockSize);
    }

    private void Extend()
    {
        int start = _available;
        int end = start + BatchBlocks;
        if (end * BlockSize > _blocks.Length)
        {
            byte[] grown = new byte[_blocks.Length * 2];
            _blocks.CopyTo(grown, 0);
            CryptographicOperations.ZeroMemory(_blocks);
            _blocks = grown;
        }

        Span<byte> counters = stackalloc byte[BatchBlocks * BlockSize];
        counters.Clear();
        for (int b = 0; b < BatchBlocks; b++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(counters[(b * BlockSize)..], (ulong)(start + b));
        }

        _aes.EncryptEcb(counters, _blocks.AsSpan(start * BlockSize, BatchBlocks * BlockSize), PaddingMode.None);
        _available = end;
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_blocks);
        _aes.Dispose();
    }
}

/// <summary>
/// One "BlockCipher" object of the OPE: a re-seedable 128-bit counter over a keystream position that only moves
/// forward. A value type on purpose: one per lazy-sampling search, no allocation.
/// </summary>
internal struct OpeRandom
{
    private readonly OpeKeystream _keystream;
    private UInt128 _counter;
    private int _position;

    public OpeRandom(OpeKeystream keystream)
    {
        _keystream = keystream;
        _counter = UInt128.Zero;
        _position = 0;
    }

    /// <summary>How many keystream blocks this object has used; a remembered tree node restores it.</summary>
    public int Position
    {
        readonly get => _position;
        set => _position = value;
    }

    /// <summary>Replaces the counter with the 16 bytes <paramref name="seed"/> read as a little-endian integer.</summary>
    public void SetCounter(ReadOnlySpan<byte> seed) => _counter = BinaryPrimitives.ReadUInt128LittleEndian(seed);

    /// <summary>
    /// Uniform in [0, <paramref name="max"/>): bits(max)/8 + 1 fresh bytes as a big-endian integer, reduced mod max
    /// (a slightly biased reduction; that is the scheme's, and it must be reproduced).
    /// </summary>
    public ulong NextModulo(ulong max)
    {
        if (max == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(max));
        }

        int byteCount = (64 - BitOperations.LeadingZeroCount(max)) / 8 + 1;
        if (byteCount > 8)
        {
            // Never reached by OPE-16 (its moduli are below 2^45); a wider one would need a wider integer.
            throw new ArgumentOutOfRangeException(nameof(max));
        }

        // All calls here need at most one block: the counter is incremented once, then XORed with the next
        // keystream block, and only the first byteCount bytes are used.
        _counter++;
        Span<byte> block = stackalloc byte[OpeKeystream.BlockSize];
        BinaryPrimitives.WriteUInt128LittleEndian(block, _counter);
        ReadOnlySpan<byte> stream = _keystream.Block(_position++);
        ulong value = 0;
        for (int i = 0; i < byteCount; i++)
        {
            value = (value << 8) | (byte)(block[i] ^ stream[i]);
        }

        CryptographicOperations.ZeroMemory(block);
        return value % max;
    }

    /// <summary>ranlib's uniform: rand_int_mod(2^precision) / 2^precision, exact in a double for precision ≤ 53.</summary>
    public double NextUnit(int precision)
    {
        ulong scale = 1UL << precision;
        return NextModulo(scale) / (double)scale;
    }
}
