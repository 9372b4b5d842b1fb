using System.Text;
using Coffer.Crypto.Password;

namespace Coffer.Crypto.Tests.Password;

/// <summary><c>argon2.json</c>: every case is derived here and compared with what the official client derived.</summary>
public class PasswordKeysTests
{
    public static TheoryData<int> Cases => SentcVectors.Indexes("argon2.json", "cases");

    public static TheoryData<int> CustomSaltCases => SentcVectors.Indexes("argon2.json", "custom_salt_cases");

    public static TheoryData<int> SaltExamples => SentcVectors.Indexes("argon2.json", "salt_function_examples");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Derive_Argon2Json_MatchesWasmHalvesAndDecryptsMasterKey(int index)
    {
        var c = SentcVectors.At("argon2.json", "cases", index);
        Assert.Equal(c.Hex("password_utf8_hex"), Encoding.UTF8.GetBytes(c.Str("password")));

        byte[] salt = PasswordKeys.Salt(c.B64("client_random_value_b64"));
        Assert.Equal(c.B64("salt_b64"), salt);

        using PasswordKeys keys = PasswordKeys.Derive(c.Str("password"), salt);
        byte[] output = c.Hex("argon2_output_64_hex");
        Assert.Equal(output[..32], keys.MasterKeyEncryptionKey.ExportRaw());
        Assert.Equal(Convert.ToBase64String(output[32..]), keys.AuthKeyBase64);
        Assert.Equal(c.Str("auth_key_b64"), keys.AuthKeyBase64);
        Assert.Equal(c.Str("wasm_done_login_auth_key"), keys.AuthKeyBase64);
        Assert.Equal(c.B64("hashed_authentication_key_b64"), keys.HashedAuthKey);
        Assert.Contains(Convert.ToBase64String(keys.MasterKeyEncryptionKey.ExportRaw()), c.Str("wasm_mfa_master_key"));

        using SymmetricKey master = keys.MasterKeyEncryptionKey.UnwrapSymmetricKey(c.B64("encrypted_master_key_b64"), "");
        Assert.Equal(c.B64("master_key_b64"), master.ExportRaw());
    }

    [Theory]
    [MemberData(nameof(CustomSaltCases))]
    public void Derive_CustomSalt_MatchesWasm(int index)
    {
        var c = SentcVectors.At("argon2.json", "custom_salt_cases", index);
        using PasswordKeys keys = PasswordKeys.Derive(c.Str("password"), c.B64("salt_b64"));
        byte[] output = c.Hex("argon2_output_64_hex");
        Assert.Equal(output[..32], keys.MasterKeyEncryptionKey.ExportRaw());
        Assert.Equal(c.Str("wasm_auth_key"), keys.AuthKeyBase64);
    }

    [Theory]
    [MemberData(nameof(SaltExamples))]
    public void Salt_Examples_MatchSaltFunction(int index)
    {
        var c = SentcVectors.At("argon2.json", "salt_function_examples", index);
        Assert.Equal(c.B64("salt_b64"), PasswordKeys.Salt(c.B64("client_random_value_b64"), c.Str("add_str")));
    }

    [Fact]
    public void AuthKeyHash_Matches_OnlyTheRightKey()
    {
        byte[] authKey = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        byte[] stored = AuthKeyHash.Compute(authKey);
        Assert.Equal(16, stored.Length);
        Assert.True(AuthKeyHash.Matches(authKey, stored));

        authKey[31] ^= 1;
        Assert.False(AuthKeyHash.Matches(authKey, stored));
        Assert.False(AuthKeyHash.Matches(authKey.AsSpan(0, 31), stored));
    }
}
