// Hypergeometric sampling for OPE-16: ranlib `hgd`, algorithm H2PE of V. Kachitvichyanukul and B. W. Schmeiser,
// "Computer generation of hypergeometric random variates", J. Statist. Comput. Simul. 22 (1985) 127–145,
// evaluated in IEEE double precision as sentc's OPE does (spec crypto-std.md §12).
// Given an urn of nn1 white and nn2 black balls, returns how many of kk balls drawn without replacement are
// white. Three regimes: a degenerate one (a single possible value), inversion of the CDF when the mode is close to
// the lower bound, and otherwise H2PE: a rectangle-plus-two-exponential-tails hat with squeeze tests.
// Bit-exactness: every expression keeps the algorithm's operation order; ln/exp are Fdlibm's; float-to-integer
// conversions are Rust's `as u64` (truncate toward zero, saturate at 0 and u64::MAX). No FMA (see Fdlibm).
// Unlike ranlib, whose M and IX are integers, sentc's CryptDB-derived version keeps every quantity in a double:
// the mode m is not rounded (only the cell bounds xl, xr are truncated), and a variate drawn in the rectangle or a
// tail keeps its fraction through the acceptance test; only the final result is truncated. This matters: with m
// rounded down, about one ciphertext in eight differed from the wasm's.
// Secret: the coins (from the key); the parameters are derived from the plaintext. The number of loop rounds
// depends on both; see Ope16 for why that is inherent.
using System.Numerics;

namespace Coffer.Crypto.Sortable;

internal static class Hypergeometric
{
    private const double Con = 57.56462733; // ln(10^25)
    private const double DeltaL = 0.0078;
    private const double DeltaU = 0.0034;
    private const double Scale = 1e25;

    // ln(i!) for i = 0 … 7, as ranlib tabulates them (10 significant digits; part of the bit-exact contract).
    private static readonly double[] LogFactorialTable =
        [0.0, 0.0, 0.6931471806, 1.791759469, 3.178053830, 4.787491743, 6.579251212, 8.525161361];

    public static ulong Sample(ulong kk, ulong nn1, ulong nn2, ref OpeRandom coins)
    {
        if (kk > nn1 + nn2)
        {
            throw new ArgumentOutOfRangeException(nameof(kk), "Cannot draw more balls than the urn holds.");
        }

        int precision = BitLength(nn1 + nn2 + kk) + 10;

        double n1 = nn1 <= nn2 ? nn1 : nn2; // the smaller colour
        double n2 = nn1 <= nn2 ? nn2 : nn1;
        double tn = n1 + n2;
        // Sample the smaller of kk and tn − kk draws and mirror at the end.
        double k = (double)kk + kk >= tn ? tn - kk : kk;
        double m = (k + 1.0) * (n1 + 1.0) / (tn + 2.0); // about the mode; not rounded (ranlib's is an integer)
        double minjx = k - n2 < 0.0 ? 0.0 : k - n2;
        double maxjx = n1 < k ? n1 : k;

        double ix;
        if (minjx == maxjx)
        {
            ix = maxjx;
        }
        else if (m - minjx < 10.0)
        {
            ix = Inversion(n1, n2, k, minjx, maxjx, precision, ref coins);
        }
        else
        {
            ix = H2pe(n1, n2, tn, k, m, minjx, maxjx, precision, ref coins);
        }

        // Undo the two symmetries (colour swap, complementary draw).
        double jx;
        if ((double)kk + kk >= tn)
        {
            jx = nn1 > nn2 ? (double)(kk - nn2) + ix : nn1 - ix; // an integer difference first, as in sentc
        }
        else
        {
            jx = nn1 > nn2 ? kk - ix : ix;
        }

        return ToUInt64(jx);
    }

    // Inverse transformation from the lower end; w is P(X = minjx) scaled by 10^25 so that the uniform, scaled by
    // the same factor, can be compared with it without underflow.
    private static double Inversion(
        double n1, double n2, double k, double minjx, double maxjx, int precision, ref OpeRandom coins)
    {
        double w = k < n2
            ? Fdlibm.Exp(Con + Afc(n2) + Afc(n1 + n2 - k) - Afc(n2 - k) - Afc(n1 + n2))
            : Fdlibm.Exp(Con + Afc(n1) + Afc(k) - Afc(k - n2) - Afc(n1 + n2));

        while (true)
        {
            double p = w;
            double ix = minjx;
            double u = coins.NextUnit(precision) * Scale;
            while (u > p)
            {
                u -= p;
                p = p * (n1 - ix) * (k - ix);
                ix += 1.0;
                p = p / ix / (n2 - k + ix);
                if (ix > maxjx)
                {
                    break;
                }
            }

            if (ix <= maxjx)
            {
                return ix;
            }
        }
    }

