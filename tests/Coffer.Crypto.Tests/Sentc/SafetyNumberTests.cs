using Coffer.Crypto.Sentc;

namespace Coffer.Crypto.Tests.Sentc;

/// <summary><c>safety-number-and-pk-verify.json</c>.</summary>
public class SafetyNumberTests
{
    private const string File = "safety-number-and-pk-verify.json";

    public static TheoryData<int> Numbers => SentcVectors.Indexes(File, "safety_numbers");

    public static TheoryData<int> Verifications => SentcVectors.Indexes(File, "public_key_verification");

    [Theory]
    [MemberData(nameof(Numbers))]
    public void Compute_Vectors_MatchWasm(int index)
    {
        var c = SentcVectors.At(File, "safety_numbers", index);
        var keys = SentcVectors.At(File, "verify_keys");
        string user1 = c.Str("user_1");
        VerifyKey key1 = UserVerifyKeyData.Parse(keys.Str(user1));
        string? user2 = c.GetProperty("user_2").GetString();
        string number = user2 is null
            ? SafetyNumber.Compute(key1, user1)
            : SafetyNumber.Compute(key1, user1, UserVerifyKeyData.Parse(keys.Str(user2)), user2);
        Assert.Equal(c.Str("number"), number);
    }

    [Theory]
    [MemberData(nameof(Verifications))]
    public void VerifySignature_PublicKeyVerificationCases_MatchWasmResult(int index)
    {
        var c = SentcVectors.At(File, "public_key_verification", index);
        UserPublicKeyData publicKey = UserPublicKeyData.Parse(c.Str("public_key_data"));
        VerifyKey verifyKey = UserVerifyKeyData.Parse(c.Str("verify_key_data"));
        Assert.Equal(c.GetProperty("result").GetBoolean(), publicKey.VerifySignature(verifyKey));
        Assert.Equal(c.Str("public_key_data"), publicKey.ToJson());
    }
}
