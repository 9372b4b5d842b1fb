using Coffer.Crypto.PostQuantum.Dilithium;

namespace Coffer.Crypto.Tests.PostQuantum.Dilithium;

// Rejections of Dilithium3Aes.Verify: every tampered or malformed input returns false and never throws.
public class Dilithium3AesVerifyTests
{
    private const int CTildeBytes = 32;
    private const int HintOffset = CTildeBytes + (Dilithium3Aes.L * 640);

    // A valid signature whose hint has at least two positions in some polynomial (needed to break the ordering).
    private static readonly Lazy<(byte[] Pk, byte[] Sk, byte[] Message, byte[] Signature)> Valid = new(MakeValid);

    public static TheoryData<string, int> FlippedBitCases()
    {
        // c̃ (first, last byte), z (first, middle, last byte), hint positions (first, last) and counts (first, last).
        int[] offsets = [0, CTildeBytes - 1, CTildeBytes, CTildeBytes + 1600, HintOffset - 1, HintOffset,
            HintOffset + Dilithium3Aes.Omega - 1, HintOffset + Dilithium3Aes.Omega, Dilithium3Aes.SignatureSize - 1];
        var data = new TheoryData<string, int>();
        foreach (string name in DilithiumTestData.ArithmeticNames)
        {
            foreach (int offset in offsets)
            {
                data.Add(name, offset);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FlippedBitCases))]
    public void Verify_FlippedBit_ReturnsFalse(string arithmetic, int offset)
    {
        (byte[] pk, _, byte[] message, byte[] signature) = Valid.Value;
        for (int bit = 0; bit < 8; bit++)
        {
            byte[] tampered = (byte[])signature.Clone();
            tampered[offset] ^= (byte)(1 << bit);

            Assert.False(Dilithium3Aes.Verify(DilithiumTestData.Arithmetic(arithmetic), pk, message, tampered));
        }
    }

    [Theory]
    [MemberData(nameof(DilithiumTestData.Arithmetics), MemberType = typeof(DilithiumTestData))]
    public void Verify_ValidSignature_ReturnsTrue(string arithmetic)
    {
        (byte[] pk, _, byte[] message, byte[] signature) = Valid.Value;

        Assert.True(Dilithium3Aes.Verify(DilithiumTestData.Arithmetic(arithmetic), pk, message, signature));
    }

    [Theory]
    [MemberData(nameof(DilithiumTestData.Arithmetics), MemberType = typeof(DilithiumTestData))]
    public void Verify_HintPositionsNotIncreasing_ReturnsFalse(string arithmetic)
    {
        (byte[] pk, _, byte[] message, byte[] signature) = Valid.Value;
        byte[] tampered = (byte[])signature.Clone();
        int start = 0;
        for (int i = 0; i < Dilithium3Aes.K; i++)
        {
            int end = tampered[HintOffset + Dilithium3Aes.Omega + i];
            if (end - start >= 2)
            {
                (tampered[HintOffset + start], tampered[HintOffset + start + 1]) =
                    (tampered[HintOffset + start + 1], tampered[HintOffset + start]);
                break;
            }

            start = end;
        }

        Assert.NotEqual(signature, tampered);
        Assert.False(Dilithium3Aes.Verify(DilithiumTestData.Arithmetic(arithmetic), pk, message, tampered));
    }

    [Theory]
    [MemberData(nameof(DilithiumTestData.Arithmetics), MemberType = typeof(DilithiumTestData))]
    public void Verify_HintCountAboveOmega_ReturnsFalse(string arithmetic)
    {
        (byte[] pk, _, byte[] message, byte[] signature) = Valid.Value;
        byte[] tampered = (byte[])signature.Clone();
        tampered[Dilithium3Aes.SignatureSize - 1] = Dilithium3Aes.Omega + 1;

        Assert.False(Dilithium3Aes.Verify(DilithiumTestData.Arithmetic(arithmetic), pk, message, tampered));
    }

    [Theory]
    [MemberData(nameof(DilithiumTestData.Arithmetics), MemberType = typeof(DilithiumTestData))]
    public void Verify_HintCountsDecreasing_ReturnsFalse(string arithmetic)
    {
        (byte[] pk, _, byte[] message, byte[] signature) = Valid.Value;
        byte[] tampered = (byte[])signature.Clone();
        int counts = HintOffset + Dilithium3Aes.Omega;
        tampered[counts] = (byte)(tampered[counts + 1] + 1);

        Assert.False(Dilithium3Aes.Verify(DilithiumTestData.Arithmetic(arithmetic), pk, message, tampered));
    }

