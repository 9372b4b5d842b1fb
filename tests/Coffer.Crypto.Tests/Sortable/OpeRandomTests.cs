using System.Buffers.Binary;
using System.Security.Cryptography;
using Coffer.Crypto.Sortable;

namespace Coffer.Crypto.Tests.Sortable;

public class OpeRandomTests
{
    private static readonly byte[] Key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)] // first block of the second batch
    [InlineData(200)]
    public void Keystream_Block_IsAesOfLittleEndianIndex(int index)
    {
        using var keystream = new OpeKeystream(Key);
        using var aes = Aes.Create();
        aes.Key = Key;
        byte[] counter = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(counter, (ulong)index);

        byte[] expected = aes.EncryptEcb(counter, PaddingMode.None);

        Assert.Equal(expected, keystream.Block(index).ToArray());
    }

    [Fact]
    public void NextModulo_IncrementsCounterLittleEndianWithCarryThenXorsKeystream()
    {
        using var keystream = new OpeKeystream(Key);
        var random = new OpeRandom(keystream);
        byte[] seed = new byte[16];
        seed[0] = 0xFF;
        seed[1] = 0xFF; // +1 carries into byte 2: 00 00 01 00 …
        random.SetCounter(seed);

        // max = 2^16 has 17 bits: 17/8 + 1 = 3 bytes, read big-endian.
        ulong value = random.NextModulo(1UL << 16);

        ReadOnlySpan<byte> ks = keystream.Block(0);
        ulong expected = ((ulong)(byte)(0x00 ^ ks[0]) << 16) | ((ulong)(byte)(0x00 ^ ks[1]) << 8) | (byte)(0x01 ^ ks[2]);
        Assert.Equal(expected % (1UL << 16), value);
    }

    [Fact]
    public void SetCounter_DoesNotRewindKeystream()
    {
        using var keystream = new OpeKeystream(Key);
        var random = new OpeRandom(keystream);
        byte[] seed = new byte[16];
        random.SetCounter(seed);
        ulong first = random.NextModulo(ulong.MaxValue >> 8);
        random.SetCounter(seed);
        ulong second = random.NextModulo(ulong.MaxValue >> 8);

        Assert.NotEqual(first, second); // same counter, next keystream block
        Assert.Equal(2, random.Position);
    }

    [Fact]
    public void NextUnit_IsModuloOverPowerOfTwo()
    {
        using var keystream = new OpeKeystream(Key);
        var a = new OpeRandom(keystream);
        var b = new OpeRandom(keystream);

        Assert.Equal(b.NextModulo(1UL << 43) / 8796093022208.0, a.NextUnit(43));
    }
}