    private static double H2pe(
        double n1, double n2, double tn, double k, double m, double minjx, double maxjx, int precision,
        ref OpeRandom coins)
    {
        double s = Math.Sqrt((tn - k) * k * n1 * n2 / (tn - 1.0) / tn / tn);

        // The truncation centres the cell boundaries at 0.5 (the paper's d has no truncation).
        double d = Math.Truncate(1.5 * s) + 0.5;
        double xl = Math.Truncate(m - d + 0.5);
        double xr = Math.Truncate(m + d + 0.5);
        double a = Afc(m) + Afc(n1 - m) + Afc(k - m) + Afc(n2 - k + m);
        double kl = Fdlibm.Exp(a - Afc(xl) - Afc(n1 - xl) - Afc(k - xl) - Afc(n2 - k + xl));
        double kr = Fdlibm.Exp(a - Afc(xr - 1.0) - Afc(n1 - xr + 1.0) - Afc(k - xr + 1.0) - Afc(n2 - k + xr - 1.0));
        double lamdl = -Fdlibm.Log(xl * (n2 - k + xl) / (n1 - xl + 1.0) / (k - xl + 1.0));
        double lamdr = -Fdlibm.Log((n1 - xr + 1.0) * (k - xr + 1.0) / xr / (n2 - k + xr));
        double p1 = d + d;
        double p2 = p1 + (kl / lamdl);
        double p3 = p2 + (kr / lamdr);

        while (true)
        {
            double u = coins.NextUnit(precision) * p3;
            double v = coins.NextUnit(precision);
            double ix;
            if (u < p1)
            {
                // Rectangular region.
                ix = xl + u;
            }
            else if (u <= p2)
            {
                // Left exponential tail.
                ix = xl + (Fdlibm.Log(v) / lamdl);
                if (ix < minjx)
                {
                    continue;
                }

                v = v * (u - p1) * lamdl;
            }
            else
            {
                // Right exponential tail.
                ix = xr - (Fdlibm.Log(v) / lamdr);
                if (ix > maxjx)
                {
                    continue;
                }

                v = v * (u - p2) * lamdr;
            }

            if (m < 100.0 || ix <= 50.0)
            {
                if (AcceptExplicit(n1, n2, k, m, ix, v))
                {
                    return ix;
                }
            }
            else if (AcceptSqueeze(n1, n2, k, m, a, ix, v))
            {
                return ix;
            }
        }
    }

    // f(ix)/f(m) by the recurrence of consecutive probabilities.
    private static bool AcceptExplicit(double n1, double n2, double k, double m, double ix, double v)
    {
        double f = 1.0;
        if (m < ix)
        {
            for (double i = m + 1.0; i < ix; i += 1.0)
            {
                f = f * (n1 - i + 1.0) * (k - i + 1.0) / (n2 - k + i) / i;
            }
        }
        else if (m > ix)
        {
            for (double i = ix + 1.0; i < m; i += 1.0)
            {
                f = f * i * (n2 - k + i) / (n1 - i) / (k - i);
            }
        }

        return v <= f;
    }

    // Upper and lower bounds on ln f(ix)/f(m) from a Taylor expansion of Stirling's formula; only when both fail
    // to decide is the full Stirling comparison made.
    private static bool AcceptSqueeze(double n1, double n2, double k, double m, double a, double ix, double v)
    {
        double y = ix;
        double y1 = y + 1.0;
        double ym = y - m;
        double yn = n1 - y + 1.0;
        double yk = k - y + 1.0;
        double nk = n2 - k + y1;
        double r = -ym / y1;
        double s = ym / yn;
        double t = ym / yk;
        double e = -ym / nk;
        double g = (yn * yk / (y1 * nk)) - 1.0;
        double dg = g < 0.0 ? 1.0 + g : 1.0;
        double gu = g * (1.0 + (g * (-0.5 + (g / 3.0))));
        double gl = gu - (0.25 * (g * g * (g * g)) / dg);
        double xm = m + 0.5;
        double xn = n1 - m + 0.5;
        double xk = k - m + 0.5;
        double nm = n2 - k + xm;
        double ub = (y * gu) - (m * gl) + DeltaU
            + (xm * r * (1.0 + (r * (-0.5 + (r / 3.0)))))
            + (xn * s * (1.0 + (s * (-0.5 + (s / 3.0)))))
            + (xk * t * (1.0 + (t * (-0.5 + (t / 3.0)))))
            + (nm * e * (1.0 + (e * (-0.5 + (e / 3.0)))));

        double alv = Fdlibm.Log(v);
        if (alv > ub)
        {
            return false;
        }

        double dr = xm * (r * r * (r * r));
        if (r < 0.0)
        {
            dr /= 1.0 + r;
        }

        double ds = xn * (s * s * (s * s));
        if (s < 0.0)
        {
            ds /= 1.0 + s;
        }

        double dt = xk * (t * t * (t * t));
        if (t < 0.0)
        {
            dt /= 1.0 + t;
        }

        double de = nm * (e * e * (e * e));
        if (e < 0.0)
        {
            de /= 1.0 + e;
        }

        if (alv < ub - (0.25 * (dr + ds + dt + de)) + ((y + m) * (gl - gu)) - DeltaL)
        {
            return true;
        }

        // Stirling's formula to machine accuracy.
        return alv <= a - Afc(ix) - Afc(n1 - ix) - Afc(k - ix) - Afc(n2 - k + ix);
    }

    /// <summary>ln(i!): ranlib's table up to 7, Stirling's series above, in exactly this evaluation order.</summary>
    internal static double Afc(double i)
    {
        ulong index = ToUInt64(Math.Round(i, MidpointRounding.AwayFromZero));
        if (index <= 7)
        {
            return LogFactorialTable[index];
        }

        return ((i + 0.5) * Fdlibm.Log(i)) - i + (0.08333333333333 / i) - (0.00277777777777 / i / i / i)
            + 0.9189385332;
    }

    // Rust `f64 as u64`: truncation toward zero, negative and NaN to 0, saturation at u64::MAX.
    internal static ulong ToUInt64(double v) =>
        double.IsNaN(v) || v <= 0.0 ? 0UL : v >= 18446744073709551615.0 ? ulong.MaxValue : (ulong)v;

    private static int BitLength(ulong v) => 64 - BitOperations.LeadingZeroCount(v);
}
