// Kyber768 round 3 (spec v3.02, "90s" variant): the choice between the portable scalar code and the x86 intrinsics
// code (AVX2 arithmetic and AES-NI). Both give identical bytes for every input (KATs and property tests run on both).
// Constant-time: the choice depends on the processor only, never on data.
namespace Coffer.Crypto.PostQuantum.Kyber;

/// <summary>Which polynomial arithmetic a Kyber operation runs on. Internal so that tests can run every vector on both.</summary>
internal enum KyberPath
{
    /// <summary>Portable scalar code (<see cref="ScalarArithmetic"/>), used when AVX2 is not available.</summary>
    Scalar,

    /// <summary>AVX2 (<see cref="Avx2Arithmetic"/>); requires <c>Avx2.IsSupported</c>.</summary>
    Avx2,
}
