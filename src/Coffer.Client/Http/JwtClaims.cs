using System.Buffers.Text;
using System.Text.Json;

namespace Coffer.Client.Http;

/// <summary>
/// The claims the SDK reads from a user JWT (api.md §2.3): expiry and freshness. The SDK does not verify the
/// signature — the server does, on every request; the client only decides when to refresh.
/// </summary>
internal sealed record JwtClaims(string UserId, string DeviceId, long ExpiresAt, bool Fresh)
{
    public static JwtClaims Read(string jwt)
    {
        string[] parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            throw CofferException.FromSdk(SdkError.JwtInvalid);
        }

        try
        {
            byte[] payload = Base64Url.DecodeFromChars(parts[1]);
            using JsonDocument document = JsonDocument.Parse(payload);
            JsonElement root = document.RootElement;
            return new JwtClaims(
                root.GetProperty("aud").GetString() ?? string.Empty,
                root.GetProperty("sub").GetString() ?? string.Empty,
                root.GetProperty("exp").GetInt64(),
                root.TryGetProperty("fresh", out JsonElement fresh) && fresh.ValueKind == JsonValueKind.True);
        }
        catch (Exception exception) when (exception is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw CofferException.FromSdk(SdkError.JwtInvalid, inner: exception);
        }
    }
}
