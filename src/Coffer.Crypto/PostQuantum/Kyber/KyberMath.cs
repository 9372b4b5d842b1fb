// Kyber768 round 3 (spec v3.02, "90s" variant): parameters, modular arithmetic and the NTT twiddle factors.
// q = 3329, n = 256, k = 3. Coefficients are int16 in Montgomery or plain form; the reductions below are the
// ones of the round-3 specification (Montgomery with R = 2^16, Barrett with a 26-bit shift).
// Constant-time: every function here is straight-line arithmetic; none branches on or indexes by its input.
namespace Coffer.Crypto.PostQuantum.Kyber;

internal static class KyberMath
{
    public const int N = 256;
    public const int K = 3;
    public const int Q = 3329;

    /// <summary>q^-1 mod 2^16, as a signed 16-bit value.</summary>
    public const short QInv = -3327;

    /// <summary>2^32 mod q: multiplying by it with a Montgomery reduction moves a value into Montgomery form.</summary>
    public const short MontSquared = 1353;

    /// <summary>2^25 mod q = R^2 / 128: undoes the factor 128 of the inverse NTT and leaves Montgomery form.</summary>
    public const short InverseNttFactor = 1441;

    public const int PolyBytes = 384;
    public const int PolyVecBytes = K * PolyBytes;
    public const int PolyVecCompressedBytes = K * 320; // du = 10
    public const int PolyCompressedBytes = 128; // dv = 4
    public const int SymBytes = 32;

    /// <summary>
    /// zetas[i] = R · 17^bitrev7(i) mod q (centred), the order in which the in-place Cooley–Tukey NTT consumes them.
    /// Computed rather than tabulated so that the table is visibly derived from the primitive 256th root 17.
    /// </summary>
    public static readonly short[] Zetas = ComputeZetas();

    /// <summary>Montgomery reduction: a · 2^-16 mod q, for |a| &lt; q · 2^15; the result is in (-q, q).</summary>
    public static short MontgomeryReduce(int a)
    {
        short t = (short)(a * QInv);
        return (short)((a - (t * Q)) >> 16);
    }

    public static short FqMul(short a, short b) => MontgomeryReduce(a * b);

    /// <summary>Barrett reduction to the centred representative in [-(q-1)/2, (q-1)/2].</summary>
    public static short BarrettReduce(short a)
    {
        const int V = ((1 << 26) + (Q / 2)) / Q; // 20159
        int t = ((V * a) + (1 << 25)) >> 26;
        return (short)(a - (t * Q));
    }

    /// <summary>Maps a value in (-q, q) to [0, q) without a branch (adds q when the sign bit is set).</summary>
    public static int ToCanonical(short a) => a + ((a >> 15) & Q);

    private static short[] ComputeZetas()
    {
        var zetas = new short[128];
        for (int i = 0; i < 128; i++)
        {
            int reversed = 0;
            for (int bit = 0; bit < 7; bit++)
            {
                reversed |= ((i >> bit) & 1) << (6 - bit);
            }

            int power = 1;
            for (int e = 0; e < reversed; e++)
            {
                power = power * 17 % Q;
            }

            int value = (int)((long)power * (1 << 16) % Q);
            zetas[i] = (short)(value > Q / 2 ? value - Q : value);
        }

        return zetas;
    }
}
