using System.Text.Json;
using Coffer.Server.Features.Users;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Users;

public sealed class UserRulesTests
{
    public static TheoryData<string, string, string> SaltExamples()
    {
        using JsonDocument vector = Bodies.Argon2Vector();
        var data = new TheoryData<string, string, string>();
        foreach (JsonElement example in vector.RootElement.GetProperty("salt_function_examples").EnumerateArray())
        {
            data.Add(example.GetProperty("add_str").GetString()!, example.GetProperty("client_random_value_b64").GetString()!,
                example.GetProperty("salt_b64").GetString()!);
        }

        return data;
    }

    [Theory, MemberData(nameof(SaltExamples))]
    public void Salt_MatchesTheVectors(string addStr, string clientRandomValue, string expected) =>
        Assert.Equal(expected, Convert.ToBase64String(UserRules.Salt(Convert.FromBase64String(clientRandomValue), addStr)));

    [Fact]
    public void AuthKeyMatches_OfficialRegistration()
    {
        JsonElement derived = Bodies.RegisterDerived;
        string stored = derived.GetProperty("hashed_authentication_key_b64").GetString()!;
        Assert.True(UserRules.AuthKeyMatches(derived.GetProperty("auth_key_b64").GetString()!, stored));
        Assert.False(UserRules.AuthKeyMatches(Convert.ToBase64String(new byte[32]), stored));
        Assert.Null(UserRules.AuthKeyMatches(Convert.ToBase64String(new byte[31]), stored));
        Assert.Null(UserRules.AuthKeyMatches("not base64", stored));
        Assert.False(UserRules.AuthKeyMatches(derived.GetProperty("auth_key_b64").GetString()!, null));
        Assert.False(UserRules.AuthKeyMatches(derived.GetProperty("auth_key_b64").GetString()!, "not base64"));
    }
}