    [Theory]
    [MemberData(nameof(DilithiumTestData.Arithmetics), MemberType = typeof(DilithiumTestData))]
    public void Verify_HintPaddingNotZero_ReturnsFalse(string arithmetic)
    {
        (byte[] pk, _, byte[] message, byte[] signature) = Valid.Value;
        int used = signature[Dilithium3Aes.SignatureSize - 1];
        Assert.True(used < Dilithium3Aes.Omega);
        byte[] tampered = (byte[])signature.Clone();
        tampered[HintOffset + Dilithium3Aes.Omega - 1] = 0xFF;

        Assert.False(Dilithium3Aes.Verify(DilithiumTestData.Arithmetic(arithmetic), pk, message, tampered));
    }

    [Theory]
    [MemberData(nameof(ZTooLargeCases))]
    public void Verify_ZCoefficientAtBound_ReturnsFalse(string arithmetic, int polynomial, int z)
    {
        (byte[] pk, _, byte[] message, byte[] signature) = Valid.Value;
        byte[] tampered = (byte[])signature.Clone();

        // The first coefficient of each z polynomial is the low 20 bits of its first bytes, stored as γ1 - z.
        int field = Dilithium3Aes.Gamma1 - z;
        int at = CTildeBytes + (polynomial * 640);
        tampered[at] = (byte)field;
        tampered[at + 1] = (byte)(field >> 8);
        tampered[at + 2] = (byte)((tampered[at + 2] & 0xF0) | ((field >> 16) & 0x0F));

        Assert.False(Dilithium3Aes.Verify(DilithiumTestData.Arithmetic(arithmetic), pk, message, tampered));
    }

    public static TheoryData<string, int, int> ZTooLargeCases()
    {
        int bound = Dilithium3Aes.Gamma1 - Dilithium3Aes.Beta;
        var data = new TheoryData<string, int, int>();
        foreach (string name in DilithiumTestData.ArithmeticNames)
        {
            data.Add(name, 0, bound);
            data.Add(name, Dilithium3Aes.L - 1, -bound);
            data.Add(name, 2, Dilithium3Aes.Gamma1);
        }

        return data;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(Dilithium3Aes.SignatureSize - 1)]
    [InlineData(Dilithium3Aes.SignatureSize + 1)]
    public void Verify_WrongSignatureLength_ReturnsFalse(int length)
    {
        (byte[] pk, _, byte[] message, byte[] signature) = Valid.Value;
        byte[] resized = new byte[length];
        signature.AsSpan(0, Math.Min(length, signature.Length)).CopyTo(resized);

        Assert.False(Dilithium3Aes.Verify(pk, message, resized));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(Dilithium3Aes.PublicKeySize - 1)]
    [InlineData(Dilithium3Aes.PublicKeySize + 1)]
    public void Verify_WrongPublicKeyLength_ReturnsFalse(int length)
    {
        (byte[] pk, _, byte[] message, byte[] signature) = Valid.Value;
        byte[] resized = new byte[length];
        pk.AsSpan(0, Math.Min(length, pk.Length)).CopyTo(resized);

        Assert.False(Dilithium3Aes.Verify(resized, message, signature));
    }

    [Theory]
    [MemberData(nameof(DilithiumTestData.Arithmetics), MemberType = typeof(DilithiumTestData))]
    public void Verify_WrongMessage_ReturnsFalse(string arithmetic)
    {
        (byte[] pk, _, byte[] message, byte[] signature) = Valid.Value;
        PolyArithmetic path = DilithiumTestData.Arithmetic(arithmetic);

        Assert.False(Dilithium3Aes.Verify(path, pk, [.. message, 0], signature));
        Assert.False(Dilithium3Aes.Verify(path, pk, message.AsSpan(1), signature));
        Assert.False(Dilithium3Aes.Verify(path, pk, [], signature));
    }

