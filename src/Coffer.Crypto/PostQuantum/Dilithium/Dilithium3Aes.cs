// CRYSTALS-Dilithium, round 3 specification version 3.1, security mode 3, AES variant ("Dilithium3-AES"), as
// pq-crystals v3.1 (dilithium3aes) and sentc / pqc_dilithium 0.2 (feature "aes") compute it. Not ML-DSA (FIPS 204),
// not v3.0 (whose secret key is 4016 bytes).
// K = 6, L = 5, η = 4, τ = 49, β = 196, γ1 = 2^19, γ2 = (q-1)/32, ω = 55, d = 13; CRHBYTES = 64, tr = 32 bytes.
// Public key 1952 = ρ ‖ t1; secret key 4000 = ρ ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0; signature 3293 = c̃ ‖ z ‖ h.
// Constant-time with respect to the secret key (ζ, ρ′, K, s1, s2, t0, y): no branch or memory index depends on
// them, except the rejection loop of Fiat–Shamir with aborts (whether an attempt is rejected, as in the reference)
// and the count of rejected candidates in the η sampler. Every secret buffer is zeroed before returning.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Coffer.Crypto.Primitives;

namespace Coffer.Crypto.PostQuantum.Dilithium;

/// <summary>Dilithium round 3 v3.1, mode 3, AES variant.</summary>
internal static class Dilithium3Aes
{
    public const int PublicKeySize = 1952;
    public const int SecretKeySize = 4000;
    public const int SignatureSize = 3293;
    public const int SeedSize = 32;
    public const int RandomnessSize = 64;

    public const int K = 6;
    public const int L = 5;
    public const int Eta = 4;
    public const int Tau = 49;
    public const int Beta = 196;
    public const int Gamma1 = 1 << 19;
    public const int Gamma2 = (PolyArithmetic.Q - 1) / 32;
    public const int Omega = 55;
    public const int D = 13;

    private const int N = PolyArithmetic.N;
    private const int SeedBytes = 32;
    private const int CrhBytes = 64;
    private const int TrBytes = 32;

    // Secret key and signature layout.
    private const int KeyOffset = SeedBytes;
    private const int TrOffset = KeyOffset + SeedBytes;
    private const int S1Offset = TrOffset + TrBytes;
    private const int S2Offset = S1Offset + (L * PolyPacking.EtaBytes);
    private const int T0Offset = S2Offset + (K * PolyPacking.EtaBytes);
    private const int ZOffset = SeedBytes;
    private const int HintOffset = ZOffset + (L * PolyPacking.ZBytes);

    private const int W1PackedBytes = K * PolyPacking.W1Bytes;

    // seed = ζ: (ρ ‖ ρ′ ‖ K) = SHAKE256(ζ, 32+64+32)
    public static void GenerateKeyPair(ReadOnlySpan<byte> seed, Span<byte> publicKey, Span<byte> secretKey) =>
        GenerateKeyPair(PolyArithmetic.Default, seed, publicKey, secretKey);

    // rhoPrime: 64 random bytes for randomized signing (what the official client does), or empty for the
    // deterministic mode (rho' = SHAKE256(K ‖ mu, 64)), which the KAT files use.
    public static void Sign(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> rhoPrime, Span<byte> signature) =>
        Sign(PolyArithmetic.Default, secretKey, message, rhoPrime, signature);

    // Never throws for bad signatures or wrong lengths: returns false. Follows the reference crypto_sign_verify:
    // exact length 3293, well-formed hint, ||z||inf < gamma1 - beta, c~ recomputed.
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        Verify(PolyArithmetic.Default, publicKey, message, signature);

