// Natural logarithm and exponential, bit-exact with the Rust `libm` 0.2 crate that sentc_wasm links (its `log`
// and `exp` follow FreeBSD msun e_log.c / e_exp.c, Sun's fdlibm 5.3, in musl's arrangement). The OPE sampler
// feeds their results into comparisons and casts, so a last-bit difference from Math.Log/Math.Exp (which use the
// platform's libm and are allowed 1 ulp) can change a ciphertext; spec crypto-std.md §12.
// Written from the published algorithm descriptions; the polynomial coefficients are the published fdlibm ones.
// Floating point: only IEEE double +, −, ×, ÷ in the order written. The .NET JIT never contracts a*b+c into an FMA
// on its own, and this file never calls Math.FusedMultiplyAdd, so every intermediate is rounded as in the Rust code.
// Secret: the arguments are derived from the OPE key and plaintext; the branches depend on their ranges (inherent
// in the algorithm, and the OPE as a whole is not constant-time in the plaintext anyway; see Ope16).
namespace Coffer.Crypto.Sortable;

internal static class Fdlibm
{
    // ln 2 split so that k·Ln2Hi is exact for |k| < 2^11.
    private const double Ln2Hi = 6.93147180369123816490e-01; // 0x3FE62E42_FEE00000
    private const double Ln2Lo = 1.90821492927058770002e-10; // 0x3DEA39EF_35793C76
    private const double InvLn2 = 1.44269504088896338700e+00; // 0x3FF71547_652B82FE

    // log: minimax polynomial for R(z) in log(1+f) = 2s + s·R(s²), s = f/(2+f), |R error| < 2^-58.45.
    private const double Lg1 = 6.666666666666735130e-01; // 0x3FE55555_55555593
    private const double Lg2 = 3.999999999940941908e-01; // 0x3FD99999_9997FA04
    private const double Lg3 = 2.857142874366239149e-01; // 0x3FD24924_94229359
    private const double Lg4 = 2.222219843214978396e-01; // 0x3FCC71C5_1D8E78AF
    private const double Lg5 = 1.818357216161805012e-01; // 0x3FC74664_96CB03DE
    private const double Lg6 = 1.531383769920937332e-01; // 0x3FC39A09_D078C69F
    private const double Lg7 = 1.479819860511658591e-01; // 0x3FC2F112_DF3E5244

    // exp: Remez polynomial for x·(e^x+1)/(e^x−1) ≈ 2 + P1·x² + … + P5·x¹⁰ on [−0.347, 0.347].
    private const double P1 = 1.66666666666666019037e-01; // 0x3FC55555_5555553E
    private const double P2 = -2.77777777770155933842e-03; // 0xBF66C16C_16BEBD93
    private const double P3 = 6.61375632143793436117e-05; // 0x3F11566A_AF25DE2C
    private const double P4 = -1.65339022054652515390e-06; // 0xBEBBBD41_C5D26BF1
    private const double P5 = 4.13813679705723846039e-08; // 0x3E663769_72BEA4D0

    private const double ExpOverflow = 7.09782712893383973096e+02; // above: +inf
    private const double ExpUnderflow = -7.45133219101941108420e+02; // below: +0

    /// <summary>ln(x): x = 2^k·(1+f) with 1+f in [√2/2, √2), then ln(1+f) from the odd series in s = f/(2+f).</summary>
    public static double Log(double x)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(x);
        uint hx = (uint)(bits >> 32);
        int k = 0;

        if (hx < 0x0010_0000 || (hx >> 31) != 0)
        {
            if ((bits << 1) == 0)
            {
                return double.NegativeInfinity; // log(±0)
            }

            if ((hx >> 31) != 0)
            {
                return double.NaN; // log(negative), including −inf
            }

            // Subnormal: scale into the normal range first.
            k -= 54;
            x *= 18014398509481984.0; // 2^54
            bits = BitConverter.DoubleToUInt64Bits(x);
            hx = (uint)(bits >> 32);
        }
        else if (hx >= 0x7FF0_0000)
        {
            return x; // +inf, NaN
        }
        else if (hx == 0x3FF0_0000 && (bits << 32) == 0)
        {
            return 0.0; // log(1) is exactly +0
        }

