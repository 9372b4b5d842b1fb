using System.Text;
using System.Text.Json;
using Coffer.Client.Tests.Infrastructure;
using static Coffer.Client.Tests.Groups.GroupTestUsers;

namespace Coffer.Client.Tests.Interop;

/// <summary>A user registered and logged in by the official client (its keys are made by the wasm), acting as the JS SDK does.</summary>
internal sealed class OfficialUser(OfficialClient wasm, RunningServer server, UserId userId, string jwt, JsonElement userKeys)
{
    private const string Password = "wasm password ✓";

    public UserId UserId { get; } = userId;

    private string BaseUrl => server.BaseUrl.ToString().TrimEnd('/');

    private string Token => server.Credentials.PublicToken;

    private JsonElement NewestUserKey => userKeys[0];

    public static async Task<OfficialUser> RegisterAsync(OfficialClient wasm, RunningServer server, string identifier)
    {
        string body = await wasm.CallStringAsync("prepare_register", identifier, Password);
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/register") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-sentc-app-token", server.Credentials.SecretToken);
        using HttpResponseMessage response = await http.SendAsync(request, Ct);
        UserId userId = OwnBackend.DoneRegister(await response.Content.ReadAsStringAsync(Ct)).UserId;
        JsonElement login = await wasm.CallAsync("login", server.BaseUrl.ToString().TrimEnd('/'), server.Credentials.PublicToken, identifier, Password);
        Assert.Equal(userId.Value, login.Str("id"));
        return new OfficialUser(wasm, server, userId, login.Str("jwt"), login.GetProperty("user_keys"));
    }

    /// <summary>Opens a group with the user's keys, or with <paramref name="keysOf"/> (a parent's keys, see <see cref="AsDecryptors"/>).</summary>
    public Task<JsonElement> OpenAsync(GroupId group, JsonElement? keysOf = null) =>
        wasm.CallAsync("driver.group_open", BaseUrl, Token, jwt, group.Value, keysOf ?? userKeys);

    /// <summary>
    /// Opens a group and verifies the keys signed by sign key <paramref name="signKeyId"/> with the verify key
    /// <paramref name="verifyKeyId"/> of <paramref name="owner"/> (the signer's own, or another user's to see it fail).
    /// </summary>
    public async Task<JsonElement> OpenVerifiedAsync(GroupId group, string signKeyId, UserId owner, string verifyKeyId)
    {
        string verifyKey = await wasm.CallStringAsync("user_extract_verify_key_data", await GetAsync($"/user/{owner.Value}/verify_key/{verifyKeyId}"));
        JsonElement verifyKeys = JsonSerializer.SerializeToElement(new Dictionary<string, string> { [signKeyId] = verifyKey });
        return await wasm.CallAsync("driver.group_open", BaseUrl, Token, jwt, group.Value, userKeys, verifyKeys);
    }

    /// <summary>An opened group's private keys in the shape driver.group_open takes for a child's keys.</summary>
    public static JsonElement AsDecryptors(JsonElement opened) => JsonSerializer.SerializeToElement(
        opened.GetProperty("keys").EnumerateArray()
            .Select(k => new Dictionary<string, string> { ["group_key_id"] = k.Str("id"), ["private_key"] = k.Str("private_key") })
            .ToList());

    /// <summary>A child group as the JS SDK makes it: keys for the parent's newest public key.</summary>
    public async Task<GroupId> CreateChildGroupAsync(GroupId parent, bool sign)
    {
        JsonElement opened = await OpenAsync(parent);
        return new(await wasm.CallStringAsync("group_create_child_group", BaseUrl, Token, jwt, opened.GetProperty("keys")[0].Str("public_key"),
            parent.Value, opened.GetProperty("rank").GetInt32(), null, sign ? NewestUserKey.Str("sign_key") : null, UserId.Value));
    }

    public async Task<GroupId> CreateGroupAsync(bool sign) => new(await wasm.CallStringAsync(
        "group_create_group", BaseUrl, Token, jwt, NewestUserKey.Str("public_key"), null, sign ? NewestUserKey.Str("sign_key") : null, UserId.Value));

    /// <summary>Invites a user; <paramref name="claimedRank"/> replaces the member's real rank in the wasm's own rank check.</summary>
    public async Task InviteAsync(GroupId group, UserId user, int? claimedRank = null)
    {
        JsonElement opened = await OpenAsync(group);
        await wasm.CallAsync("group_invite_user", BaseUrl, Token, jwt, group.Value, user.Value, opened.GetProperty("keys").GetArrayLength(), null,
            claimedRank ?? opened.GetProperty("rank").GetInt32(), false, false, false, await PublicKeyAsync(user), opened.Str("key_string"), null);
    }

    public async Task AcceptJoinRequestAsync(GroupId group, UserId user)
    {
        JsonElement opened = await OpenAsync(group);
        await wasm.CallAsync("group_accept_join_req", BaseUrl, Token, jwt, group.Value, user.Value, opened.GetProperty("keys").GetArrayLength(), null,
            opened.GetProperty("rank").GetInt32(), await PublicKeyAsync(user), opened.Str("key_string"), null);
    }

    /// <summary>Starts a key rotation as the JS SDK does (group_prepare_key_rotation with the newest group key, POST); returns the new key id.</summary>
    public async Task<string> KeyRotationAsync(GroupId group, bool sign = false) => await wasm.CallStringAsync(
        "driver.group_key_rotation", BaseUrl, Token, jwt, group.Value, userKeys, sign ? NewestUserKey.Str("sign_key") : null, UserId.Value);

    /// <summary>Finishes the pending rotations as the JS SDK does (group_pre_done_key_rotation, group_finish_key_rotation); returns the new key ids.</summary>
    public async Task<IReadOnlyList<string>> FinishKeyRotationAsync(GroupId group) =>
        [.. (await wasm.CallAsync("driver.group_finish_key_rotation", BaseUrl, Token, jwt, group.Value, userKeys)).EnumerateArray().Select(k => k.GetString()!)];

    /// <summary>The ids of the group keys the official client decrypts for this user, newest first.</summary>
    public async Task<IReadOnlyList<string>> KeyIdsAsync(GroupId group) =>
        [.. (await OpenAsync(group)).GetProperty("keys").EnumerateArray().Select(k => k.Str("id"))];

    public Task AcceptInviteAsync(GroupId group) => wasm.CallAsync("driver.group_accept_invite", BaseUrl, Token, jwt, group.Value);

    public Task SendJoinRequestAsync(GroupId group) => wasm.CallAsync("driver.group_join_request", BaseUrl, Token, jwt, group.Value);

    public Task KickAsync(GroupId group, UserId user) => wasm.CallAsync("driver.group_kick", BaseUrl, Token, jwt, group.Value, user.Value);

    /// <summary>Encrypts with the newest group key (the server lists keys newest first), signed with the newest user sign key.</summary>
    public async Task<string> EncryptAsync(GroupId group, string text, bool sign = false, JsonElement? keysOf = null)
    {
        string key = (await OpenAsync(group, keysOf)).GetProperty("keys")[0].Str("key");
        return await wasm.CallStringAsync("encrypt_string_symmetric", key, text, sign ? NewestUserKey.Str("sign_key") : null);
    }

    /// <summary>Decrypts with the key the head names; with a signer, checks the signature with the signer's verify key.</summary>
    public async Task<string> DecryptAsync(GroupId group, string data, UserId? signer = null, JsonElement? keysOf = null)
    {
        JsonElement head = await wasm.CallAsync("split_head_and_encrypted_string", data);
        string key = (await OpenAsync(group, keysOf)).GetProperty("keys").EnumerateArray().Single(k => k.Str("id") == head.Str("id")).Str("key");
        string? verifyKey = null;
        if (signer is { } signerId)
        {
            string signKeyId = head.GetProperty("sign").Str("id");
            verifyKey = await wasm.CallStringAsync("user_extract_verify_key_data", await GetAsync($"/user/{signerId.Value}/verify_key/{signKeyId}"));
        }

        return await wasm.CallStringAsync("decrypt_string_symmetric", key, data, verifyKey);
    }

    private async Task<string> PublicKeyAsync(UserId user) =>
        (await wasm.CallAsync("user_extract_public_key_data", await GetAsync($"/user/{user.Value}/public_key"))).Str("public_key");

    private async Task<string> GetAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1" + path) { Content = new StringContent("", Encoding.UTF8, "application/json") };
        request.Headers.Add("x-sentc-app-token", Token);
        using HttpResponseMessage response = await http.SendAsync(request, Ct);
        return await response.Content.ReadAsStringAsync(Ct);
    }
}