    [SkipLocalsInit]
    internal static void GenerateKeyPair(PolyArithmetic arithmetic, ReadOnlySpan<byte> seed, Span<byte> publicKey, Span<byte> secretKey)
    {
        RequireLength(seed, SeedSize, nameof(seed));
        RequireLength(publicKey, PublicKeySize, nameof(publicKey));
        RequireLength(secretKey, SecretKeySize, nameof(secretKey));

        Span<byte> expanded = stackalloc byte[SeedBytes + CrhBytes + SeedBytes];
        Span<int> work = stackalloc int[(K * L * N) + (2 * L * N) + (4 * K * N)];
        try
        {
            Shake256.HashData(seed, expanded);
            ReadOnlySpan<byte> rho = expanded[..SeedBytes];
            ReadOnlySpan<byte> rhoPrime = expanded.Slice(SeedBytes, CrhBytes);
            ReadOnlySpan<byte> key = expanded.Slice(SeedBytes + CrhBytes, SeedBytes);

            Span<int> matrix = work[..(K * L * N)];
            Span<int> s1 = work.Slice(K * L * N, L * N);
            Span<int> s1Hat = work.Slice((K * L * N) + (L * N), L * N);
            Span<int> s2 = work.Slice((K * L * N) + (2 * L * N), K * N);
            Span<int> t = work.Slice((K * L * N) + (2 * L * N) + (K * N), K * N);
            Span<int> t1 = work.Slice((K * L * N) + (2 * L * N) + (2 * K * N), K * N);
            Span<int> t0 = work.Slice((K * L * N) + (2 * L * N) + (3 * K * N), K * N);

            PolySampling.ExpandMatrix(arithmetic, rho, matrix);
            PolySampling.SampleSecrets(rhoPrime[..Aes256Ctr.KeySize], s1, s2);

            // t = A·s1 + s2, canonical.
            s1.CopyTo(s1Hat);
            NttAll(arithmetic, s1Hat);
            MultiplyMatrix(arithmetic, matrix, s1Hat, t);
            arithmetic.Reduce32(t);
            InverseNttAll(arithmetic, t);
            arithmetic.Add(t, s2, t);
            arithmetic.Freeze(t);
            Power2Round(t, t1, t0);

            rho.CopyTo(publicKey);
            for (int i = 0; i < K; i++)
            {
                PolyPacking.PackT1(t1.Slice(i * N, N), publicKey[(SeedBytes + (i * PolyPacking.T1Bytes))..]);
            }

            rho.CopyTo(secretKey);
            key.CopyTo(secretKey[KeyOffset..]);
            Shake256.HashData(publicKey, secretKey.Slice(TrOffset, TrBytes));
            for (int i = 0; i < L; i++)
            {
                PolyPacking.PackEta(s1.Slice(i * N, N), secretKey[(S1Offset + (i * PolyPacking.EtaBytes))..]);
            }

            for (int i = 0; i < K; i++)
            {
                PolyPacking.PackEta(s2.Slice(i * N, N), secretKey[(S2Offset + (i * PolyPacking.EtaBytes))..]);
                PolyPacking.PackT0(t0.Slice(i * N, N), secretKey[(T0Offset + (i * PolyPacking.T0Bytes))..]);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(expanded);
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(work));
        }
    }

