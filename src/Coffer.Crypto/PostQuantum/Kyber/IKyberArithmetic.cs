// Kyber768 round 3 (spec v3.02, "90s" variant): everything on the hot path that has a portable scalar form and an
// x86 intrinsics form (AVX2 arithmetic, AVX2 samplers and encodings). KyberIndCpa is generic over it, so
// both forms run the same protocol code. Polynomials are 256 int16 coefficients in the reference (bit-reversed NTT)
// order in both forms, and the two must agree coefficient for coefficient and byte for byte (property-tested).
// Constant-time: implementations must not branch on or index memory by secret values (only RejectUniform, which
// sees public data, may).
namespace Coffer.Crypto.PostQuantum.Kyber;

internal interface IKyberArithmetic
{
    /// <summary>Forward NTT in place, then Barrett reduction. Input |a| &lt; q; output centred, |a| &lt;= (q-1)/2.</summary>
    static abstract void Ntt(Span<short> poly);

    /// <summary>Inverse NTT in place, multiplied by the Montgomery factor R (undoes the R^-1 of a base multiplication).</summary>
    static abstract void InverseNttToMont(Span<short> poly);

    /// <summary>
    /// r = Σ_i a_i ∘ b_i over k = 3 polynomials (NTT-domain products, each with a factor R^-1), Barrett-reduced.
    /// Inputs |a|, |b| &lt;= 4095 (an unpacked key's 12-bit values are not reduced).
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

    /// <summary>η = 2 centred binomial sampling of one polynomial from 128 PRF bytes (secret: branch-free).</summary>
    static abstract void Cbd2(ReadOnlySpan<byte> buf, Span<short> r);

    /// <summary>
    /// Rejection sampling of XOF bytes into r[count..256] in consecutive 3-byte triples; returns the new count.
    /// Only for the public matrix, so it may branch and look up tables by the candidates.
    /// </summary>
    static abstract int RejectUniform(Span<short> r, int count, ReadOnlySpan<byte> buf);

    /// <summary>Packs k polynomials with coefficients in (-q, q) as canonical 12-bit values (1152 bytes).</summary>
    static abstract void PolyVecToBytes(ReadOnlySpan<short> a, Span<byte> r);

    /// <summary>Unpacks 1152 bytes into k polynomials of 12-bit values (not reduced).</summary>
    static abstract void PolyVecFromBytes(ReadOnlySpan<byte> a, Span<short> r);

    /// <summary>Compresses k polynomials with coefficients in (-q, q) to du = 10 bits (960 bytes); no division.</summary>
    static abstract void PolyVecCompress(ReadOnlySpan<short> a, Span<byte> r);

    /// <summary>Decompresses 960 bytes of du = 10 values into k polynomials.</summary>
    static abstract void PolyVecDecompress(ReadOnlySpan<byte> a, Span<short> r);

    /// <summary>Compresses one polynomial with coefficients in (-q, q) to dv = 4 bits (128 bytes); no division.</summary>
    static abstract void PolyCompress(ReadOnlySpan<short> a, Span<byte> r);

    /// <summary>Decodes the 32-byte message: each coefficient in (-q, q) rounds to 0 or q/2 (secret: no division).</summary>
    static abstract void PolyToMessage(ReadOnlySpan<short> a, Span<byte> message);
}
