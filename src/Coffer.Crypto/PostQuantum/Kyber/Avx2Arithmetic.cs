namespace Coffer.Crypto.PostQuantum.Kyber;

internal readonly struct Avx2Arithmetic : IKyberArithmetic
{
    public static void Ntt(Span<short> poly) => ScalarArithmetic.Ntt(poly);

    public static void InverseNttToMont(Span<short> poly) => ScalarArithmetic.InverseNttToMont(poly);

    public static void BaseMulAccumulate(Span<short> r, ReadOnlySpan<short> a, ReadOnlySpan<short> b) => ScalarArithmetic.BaseMulAccumulate(r, a, b);

    public static void ToMont(Span<short> poly) => ScalarArithmetic.ToMont(poly);

    public static void Reduce(Span<short> poly) => ScalarArithmetic.Reduce(poly);

    public static void Add(ReadOnlySpan<short> a, ReadOnlySpan<short> b, Span<short> r) => ScalarArithmetic.Add(a, b, r);

    public static void Subtract(ReadOnlySpan<short> a, ReadOnlySpan<short> b, Span<short> r) => ScalarArithmetic.Subtract(a, b, r);
}