    [SkipLocalsInit]
    internal static void Sign(PolyArithmetic arithmetic, ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> rhoPrime, Span<byte> signature)
    {
        RequireLength(secretKey, SecretKeySize, nameof(secretKey));
        if (!rhoPrime.IsEmpty && rhoPrime.Length != RandomnessSize)
        {
            throw new ArgumentException($"The signing randomness must be empty or {RandomnessSize} bytes.", nameof(rhoPrime));
        }

        RequireLength(signature, SignatureSize, nameof(signature));

        // keyMu = K ‖ μ (the deterministic ρ′ hashes exactly this), then ρ′, c̃ and μ ‖ w1 for the challenge hash.
        Span<byte> keyMu = stackalloc byte[SeedBytes + CrhBytes];
        Span<byte> seedPrime = stackalloc byte[CrhBytes];
        Span<byte> cTilde = stackalloc byte[SeedBytes];
        Span<byte> muW1 = stackalloc byte[CrhBytes + W1PackedBytes];
        Span<int> work = stackalloc int[(K * L * N) + (3 * L * N) + (6 * K * N) + N];
        try
        {
            ReadOnlySpan<byte> rho = secretKey[..SeedBytes];
            Span<byte> mu = keyMu[SeedBytes..];
            secretKey.Slice(KeyOffset, SeedBytes).CopyTo(keyMu);
            using (var shake = new Shake256())
            {
                shake.AppendData(secretKey.Slice(TrOffset, TrBytes));
                shake.AppendData(message);
                shake.GetHashAndReset(mu);
            }

            if (rhoPrime.IsEmpty)
            {
                Shake256.HashData(keyMu, seedPrime);
            }
            else
            {
                rhoPrime.CopyTo(seedPrime);
            }

            mu.CopyTo(muW1);
            Span<byte> w1Packed = muW1[CrhBytes..];

            int offset = 0;
            Span<int> matrix = Take(work, ref offset, K * L * N);
            Span<int> s1Hat = Take(work, ref offset, L * N);
            Span<int> y = Take(work, ref offset, L * N);
            Span<int> z = Take(work, ref offset, L * N);
            Span<int> s2Hat = Take(work, ref offset, K * N);
            Span<int> t0Hat = Take(work, ref offset, K * N);
            Span<int> w1 = Take(work, ref offset, K * N);
            Span<int> w0 = Take(work, ref offset, K * N);
            Span<int> h = Take(work, ref offset, K * N);
            Span<int> hint = Take(work, ref offset, K * N);
            Span<int> c = Take(work, ref offset, N);

            for (int i = 0; i < L; i++)
            {
                PolyPacking.UnpackEta(secretKey[(S1Offset + (i * PolyPacking.EtaBytes))..], s1Hat.Slice(i * N, N));
            }

            for (int i = 0; i < K; i++)
            {
                PolyPacking.UnpackEta(secretKey[(S2Offset + (i * PolyPacking.EtaBytes))..], s2Hat.Slice(i * N, N));
                PolyPacking.UnpackT0(secretKey[(T0Offset + (i * PolyPacking.T0Bytes))..], t0Hat.Slice(i * N, N));
            }

            NttAll(arithmetic, s1Hat);
            NttAll(arithmetic, s2Hat);
            NttAll(arithmetic, t0Hat);
            PolySampling.ExpandMatrix(arithmetic, rho, matrix);

            using var aes = new Aes256Ctr(seedPrime[..Aes256Ctr.KeySize]);
            for (ushort attempt = 0; ; attempt++)
            {
                PolySampling.SampleMask(aes, attempt, y);

                // w = A·y; (w1, w0) = Decompose(w); c̃ = H(μ ‖ w1).
                y.CopyTo(z);
                NttAll(arithmetic, z);
                MultiplyMatrix(arithmetic, matrix, z, w1);
                arithmetic.Reduce32(w1);
                InverseNttAll(arithmetic, w1);
                arithmetic.Freeze(w1);
                arithmetic.Decompose(w1, w1, w0);
                PolyPacking.PackW1(w1, w1Packed);
                Shake256.HashData(muW1, cTilde);
                PolySampling.Challenge(cTilde, c);
                arithmetic.Ntt(c);

                // z = y + c·s1, rejected unless ‖z‖∞ < γ1 - β.
                MultiplyByPoly(arithmetic, c, s1Hat, z);
                InverseNttAll(arithmetic, z);
                arithmetic.Add(z, y, z);
                arithmetic.Reduce32(z);
                if (arithmetic.ExceedsNorm(z, Gamma1 - Beta))
                {
                    continue;
                }

                // r0 = w0 - c·s2, rejected unless ‖r0‖∞ < γ2 - β (then the high bits are unchanged).
                MultiplyByPoly(arithmetic, c, s2Hat, h);
                InverseNttAll(arithmetic, h);
                arithmetic.Subtract(w0, h, w0);
                arithmetic.Reduce32(w0);
                if (arithmetic.ExceedsNorm(w0, Gamma2 - Beta))
                {
                    continue;
                }

                // Hint for w1 from r0 + c·t0, rejected unless ‖c·t0‖∞ < γ2 and at most ω hints are set.
                MultiplyByPoly(arithmetic, c, t0Hat, h);
                InverseNttAll(arithmetic, h);
                arithmetic.Reduce32(h);
                if (arithmetic.ExceedsNorm(h, Gamma2))
                {
                    continue;
                }

                arithmetic.Add(w0, h, w0);
                if (arithmetic.MakeHint(w0, w1, hint) > Omega)
                {
                    continue;
                }

                cTilde.CopyTo(signature);
                for (int i = 0; i < L; i++)
                {
                    PolyPacking.PackZ(z.Slice(i * N, N), signature[(ZOffset + (i * PolyPacking.ZBytes))..]);
                }

                PolyPacking.PackHint(hint, signature[HintOffset..]);
                return;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyMu);
            CryptographicOperations.ZeroMemory(seedPrime);
            CryptographicOperations.ZeroMemory(cTilde);
            CryptographicOperations.ZeroMemory(muW1);
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(work));
        }
    }

    [SkipLocalsInit]
    internal static bool Verify(PolyArithmetic arithmetic, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
        {
            return false;
        }

        Span<int> work = stackalloc int[(K * L * N) + (L * N) + (3 * K * N) + N];
        int offset = 0;
        Span<int> matrix = Take(work, ref offset, K * L * N);
        Span<int> z = Take(work, ref offset, L * N);
        Span<int> t1 = Take(work, ref offset, K * N);
        Span<int> w1 = Take(work, ref offset, K * N);
        Span<int> hint = Take(work, ref offset, K * N);
        Span<int> c = Take(work, ref offset, N);

        ReadOnlySpan<byte> cTilde = signature[..SeedBytes];
        if (!PolyPacking.TryUnpackHint(signature[HintOffset..], hint))
        {
            return false;
        }

        for (int i = 0; i < L; i++)
        {
            PolyPacking.UnpackZ(signature[(ZOffset + (i * PolyPacking.ZBytes))..], z.Slice(i * N, N));
        }

        if (arithmetic.ExceedsNorm(z, Gamma1 - Beta))
        {
            return false;
        }

        // μ = H(H(pk, 32) ‖ M, 64).
        Span<byte> muW1 = stackalloc byte[CrhBytes + W1PackedBytes];
        Span<byte> tr = stackalloc byte[TrBytes];
        Shake256.HashData(publicKey, tr);
        using (var shake = new Shake256())
        {
            shake.AppendData(tr);
            shake.AppendData(message);
            shake.GetHashAndReset(muW1[..CrhBytes]);
        }

        // w1' = UseHint(h, A·z - c·t1·2^d).
        PolySampling.Challenge(cTilde, c);
        PolySampling.ExpandMatrix(arithmetic, publicKey[..SeedBytes], matrix);
        NttAll(arithmetic, z);
        MultiplyMatrix(arithmetic, matrix, z, w1);
        arithmetic.Ntt(c);
        for (int i = 0; i < K; i++)
        {
            Span<int> poly = t1.Slice(i * N, N);
            PolyPacking.UnpackT1(publicKey[(SeedBytes + (i * PolyPacking.T1Bytes))..], poly);
            for (int j = 0; j < N; j++)
            {
                poly[j] <<= D;
            }

            arithmetic.Ntt(poly);
        }

        MultiplyByPoly(arithmetic, c, t1, t1);
        arithmetic.Subtract(w1, t1, w1);
        arithmetic.Reduce32(w1);
        InverseNttAll(arithmetic, w1);
        arithmetic.Freeze(w1);
        arithmetic.UseHint(w1, hint, w1);

        Span<byte> expected = stackalloc byte[SeedBytes];
        PolyPacking.PackW1(w1, muW1[CrhBytes..]);
        Shake256.HashData(muW1, expected);
        return CryptographicOperations.FixedTimeEquals(expected, cTilde);
    }

    private static Span<int> Take(Span<int> work, ref int offset, int length)
    {
        Span<int> part = work.Slice(offset, length);
        offset += length;
        return part;
    }

    private static void NttAll(PolyArithmetic arithmetic, Span<int> polys)
    {
        for (int i = 0; i < polys.Length; i += N)
        {
            arithmetic.Ntt(polys.Slice(i, N));
        }
    }

    private static void InverseNttAll(PolyArithmetic arithmetic, Span<int> polys)
    {
        for (int i = 0; i < polys.Length; i += N)
        {
            arithmetic.InverseNttToMont(polys.Slice(i, N));
        }
    }

    /// <summary>result = Â·v (NTT domain, Montgomery factor R^-1); result has K polynomials, v has L.</summary>
    private static void MultiplyMatrix(PolyArithmetic arithmetic, ReadOnlySpan<int> matrix, ReadOnlySpan<int> vector, Span<int> result)
    {
        for (int i = 0; i < K; i++)
        {
            arithmetic.DotMontgomery(matrix.Slice(i * L * N, L * N), vector, L, result.Slice(i * N, N));
        }
    }

    /// <summary>result[i] = c·v[i] (NTT domain) for every polynomial of v.</summary>
    private static void MultiplyByPoly(PolyArithmetic arithmetic, ReadOnlySpan<int> c, ReadOnlySpan<int> vector, Span<int> result)
    {
        for (int i = 0; i < vector.Length; i += N)
        {
            arithmetic.PointwiseMontgomery(c, vector.Slice(i, N), result.Slice(i, N));
        }
    }

    private static void Power2Round(ReadOnlySpan<int> t, Span<int> t1, Span<int> t0)
    {
        // t = t1·2^d + t0 with t0 in (-2^(d-1), 2^(d-1)]; t is canonical.
        for (int i = 0; i < t.Length; i++)
        {
            int high = (t[i] + (1 << (D - 1)) - 1) >> D;
            t1[i] = high;
            t0[i] = t[i] - (high << D);
        }
    }

    private static void RequireLength(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            throw new ArgumentException($"Expected {length} bytes.", name);
        }
    }
}
