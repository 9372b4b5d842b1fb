// Kyber768 round 3 (spec v3.02, "90s" variant): byte encodings, compression, message encoding and the centred
// binomial distribution (η = 2). Sizes: a 12-bit polynomial is 384 bytes, a du = 10 polynomial 320, dv = 4 is 128.
// Constant-time: everything that touches secret coefficients (12-bit packing of ŝ, compression during
// re-encryption, the message bits, CBD) is branch-free. Compression divides by q with a multiply and shift, never
// with '/' (KyberSlash); the multipliers are checked exhaustively against the division in the tests.
using System.Buffers.Binary;
using static Coffer.Crypto.PostQuantum.Kyber.KyberMath;

namespace Coffer.Crypto.PostQuantum.Kyber;

internal static class KyberEncoding
{
    /// <summary>round(2^10 · u / q) mod 2^10 for u in [0, q): floor((2^10 u + q/2) / q) as (n · ceil(2^32/q)) >> 32.</summary>
    public static uint Compress10(uint u) => (uint)((((ulong)(u << 10) + (Q / 2)) * 1290168UL) >> 32) & 0x3FF;

    /// <summary>round(2^4 · u / q) mod 2^4. The 32-bit product may wrap, which only drops multiples of 2^32 = 16 · 2^28:
    /// invisible after the final mod 16.</summary>
    public static uint Compress4(uint u) => ((((u << 4) + (Q / 2)) * 80636U) >> 28) & 0xF;

    /// <summary>round(2 · u / q) mod 2: the message bit of a coefficient.</summary>
    public static uint Compress1(uint u) => ((((u << 1) + (Q / 2)) * 80636U) >> 28) & 1;

    /// <summary>Packs 256 coefficients in (-q, q) as canonical 12-bit values (384 bytes).</summary>
    public static void PolyToBytes(ReadOnlySpan<short> a, Span<byte> r)
    {
        for (int i = 0; i < N / 2; i++)
        {
            int t0 = ToCanonical(a[2 * i]);
            int t1 = ToCanonical(a[(2 * i) + 1]);
            r[3 * i] = (byte)t0;
            r[(3 * i) + 1] = (byte)((t0 >> 8) | (t1 << 4));
            r[(3 * i) + 2] = (byte)(t1 >> 4);
        }
    }

    /// <summary>Unpacks 12-bit values (0..4095; not reduced, as in the reference).</summary>
    public static void PolyFromBytes(ReadOnlySpan<byte> a, Span<short> r)
    {
        for (int i = 0; i < N / 2; i++)
        {
            int b0 = a[3 * i], b1 = a[(3 * i) + 1], b2 = a[(3 * i) + 2];
            r[2 * i] = (short)(b0 | ((b1 & 0x0F) << 8));
            r[(2 * i) + 1] = (short)((b1 >> 4) | (b2 << 4));
        }
    }

    public static void PolyVecToBytes(ReadOnlySpan<short> a, Span<byte> r)
    {
        for (int i = 0; i < K; i++)
        {
            PolyToBytes(a.Slice(i * N, N), r.Slice(i * PolyBytes, PolyBytes));
        }
    }

    public static void PolyVecFromBytes(ReadOnlySpan<byte> a, Span<short> r)
    {
        for (int i = 0; i < K; i++)
        {
            PolyFromBytes(a.Slice(i * PolyBytes, PolyBytes), r.Slice(i * N, N));
        }
    }

    /// <summary>Compresses k polynomials (coefficients in (-q, q)) to 10 bits each: 4 coefficients per 5 bytes.</summary>
    public static void PolyVecCompress(ReadOnlySpan<short> a, Span<byte> r)
    {
        for (int i = 0; i < K * N / 4; i++)
        {
            uint t0 = Compress10((uint)ToCanonical(a[4 * i]));
            uint t1 = Compress10((uint)ToCanonical(a[(4 * i) + 1]));
            uint t2 = Compress10((uint)ToCanonical(a[(4 * i) + 2]));
            uint t3 = Compress10((uint)ToCanonical(a[(4 * i) + 3]));
            Span<byte> o = r.Slice(5 * i, 5);
            o[0] = (byte)t0;
            o[1] = (byte)((t0 >> 8) | (t1 << 2));
            o[2] = (byte)((t1 >> 6) | (t2 << 4));
            o[3] = (byte)((t2 >> 4) | (t3 << 6));
            o[4] = (byte)(t3 >> 2);
        }
    }

