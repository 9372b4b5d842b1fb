namespace Coffer.Crypto.PostQuantum.Kyber;

/// <summary>Which polynomial arithmetic a Kyber operation runs on. Internal so that tests can run every vector on both.</summary>
internal enum KyberPath
{
    /// <summary>Portable scalar code (<see cref="ScalarArithmetic"/>), used when AVX2 is not available.</summary>
    Scalar,

    /// <summary>AVX2 (<see cref="Avx2Arithmetic"/>); requires <c>Avx2.IsSupported</c>.</summary>
    Avx2,
}
