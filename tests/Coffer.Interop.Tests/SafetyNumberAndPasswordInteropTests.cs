using Coffer.Crypto;
using Coffer.Crypto.Password;
using Coffer.Crypto.Sentc;

namespace Coffer.Interop.Tests;

/// <summary>
/// Values both sides compute independently and users compare: safety numbers (crypto-std.md §13), and the keys
/// derived from a password (§8), which must match for a user to log in from either client.
/// </summary>
public class SafetyNumberAndPasswordInteropTests(OfficialClient wasm) : IClassFixture<OfficialClient>
{
    public static TheoryData<string, string> UserIdPairs => new()
    {
        { "user_alice", "user_bob" },
        { "user_bob", "user_alice" },
        { "ünïcödé_😀", "user_zed" },
        { "same_id", "same_id" },
    };

    [Theory]
    [InlineData("user_alice")]
    [InlineData("ünïcödé_😀")]
    public async Task SafetyNumber_OneUser_IdenticalToWasm(string userId)
    {
        (SignKey signKey, VerifyKey verifyKey) = Keys.SignPair("usk_1");
        using (signKey)
        {
            string wasmNumber = await wasm.CallStringAsync("user_create_safety_number", Keys.VerifyKeyData(verifyKey), userId, null, null);

            Assert.Equal(wasmNumber, SafetyNumber.Compute(verifyKey, userId));
        }
    }

    [Theory]
    [MemberData(nameof(UserIdPairs))]
    public async Task SafetyNumber_TwoUsers_IdenticalToWasmFromBothSides(string userIdA, string userIdB)
    {
        (SignKey signA, VerifyKey verifyA) = Keys.SignPair("usk_a");
        (SignKey signB, VerifyKey verifyB) = Keys.SignPair("usk_b");
        using (signA)
        using (signB)
        {
            string fromA = await wasm.CallStringAsync(
                "user_create_safety_number", Keys.VerifyKeyData(verifyA), userIdA, Keys.VerifyKeyData(verifyB), userIdB);
            string fromB = await wasm.CallStringAsync(
                "user_create_safety_number", Keys.VerifyKeyData(verifyB), userIdB, Keys.VerifyKeyData(verifyA), userIdA);

            Assert.Equal(fromA, SafetyNumber.Compute(verifyA, userIdA, verifyB, userIdB));
            Assert.Equal(fromB, SafetyNumber.Compute(verifyB, userIdB, verifyA, userIdA));
        }
    }

    [Fact]
    public async Task PrepareRegister_WasmBody_CSharpPasswordKeysMatchAndOpenTheMasterKey()
    {
        using WasmUser user = await WasmUser.RegisterAsync(wasm, "password_user");
        var derived = user.Body.GetProperty("device").GetProperty("derived");

        Assert.Equal(PasswordKeys.AlgorithmId, derived.Str("derived_alg"));
        Assert.Equal(derived.B64("hashed_authentication_key"), user.PasswordKeys.HashedAuthKey);
        Assert.Equal(user.UserPublic, user.UserPrivate.GetPublicKey());
    }

    [Fact]
    public async Task Login_WasmDerivesFromServerSalt_SameAuthKeyAndMasterKeyEncryptionKeyAsCSharp()
    {
        byte[] salt = PasswordKeys.Salt(Convert.FromBase64String("jOXkMOBZFaP5JyXO9izKGg=="));
        string baseUrl = await wasm.StartCaptureServerAsync();
        await wasm.RespondAsync("POST", "/api/v1/prepare_login",
            $$$"""{"status":true,"result":{"salt_string":"{{{Convert.ToBase64String(salt)}}}","derived_encryption_key_alg":"ARGON-2-SHA256"}}""");
        // "Otp" (TOTP enabled) makes login() return the keys it derived instead of going on with the login.
        await wasm.RespondAsync("POST", "/api/v1/done_login", """{"status":true,"result":"Otp"}""");
        await wasm.TakeCapturedAsync();

        var login = await wasm.CallAsync("login", baseUrl, "app_token", "alice", WasmUser.Password);

        using PasswordKeys ours = PasswordKeys.Derive(WasmUser.Password, salt);
        Assert.Equal(ours.AuthKeyBase64, login.Str("mfa_auth_key"));
        Assert.Equal($$"""{"Argon2":"{{Convert.ToBase64String(ours.MasterKeyEncryptionKey.ExportRaw())}}"}""", login.Str("mfa_master_key"));
        var requests = await wasm.TakeCapturedAsync();
        Assert.Equal(ours.AuthKeyBase64, requests.Single(r => r.Path == "/api/v1/done_login").Json.Str("auth_key"));
    }
}