    public static void PolyVecDecompress(ReadOnlySpan<byte> a, Span<short> r)
    {
        for (int i = 0; i < K * N / 4; i++)
        {
            ReadOnlySpan<byte> s = a.Slice(5 * i, 5);
            uint t0 = (uint)(s[0] | (s[1] << 8)) & 0x3FF;
            uint t1 = (uint)((s[1] >> 2) | (s[2] << 6)) & 0x3FF;
            uint t2 = (uint)((s[2] >> 4) | (s[3] << 4)) & 0x3FF;
            uint t3 = (uint)((s[3] >> 6) | (s[4] << 2)) & 0x3FF;
            r[4 * i] = (short)(((t0 * Q) + 512) >> 10);
            r[(4 * i) + 1] = (short)(((t1 * Q) + 512) >> 10);
            r[(4 * i) + 2] = (short)(((t2 * Q) + 512) >> 10);
            r[(4 * i) + 3] = (short)(((t3 * Q) + 512) >> 10);
        }
    }

    /// <summary>Compresses one polynomial (coefficients in (-q, q)) to 4 bits per coefficient (128 bytes).</summary>
    public static void PolyCompress(ReadOnlySpan<short> a, Span<byte> r)
    {
        for (int i = 0; i < N / 2; i++)
        {
            uint t0 = Compress4((uint)ToCanonical(a[2 * i]));
            uint t1 = Compress4((uint)ToCanonical(a[(2 * i) + 1]));
            r[i] = (byte)(t0 | (t1 << 4));
        }
    }

    public static void PolyDecompress(ReadOnlySpan<byte> a, Span<short> r)
    {
        for (int i = 0; i < N / 2; i++)
        {
            r[2 * i] = (short)((((a[i] & 15) * Q) + 8) >> 4);
            r[(2 * i) + 1] = (short)((((a[i] >> 4) * Q) + 8) >> 4);
        }
    }

    /// <summary>Message bit b becomes b · (q+1)/2, selected with a mask rather than a branch.</summary>
    public static void PolyFromMessage(ReadOnlySpan<byte> message, Span<short> r)
    {
        for (int i = 0; i < N / 8; i++)
        {
            for (int j = 0; j < 8; j++)
            {
                int mask = -((message[i] >> j) & 1);
                r[(8 * i) + j] = (short)(mask & ((Q + 1) / 2));
            }
        }
    }

    /// <summary>Decodes the message: each coefficient (in (-q, q)) rounds to the nearer of 0 and q/2.</summary>
    public static void PolyToMessage(ReadOnlySpan<short> a, Span<byte> message)
    {
        for (int i = 0; i < N / 8; i++)
        {
            uint b = 0;
            for (int j = 0; j < 8; j++)
            {
                b |= Compress1((uint)ToCanonical(a[(8 * i) + j])) << j;
            }

            message[i] = (byte)b;
        }
    }

    /// <summary>Centred binomial distribution with η = 2 from 128 PRF bytes: each coefficient is (a0+a1) - (b0+b1).</summary>
    public static void Cbd2(ReadOnlySpan<byte> buf, Span<short> r)
    {
        for (int i = 0; i < N / 8; i++)
        {
            uint t = BinaryPrimitives.ReadUInt32LittleEndian(buf.Slice(4 * i, 4));
            uint d = (t & 0x55555555) + ((t >> 1) & 0x55555555);
            for (int j = 0; j < 8; j++)
            {
                int a = (int)((d >> (4 * j)) & 3);
                int b = (int)((d >> ((4 * j) + 2)) & 3);
                r[(8 * i) + j] = (short)(a - b);
            }
        }
    }

    /// <summary>
    /// Rejection sampling of uniform coefficients mod q from XOF bytes, 3 bytes → two 12-bit candidates; writes from
    /// r[count] on and returns the new count. Only for the public matrix A, so branching on the bytes is fine.
    /// </summary>
    public static int RejectUniform(Span<short> r, int count, ReadOnlySpan<byte> buf)
    {
        int pos = 0;
        while (count < N && pos + 3 <= buf.Length)
        {
            int v0 = buf[pos] | ((buf[pos + 1] & 0x0F) << 8);
            int v1 = (buf[pos + 1] >> 4) | (buf[pos + 2] << 4);
            pos += 3;
            if (v0 < Q)
            {
                r[count++] = (short)v0;
            }

            if (count < N && v1 < Q)
            {
                r[count++] = (short)v1;
            }
        }

        return count;
    }
}
