using System.Text.Json;
using System.Text.Json.Nodes;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>Request bodies; the register body is exactly what sentc_wasm 0.15 sends (shared vectors).</summary>
public static class Bodies
{
    private static readonly Lazy<JsonDocument> RegisterVector = new(() => JsonDocument.Parse(File.ReadAllText(
        Path.Combine(VectorFolder(), "sentc-wasm-0.15", "register.json"))));

    /// <summary>The official client's register body (identifier "alice").</summary>
    public static string OfficialRegisterBody => RegisterVector.Value.RootElement.GetProperty("register_body").GetString()!;

    public static JsonElement RegisterDerived => RegisterVector.Value.RootElement.GetProperty("derived");

    public static JsonDocument Argon2Vector() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(VectorFolder(), "sentc-wasm-0.15", "argon2.json")));

    /// <summary>The official register body with another identifier (the blobs stay byte-exact).</summary>
    public static string Register(string identifier)
    {
        JsonNode body = JsonNode.Parse(OfficialRegisterBody)!;
        body["device"]!["device_identifier"] = identifier;
        return body.ToJsonString();
    }

    /// <summary>The official register body with one field of the user group removed.</summary>
    public static string RegisterWithout(string identifier, string groupField)
    {
        JsonNode body = JsonNode.Parse(Register(identifier))!;
        body["group"]!.AsObject().Remove(groupField);
        return body.ToJsonString();
    }

    /// <summary>The device part of the official register body (UserDeviceRegisterInput) with another identifier.</summary>
    public static string Device(string identifier)
    {
        JsonNode device = JsonNode.Parse(Register(identifier))!["device"]!;
        return device.ToJsonString();
    }

    /// <summary>A done_register_device body giving the new device one copy per user key.</summary>
    public static string DoneDevice(string token, IEnumerable<string> keyIds, bool keySession = false, int? rank = null) =>
        new JsonObject
        {
            ["user_keys"] = new JsonObject
            {
                ["keys"] = Keys(keyIds),
                ["rank"] = rank,
                ["key_session"] = keySession,
            },
            ["token"] = token,
        }.ToJsonString();

    /// <summary>GroupKeysForNewMember entries with opaque ciphertexts named after the key.</summary>
    public static JsonArray Keys(IEnumerable<string> keyIds) =>
        [.. keyIds.Select(id => (JsonNode)new JsonObject
        {
            ["encrypted_group_key"] = "enc-for-new-device-" + id,
            ["alg"] = "AES-GCM-256",
            ["encrypted_alg"] = "ECIES-ed25519_KYBER_768",
            ["key_id"] = id,
            ["user_public_key_id"] = "the-new-device",
        })];

    /// <summary>The auth key of the vector's password (every test device is made from the official register body).</summary>
    public static string AuthKey => RegisterDerived.GetProperty("auth_key_b64").GetString()!;

    public static string DoneLogin(string identifier, string? authKey = null) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["auth_key"] = authKey ?? AuthKey, ["device_identifier"] = identifier });

    public static string VerifyLogin(string identifier, string challenge, string? authKey = null) =>
        JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["auth_key"] = authKey ?? AuthKey, ["device_identifier"] = identifier, ["challenge"] = challenge,
        });

    public static string Otp(string identifier, string token) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["token"] = token, ["auth_key"] = AuthKey, ["device_identifier"] = identifier });

    /// <summary>The vector's device private key (hybrid X25519 ‖ Kyber-768).</summary>
    public static Coffer.Crypto.PrivateKey DevicePrivateKey(string keyId)
    {
        JsonElement key = RegisterDerived.GetProperty("device_private_key");
        byte[] raw = [.. Convert.FromBase64String(key.GetProperty("x_b64").GetString()!), .. Convert.FromBase64String(key.GetProperty("k_b64").GetString()!)];
        return Coffer.Crypto.PrivateKey.Import(Coffer.Crypto.EncryptionAlgorithm.FromId("ECIES-ed25519_KYBER_768"), raw, keyId);
    }

    /// <summary>Decrypts the challenge of a DoneLoginServerOutput with the device private key, as the client does.</summary>
    public static string DecryptChallenge(JsonElement doneLoginOutput)
    {
        string deviceId = doneLoginOutput.GetProperty("device_keys").GetProperty("device_id").GetString()!;
        using Coffer.Crypto.PrivateKey key = DevicePrivateKey(deviceId);
        byte[] plain = key.Decrypt(Convert.FromBase64String(doneLoginOutput.GetProperty("challenge").GetString()!));
        return System.Text.Encoding.UTF8.GetString(plain);
    }

    public static string Identifier(string identifier) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["user_identifier"] = identifier });

    public static string RefreshToken(string token) =>
        JsonSerializer.Serialize(new Dictionary<string, string> { ["refresh_token"] = token });

    /// <summary>
    /// <c>COFFER_VECTORS</c>, or <c>shared/vectors</c> next to the repository (as in Coffer.Crypto.Tests) or next to
    /// one of its parent folders (a git worktree such as <c>/work/wt/server</c> sits one level deeper).
    /// </summary>
    public static string VectorFolder()
    {
        string? fromEnv = Environment.GetEnvironmentVariable("COFFER_VECTORS");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Coffer.slnx")))
            {
                for (DirectoryInfo? up = dir.Parent; up is not null; up = up.Parent)
                {
                    string candidate = Path.Combine(up.FullName, "shared", "vectors");
                    if (Directory.Exists(candidate))
                    {
                        return candidate;
                    }
                }

                throw new DirectoryNotFoundException("No shared/vectors folder above the repository; set COFFER_VECTORS.");
            }
        }

        throw new DirectoryNotFoundException("Cannot find the repository root (Coffer.slnx) above the test binary.");
    }
}
