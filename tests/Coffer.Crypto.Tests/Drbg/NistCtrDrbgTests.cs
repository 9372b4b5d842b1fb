namespace Coffer.Crypto.Tests.Drbg;

public class NistCtrDrbgTests
{
    [Fact]
    public void Generate_MasterSeedFirstCall_MatchesFirstKatSeed()
    {
        byte[] entropy = new byte[48];
        for (int i = 0; i < entropy.Length; i++)
        {
            entropy[i] = (byte)i;
        }

        using var master = new NistCtrDrbg(entropy);
        byte[] first = new byte[48];
        master.Generate(first);
        byte[] second = new byte[48];
        master.Generate(second);

        Assert.Equal(
            "061550234D158C5EC95595FE04EF7A25767F2E24CC2BC479D09D86DC9ABCFDE7056A8C266F9EF97ED08541DBD2E1FFA1",
            Convert.ToHexString(first));
        Assert.StartsWith("D81C4D8D734FCBFB", Convert.ToHexString(second), StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_KemCountZeroSeed_GivesReadmeDzAndM()
    {
        using var drbg = new NistCtrDrbg(Convert.FromHexString(
            "061550234D158C5EC95595FE04EF7A25767F2E24CC2BC479D09D86DC9ABCFDE7056A8C266F9EF97ED08541DBD2E1FFA1"));
        byte[] d = new byte[32], z = new byte[32], m = new byte[32];
        drbg.Generate(d);
        drbg.Generate(z);
        drbg.Generate(m);

        Assert.Equal("7C9935A0B07694AA0C6D10E4DB6B1ADD2FD81A25CCB148032DCD739936737F2D", Convert.ToHexString(d));
        Assert.Equal("8626ED79D451140800E03B59B956F8210E556067407D13DC90FA9E8B872BFB8F", Convert.ToHexString(z));
        Assert.Equal("147C03F7A5BEBBA406C8FAE1874D7F13C80EFE79A3A9A874CC09FE76F6997615", Convert.ToHexString(m));
    }

    [Fact]
    public void Generate_SplitCalls_DifferFromOneLongCall()
    {
        byte[] seed = new byte[48];
        using var a = new NistCtrDrbg(seed);
        using var b = new NistCtrDrbg(seed);
        byte[] whole = new byte[64];
        a.Generate(whole);
        byte[] first = new byte[32], second = new byte[32];
        b.Generate(first);
        b.Generate(second);

        Assert.Equal(whole.AsSpan(0, 32).ToArray(), first);
        Assert.NotEqual(whole.AsSpan(32).ToArray(), second);
    }

    [Fact]
    public void Constructor_WrongSeedLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => new NistCtrDrbg(new byte[32]));
    }
}
