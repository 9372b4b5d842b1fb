using System.Net;
using System.Text.Json;

namespace Coffer.Client.Http;

/// <summary>
/// Reads the response envelope (api.md §1.3): <c>{"status":true,"result":…}</c> gives the result,
/// <c>{"status":false,"err_code":N,"err_msg":…}</c> becomes a <see cref="CofferException"/> with <c>server_N</c>.
/// Success is decided by <c>status</c> only, as the official client does.
/// </summary>
internal static class ServerAnswer
{
    public static T Read<T>(string text, HttpStatusCode? status = null)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException exception)
        {
            throw CofferException.FromSdk(SdkError.ResponseInvalid, status, exception);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("status", out JsonElement ok)
                || ok.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw CofferException.FromSdk(SdkError.ResponseInvalid, status);
            }

            if (ok.ValueKind == JsonValueKind.False)
            {
                int code = root.TryGetProperty("err_code", out JsonElement c) && c.TryGetInt32(out int n) ? n : 0;
                string message = root.TryGetProperty("err_msg", out JsonElement m) && m.ValueKind == JsonValueKind.String
                    ? m.GetString()!
                    : "The server reported an error.";
                throw CofferException.FromServer(code, message, status);
            }

            return root.TryGetProperty("result", out JsonElement result)
                ? ClientJson.Read<T>(result)
                : throw CofferException.FromSdk(SdkError.ResponseInvalid, status);
        }
    }
}