        // Move the exponent so that the mantissa lands in [√2/2, √2): 0x3FE6A09E is the high word of √2/2.
        hx += 0x3FF0_0000 - 0x3FE6_A09E;
        k += (int)(hx >> 20) - 0x3FF;
        hx = (hx & 0x000F_FFFF) + 0x3FE6_A09E;
        bits = ((ulong)hx << 32) | (bits & 0xFFFF_FFFF);
        x = BitConverter.UInt64BitsToDouble(bits);

        double f = x - 1.0;
        double hfsq = 0.5 * f * f;
        double s = f / (2.0 + f);
        double z = s * s;
        double w = z * z;
        double t1 = w * (Lg2 + (w * (Lg4 + (w * Lg6))));
        double t2 = z * (Lg1 + (w * (Lg3 + (w * (Lg5 + (w * Lg7))))));
        double r = t2 + t1;
        double dk = k;

        // The summation order decides the last bit; it is libm's: small terms first, k·ln2_hi last.
        return (s * (hfsq + r)) + (dk * Ln2Lo) - hfsq + f + (dk * Ln2Hi);
    }

    /// <summary>e^x: x = k·ln2 + r with |r| ≤ ln2/2, e^r from a rational approximation, then scaled by 2^k.</summary>
    public static double Exp(double x)
    {
        uint hx = (uint)(BitConverter.DoubleToUInt64Bits(x) >> 32);
        int sign = (int)(hx >> 31);
        hx &= 0x7FFF_FFFF;

        if (hx >= 0x4086_232B)
        {
            // |x| ≥ 708.39…, or NaN
            if (double.IsNaN(x))
            {
                return x;
            }

            if (x > ExpOverflow)
            {
                return double.PositiveInfinity;
            }

            if (x < ExpUnderflow)
            {
                return 0.0;
            }
        }

        double hi;
        double lo;
        int k;
        if (hx > 0x3FD6_2E42)
        {
            // |x| > ln2/2: reduce. Near ±ln2 k is ±1; otherwise k = round(x/ln2) by truncating x/ln2 ± 0.5.
            if (hx >= 0x3FF0_A2B2)
            {
                k = SaturatingToInt32((InvLn2 * x) + (sign == 0 ? 0.5 : -0.5));
            }
            else
            {
                k = 1 - sign - sign;
            }

            hi = x - (k * Ln2Hi);
            lo = k * Ln2Lo;
            x = hi - lo;
        }
        else if (hx > 0x3E30_0000)
        {
            // 2^-28 < |x| ≤ ln2/2: no reduction.
            k = 0;
            hi = x;
            lo = 0.0;
        }
        else
        {
            // |x| ≤ 2^-28: 1 + x is correctly rounded.
            return 1.0 + x;
        }

        double xx = x * x;
        double c = x - (xx * (P1 + (xx * (P2 + (xx * (P3 + (xx * (P4 + (xx * P5)))))))));
        double y = 1.0 + ((x * c / (2.0 - c)) - lo + hi);
        return k == 0 ? y : ScaleB(y, k);
    }

    /// <summary>y·2^n with one final rounding, as C scalbn (steps through 2^±1023 so subnormals round once).</summary>
    internal static double ScaleB(double y, int n)
    {
        const double TwoPow1023 = 8.98846567431158e307; // 0x7FE00000_00000000
        double twoPowMinus969 = BitConverter.UInt64BitsToDouble(0x0360_0000_0000_0000); // 2^-1022 · 2^53

        if (n > 1023)
        {
            y *= TwoPow1023;
            n -= 1023;
            if (n > 1023)
            {
                y *= TwoPow1023;
                n -= 1023;
                n = Math.Min(n, 1023);
            }
        }
        else if (n < -1022)
        {
            // Scale by 2^-969 (not 2^-1022) so the result stays normal until the very last multiplication.
            y *= twoPowMinus969;
            n += 1022 - 53;
            if (n < -1022)
            {
                y *= twoPowMinus969;
                n += 1022 - 53;
                n = Math.Max(n, -1022);
            }
        }

        return y * BitConverter.UInt64BitsToDouble((ulong)(0x3FF + n) << 52);
    }

    // Rust `f64 as i32`: truncation toward zero, saturating, NaN to 0. (C# casts of out-of-range values differ.)
    private static int SaturatingToInt32(double v) =>
        double.IsNaN(v) ? 0 : v >= int.MaxValue ? int.MaxValue : v <= int.MinValue ? int.MinValue : (int)v;
}