    [Theory]
    [MemberData(nameof(DilithiumTestData.Arithmetics), MemberType = typeof(DilithiumTestData))]
    public void Verify_WrongKey_ReturnsFalse(string arithmetic)
    {
        (byte[] pk, _, byte[] message, byte[] signature) = Valid.Value;
        byte[] otherPk = new byte[Dilithium3Aes.PublicKeySize];
        Dilithium3Aes.GenerateKeyPair(new byte[32], otherPk, new byte[Dilithium3Aes.SecretKeySize]);
        byte[] flippedT1 = (byte[])pk.Clone();
        flippedT1[1000] ^= 0x10;

        Assert.False(Dilithium3Aes.Verify(DilithiumTestData.Arithmetic(arithmetic), otherPk, message, signature));
        Assert.False(Dilithium3Aes.Verify(DilithiumTestData.Arithmetic(arithmetic), flippedT1, message, signature));
    }

    [Fact]
    public void Verify_AllZeroOrAllOnes_ReturnsFalse()
    {
        (byte[] pk, _, byte[] message, _) = Valid.Value;

        Assert.False(Dilithium3Aes.Verify(pk, message, new byte[Dilithium3Aes.SignatureSize]));
        Assert.False(Dilithium3Aes.Verify(pk, message, Enumerable.Repeat((byte)0xFF, Dilithium3Aes.SignatureSize).ToArray()));
        Assert.False(Dilithium3Aes.Verify(new byte[Dilithium3Aes.PublicKeySize], message, new byte[Dilithium3Aes.SignatureSize]));
    }

    [Theory]
    [InlineData(31, Dilithium3Aes.PublicKeySize, Dilithium3Aes.SecretKeySize, "seed")]
    [InlineData(32, Dilithium3Aes.PublicKeySize - 1, Dilithium3Aes.SecretKeySize, "publicKey")]
    [InlineData(32, Dilithium3Aes.PublicKeySize, Dilithium3Aes.SecretKeySize + 1, "secretKey")]
    public void GenerateKeyPair_WrongLength_ThrowsArgumentException(int seed, int pk, int sk, string parameter)
    {
        var error = Assert.Throws<ArgumentException>(() => Dilithium3Aes.GenerateKeyPair(new byte[seed], new byte[pk], new byte[sk]));
        Assert.Equal(parameter, error.ParamName);
    }

    [Theory]
    [InlineData(Dilithium3Aes.SecretKeySize - 1, 0, Dilithium3Aes.SignatureSize, "secretKey")]
    [InlineData(Dilithium3Aes.SecretKeySize, 32, Dilithium3Aes.SignatureSize, "rhoPrime")]
    [InlineData(Dilithium3Aes.SecretKeySize, 64, Dilithium3Aes.SignatureSize - 1, "signature")]
    public void Sign_WrongLength_ThrowsArgumentException(int sk, int rhoPrime, int signature, string parameter)
    {
        byte[] secretKey = Valid.Value.Sk.AsSpan(0, Math.Min(sk, Dilithium3Aes.SecretKeySize)).ToArray();
        Array.Resize(ref secretKey, sk);

        var error = Assert.Throws<ArgumentException>(() =>
            Dilithium3Aes.Sign(secretKey, "m"u8, new byte[rhoPrime], new byte[signature]));
        Assert.Equal(parameter, error.ParamName);
        Assert.DoesNotContain(Convert.ToHexString(secretKey.AsSpan(32, 16)), error.Message, StringComparison.OrdinalIgnoreCase);
    }

    private static (byte[], byte[], byte[], byte[]) MakeValid()
    {
        byte[] pk = new byte[Dilithium3Aes.PublicKeySize];
        byte[] sk = new byte[Dilithium3Aes.SecretKeySize];
        byte[] signature = new byte[Dilithium3Aes.SignatureSize];
        Dilithium3Aes.GenerateKeyPair(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray(), pk, sk);
        for (int attempt = 0; ; attempt++)
        {
            byte[] message = BitConverter.GetBytes(attempt);
            Dilithium3Aes.Sign(sk, message, [], signature);
            if (HasTwoHintsInOnePolynomial(signature) && signature[^1] < Dilithium3Aes.Omega)
            {
                return (pk, sk, message, signature);
            }
        }
    }

    private static bool HasTwoHintsInOnePolynomial(byte[] signature)
    {
        int start = 0;
        for (int i = 0; i < Dilithium3Aes.K; i++)
        {
            int end = signature[HintOffset + Dilithium3Aes.Omega + i];
            if (end - start >= 2)
            {
                return true;
            }

            start = end;
        }

        return false;
    }
}
