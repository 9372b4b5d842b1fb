// Kyber768 round 3 (spec v3.02, "90s" variant): the polynomial arithmetic that has a scalar and an AVX2 form.
// Polynomials are 256 int16 coefficients in the reference (bit-reversed NTT) order in both forms, so the two are
// interchangeable coefficient for coefficient; encoding and sampling are shared.
// Constant-time: implementations must not branch on or index memory by coefficient values.
namespace Coffer.Crypto.PostQuantum.Kyber;

internal interface IKyberArithmetic
{
    /// <summary>Forward NTT in place, then Barrett reduction. Input |a| &lt; q; output centred, |a| &lt;= (q-1)/2.</summary>
    static abstract void Ntt(Span<short> poly);

    /// <summary>Inverse NTT in place, multiplied by the Montgomery factor R (undoes the R^-1 of a base multiplication).</summary>
    static abstract void InverseNttToMont(Span<short> poly);

    /// <summary>
    /// r = Σ_i a_i ∘ b_i over k = 3 polynomials (NTT-domain products, each with a factor R^-1), Barrett-reduced.
    /// Inputs |a|, |b| &lt; 2^12 (a packed key may hold values up to 4095).
    /// </summary>
    static abstract void BaseMulAccumulate(Span<short> r, ReadOnlySpan<short> a, ReadOnlySpan<short> b);

    /// <summary>Multiplies every coefficient by R (into Montgomery form); output in (-q, q).</summary>
    static abstract void ToMont(Span<short> poly);

    /// <summary>Barrett-reduces every coefficient to the centred representative.</summary>
    static abstract void Reduce(Span<short> poly);

    /// <summary>r = a + b, coefficient-wise, no reduction; r may alias a or b.</summary>
    static abstract void Add(ReadOnlySpan<short> a, ReadOnlySpan<short> b, Span<short> r);

    /// <summary>r = a - b, coefficient-wise, no reduction; r may alias a or b.</summary>
    static abstract void Subtract(ReadOnlySpan<short> a, ReadOnlySpan<short> b, Span<short> r);
}
