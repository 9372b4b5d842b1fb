using System.Net;
using System.Text.Json;
using Coffer.Server.Features.Mfa;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Mfa;

public sealed class MfaTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task RegisterOtp_ReturnsSecretAndSixCodes_RecoveryKeysReturnsThem(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer answer = await app.SendAsync(new HttpMethod("PATCH"), "/user/register_otp", jwt: alice.Jwt);
        Assert.True(answer.Ok, answer.Text);
        Assert.Equal(["secret", "alg", "recover"], answer.Result.EnumerateObject().Select(p => p.Name));
        Assert.Equal("totp_sha256", answer.Result.GetProperty("alg").GetString());
        Assert.Matches("^[A-Z2-7]{52}$", answer.Result.GetProperty("secret").GetString()!);
        string[] codes = [.. answer.Result.GetProperty("recover").EnumerateArray().Select(c => c.GetString()!)];
        Assert.Equal(6, codes.Distinct().Count());

        ApiAnswer keys = await app.SendAsync(HttpMethod.Get, "/user/otp_recovery_keys", jwt: alice.Jwt);
        Assert.Equal(codes.Order(StringComparer.Ordinal), keys.Result.GetProperty("keys").EnumerateArray().Select(c => c.GetString()!).Order(StringComparer.Ordinal));
    }

    [Theory, Databases]
    public async Task ResetOtp_ReplacesSecretAndCodes(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        JsonElement first = (await app.SendAsync(new HttpMethod("PATCH"), "/user/register_otp", jwt: alice.Jwt)).Result;
        JsonElement second = (await app.SendAsync(new HttpMethod("PATCH"), "/user/reset_otp", jwt: alice.Jwt)).Result;
        Assert.NotEqual(first.GetProperty("secret").GetString(), second.GetProperty("secret").GetString());
        ApiAnswer keys = await app.SendAsync(HttpMethod.Get, "/user/otp_recovery_keys", jwt: alice.Jwt);
        Assert.Equal(
            second.GetProperty("recover").EnumerateArray().Select(c => c.GetString()!).Order(StringComparer.Ordinal),
            keys.Result.GetProperty("keys").EnumerateArray().Select(c => c.GetString()!).Order(StringComparer.Ordinal));
    }

    [Theory, Databases]
    public async Task DisableOtp_RemovesTheCodes(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        await app.SendAsync(new HttpMethod("PATCH"), "/user/register_otp", jwt: alice.Jwt);
        Assert.Equal("""{"status":true,"result":"Success"}""", (await app.SendAsync(new HttpMethod("PATCH"), "/user/disable_otp", jwt: alice.Jwt)).Text);
        Assert.Empty((await app.SendAsync(HttpMethod.Get, "/user/otp_recovery_keys", jwt: alice.Jwt)).Result.GetProperty("keys").EnumerateArray());
    }

    [Theory, Databases]
    public async Task OtpManagement_NeedsAFreshJwt(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice", fresh: false);
        foreach ((HttpMethod method, string path) in new[]
        {
            (new HttpMethod("PATCH"), "/user/register_otp"), (new HttpMethod("PATCH"), "/user/reset_otp"),
            (new HttpMethod("PATCH"), "/user/disable_otp"), (HttpMethod.Get, "/user/otp_recovery_keys"),
        })
        {
            ApiAnswer answer = await app.SendAsync(method, path, jwt: alice.Jwt);
            Assert.Equal((HttpStatusCode.Unauthorized, 113), (answer.Status, answer.ErrCode));
        }
    }

    [Theory]
    [InlineData(59, "119246")]
    [InlineData(1111111109, "084774")]
    [InlineData(1111111111, "062674")]
    [InlineData(1234567890, "819424")]
    [InlineData(2000000000, "698825")]
    [InlineData(20000000000, "737706")]
    public void Totp_MatchesRfc6238Sha256Vectors(long time, string expected)
    {
        // RFC 6238 appendix B, SHA-256 key "12345678901234567890123456789012"; the 6-digit code is the 8-digit code mod 10^6.
        byte[] key = "12345678901234567890123456789012"u8.ToArray();
        Assert.Equal(expected, MfaRules.Totp(key, time / 30));
        Assert.True(MfaRules.VerifyTotp(MfaRules.Base32(key), expected, time));
    }

    [Fact]
    public void VerifyTotp_AllowsOneStepOfSkewOnly()
    {
        string secret = MfaRules.NewSecret();
        byte[] key = MfaRules.FromBase32(secret)!;
        const long now = 1_700_000_000;
        Assert.True(MfaRules.VerifyTotp(secret, MfaRules.Totp(key, now / 30 - 1), now));
        Assert.True(MfaRules.VerifyTotp(secret, MfaRules.Totp(key, now / 30 + 1), now));
        Assert.False(MfaRules.VerifyTotp(secret, MfaRules.Totp(key, now / 30 + 2), now));
        Assert.False(MfaRules.VerifyTotp(secret, "12345", now));
        Assert.False(MfaRules.VerifyTotp("not base32!", "123456", now));
    }

    [Fact]
    public void Base32_MatchesRfc4648Vectors()
    {
        Assert.Equal("", MfaRules.Base32(""u8));
        Assert.Equal("MY", MfaRules.Base32("f"u8));
        Assert.Equal("MZXW6YQ", MfaRules.Base32("foob"u8));
        Assert.Equal("MZXW6YTBOI", MfaRules.Base32("foobar"u8));
        Assert.Equal("foobar"u8.ToArray(), MfaRules.FromBase32("MZXW6YTBOI======"));
    }
}
