// AES-256-CTR keystream on AES-NI, with exactly the counter layout of Primitives/Aes256Ctr (nonce(12) ‖ BE32
// counter from the given block), for Kyber's 90s XOF and PRF on the intrinsics path. It exists because the BCL
// one-shot EncryptEcb that Aes256Ctr uses costs a fixed setup per call (measured: ~24 µs per call under load,
// whatever the length) and Kyber needs 16 calls per operation; see the report / KyberBenchmarks. Candidate for
// moving into Primitives so that Dilithium can share it.
// AES-256 itself is FIPS 197: a 14-round key schedule built with AESKEYGENASSIST, rounds with AESENC/AESENCLAST.
// Constant-time: AES-NI instructions take data-independent time and there are no tables; the round keys are
// secret (the PRF key is σ or the coins) and live in a caller-owned buffer that the caller zeroes.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Coffer.Crypto.PostQuantum.Kyber;

/// <summary>The 15 round keys of AES-256 (240 bytes; secret).</summary>
[InlineArray(Count)]
internal struct Aes256RoundKeys
{
    public const int Count = 15;

    private Vector128<byte> _element0;
}

internal static class AesNiCtr
{
    public static bool IsSupported => X86Aes.IsSupported && Sse2.IsSupported;

    /// <summary>FIPS 197 key expansion for a 32-byte key.</summary>
    public static void ExpandKey(ReadOnlySpan<byte> key, ref Aes256RoundKeys roundKeys)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("AES-256 needs a 32-byte key.", nameof(key));
        }

        Vector128<byte> even = Vector128.Create(key[..16]);
        Vector128<byte> odd = Vector128.Create(key[16..]);
        roundKeys[0] = even;
        roundKeys[1] = odd;

        // KeygenAssist needs its round constant as an immediate, hence the unrolled schedule.
        even = NextEven(even, X86Aes.KeygenAssist(odd, 0x01));
        roundKeys[2] = even;
        odd = NextOdd(odd, X86Aes.KeygenAssist(even, 0x00));
        roundKeys[3] = odd;
        even = NextEven(even, X86Aes.KeygenAssist(odd, 0x02));
        roundKeys[4] = even;
        odd = NextOdd(odd, X86Aes.KeygenAssist(even, 0x00));
        roundKeys[5] = odd;
        even = NextEven(even, X86Aes.KeygenAssist(odd, 0x04));
        roundKeys[6] = even;
        odd = NextOdd(odd, X86Aes.KeygenAssist(even, 0x00));
        roundKeys[7] = odd;
        even = NextEven(even, X86Aes.KeygenAssist(odd, 0x08));
        roundKeys[8] = even;
        odd = NextOdd(odd, X86Aes.KeygenAssist(even, 0x00));
        roundKeys[9] = odd;
        even = NextEven(even, X86Aes.KeygenAssist(odd, 0x10));
        roundKeys[10] = even;
        odd = NextOdd(odd, X86Aes.KeygenAssist(even, 0x00));
        roundKeys[11] = odd;
        even = NextEven(even, X86Aes.KeygenAssist(odd, 0x20));
        roundKeys[12] = even;
        odd = NextOdd(odd, X86Aes.KeygenAssist(even, 0x00));
        roundKeys[13] = odd;
        even = NextEven(even, X86Aes.KeygenAssist(odd, 0x40));
        roundKeys[14] = even;
    }

    /// <summary>Writes the keystream for <paramref name="nonce"/> (12 bytes) from block <paramref name="firstBlock"/>.</summary>
    [SkipLocalsInit]
    public static void Keystream(ref readonly Aes256RoundKeys roundKeys, ReadOnlySpan<byte> nonce, uint firstBlock, Span<byte> output)
    {
        if (nonce.Length != 12)
        {
            throw new ArgumentException("The CTR nonce must be 12 bytes.", nameof(nonce));
        }

        // Element 3 is stored little-endian, so the byte-reversed counter lands big-endian in bytes 12..15.
        Vector128<uint> counterBlock = Vector128.Create(
            BinaryPrimitives.ReadUInt32LittleEndian(nonce),
            BinaryPrimitives.ReadUInt32LittleEndian(nonce[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(nonce[8..]),
            0u);
        uint counter = firstBlock;
        int offset = 0;

        // Eight independent blocks keep the AES unit's pipeline full (AESENC has a latency of several cycles).
        while (output.Length - offset >= 8 * 16)
        {
            Vector128<byte> k = roundKeys[0];
            Vector128<byte> b0 = Block(counterBlock, counter) ^ k;
            Vector128<byte> b1 = Block(counterBlock, counter + 1) ^ k;
            Vector128<byte> b2 = Block(counterBlock, counter + 2) ^ k;
            Vector128<byte> b3 = Block(counterBlock, counter + 3) ^ k;
            Vector128<byte> b4 = Block(counterBlock, counter + 4) ^ k;
            Vector128<byte> b5 = Block(counterBlock, counter + 5) ^ k;
            Vector128<byte> b6 = Block(counterBlock, counter + 6) ^ k;
            Vector128<byte> b7 = Block(counterBlock, counter + 7) ^ k;
            for (int r = 1; r < 14; r++)
            {
                k = roundKeys[r];
                b0 = X86Aes.Encrypt(b0, k);
                b1 = X86Aes.Encrypt(b1, k);
                b2 = X86Aes.Encrypt(b2, k);
                b3 = X86Aes.Encrypt(b3, k);
                b4 = X86Aes.Encrypt(b4, k);
                b5 = X86Aes.Encrypt(b5, k);
                b6 = X86Aes.Encrypt(b6, k);
                b7 = X86Aes.Encrypt(b7, k);
            }

            k = roundKeys[14];
            X86Aes.EncryptLast(b0, k).CopyTo(output[offset..]);
            X86Aes.EncryptLast(b1, k).CopyTo(output[(offset + 16)..]);
            X86Aes.EncryptLast(b2, k).CopyTo(output[(offset + 32)..]);
            X86Aes.EncryptLast(b3, k).CopyTo(output[(offset + 48)..]);
            X86Aes.EncryptLast(b4, k).CopyTo(output[(offset + 64)..]);
            X86Aes.EncryptLast(b5, k).CopyTo(output[(offset + 80)..]);
            X86Aes.EncryptLast(b6, k).CopyTo(output[(offset + 96)..]);
            X86Aes.EncryptLast(b7, k).CopyTo(output[(offset + 112)..]);
            counter += 8;
            offset += 8 * 16;
        }

        while (output.Length - offset >= 16)
        {
            EncryptBlock(in roundKeys, Block(counterBlock, counter++)).CopyTo(output[offset..]);
            offset += 16;
        }

        if (offset < output.Length)
        {
            // A partial last block: the unused keystream bytes are discarded (and wiped), as in Aes256Ctr.
            Span<byte> last = stackalloc byte[16];
            EncryptBlock(in roundKeys, Block(counterBlock, counter)).CopyTo(last);
            last[..(output.Length - offset)].CopyTo(output[offset..]);
            CryptographicOperations.ZeroMemory(last);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Block(Vector128<uint> counterBlock, uint counter)
        => counterBlock.WithElement(3, BinaryPrimitives.ReverseEndianness(counter)).AsByte();

    private static Vector128<byte> EncryptBlock(ref readonly Aes256RoundKeys roundKeys, Vector128<byte> block)
    {
        block ^= roundKeys[0];
        for (int r = 1; r < 14; r++)
        {
            block = X86Aes.Encrypt(block, roundKeys[r]);
        }

        return X86Aes.EncryptLast(block, roundKeys[14]);
    }

    // Round key 2i: w[j] = w[j-8] ^ (SubWord(RotWord(w[j-1])) ^ rcon) and the running XOR for the other three words;
    // KeygenAssist's dword 3 is RotWord(SubWord(X3)) ^ rcon of the previous (odd) round key.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> NextEven(Vector128<byte> previous, Vector128<byte> assist)
        => PrefixXor(previous) ^ Sse2.Shuffle(assist.AsUInt32(), 0xFF).AsByte();

    // Round key 2i+1: the AES-256 extra step uses SubWord(w[j-1]) without rotation or rcon: KeygenAssist's dword 2.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> NextOdd(Vector128<byte> previous, Vector128<byte> assist)
        => PrefixXor(previous) ^ Sse2.Shuffle(assist.AsUInt32(), 0xAA).AsByte();

    /// <summary>[x0, x0^x1, x0^x1^x2, x0^x1^x2^x3] over the four 32-bit words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> PrefixXor(Vector128<byte> x)
    {
        x ^= Sse2.ShiftLeftLogical128BitLane(x, 4);
        x ^= Sse2.ShiftLeftLogical128BitLane(x, 4);
        return x ^ Sse2.ShiftLeftLogical128BitLane(x, 4);
    }
}
