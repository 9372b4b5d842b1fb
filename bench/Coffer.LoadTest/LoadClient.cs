using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Coffer.LoadTest;

/// <summary>One answer: HTTP status, the envelope's status and error code, and the parsed body (null when not JSON).</summary>
public sealed record Answer(HttpStatusCode Status, bool Ok, int ErrCode, JsonDocument? Body) : IDisposable
{
    public JsonElement Result => Body!.RootElement.GetProperty("result");

    /// <summary>How a failed answer is counted in the report.</summary>
    public string ErrorKind => $"HTTP {(int)Status} err_code {ErrCode}";

    public void Dispose() => Body?.Dispose();
}

/// <summary>
/// HttpClient over a socket handler that connects only to loopback addresses (checked on every new connection, after
/// name resolution), with one connection per worker and a per-request timeout.
/// </summary>
public sealed class LoadClient : IDisposable
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient http;
    private readonly Uri apiBase;

    public LoadClient(Uri apiBase, int connections)
    {
        this.apiBase = apiBase;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectCallback = ConnectLoopbackAsync,
        };
        http = new HttpClient(handler) { Timeout = RequestTimeout };
    }

    public async Task<Answer> SendAsync(HttpMethod method, string path, string? body, string appToken, string? jwt, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(apiBase, path));
        request.Headers.TryAddWithoutValidation("x-sentc-app-token", appToken);
        if (jwt is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + jwt);
        }

        request.Content = new StringContent(body ?? "", Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.SendAsync(request, ct);
        byte[] bytes = await response.Content.ReadAsByteArrayAsync(ct);
        JsonDocument? doc;
        try
        {
            doc = JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            return new Answer(response.StatusCode, false, 0, null);
        }

        JsonElement root = doc.RootElement;
        bool ok = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out JsonElement status) && status.ValueKind == JsonValueKind.True;
        int code = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("err_code", out JsonElement c) && c.TryGetInt32(out int v) ? v : 0;
        return new Answer(response.StatusCode, ok, code, doc);
    }

    /// <summary>Polls the server (any HTTP answer counts) until it answers or <paramref name="wait"/> has passed; at most 240 tries.</summary>
    public async Task<bool> WaitForServerAsync(TimeSpan wait, CancellationToken ct)
    {
        DateTime deadline = DateTime.UtcNow + wait;
        for (int attempt = 0; attempt < 240; attempt++)
        {
            try
            {
                using HttpResponseMessage _ = await http.GetAsync(apiBase, ct);
                return true;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>A request without the platform envelope (the chat's API): status, body bytes.</summary>
    public async Task<(HttpStatusCode Status, byte[] Body)> SendPlainAsync(HttpMethod method, Uri url, string? body, string jwt, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + jwt);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using HttpResponseMessage response = await http.SendAsync(request, ct);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(ct));
    }

    public void Dispose() => http.Dispose();

    /// <summary>A handler for WebSocket upgrades (one connection each) with the same loopback-only connect check.</summary>
    public static SocketsHttpHandler LoopbackWebSocketHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectCallback = ConnectLoopbackAsync,
        ConnectTimeout = RequestTimeout,
    };

    private static async ValueTask<Stream> ConnectLoopbackAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        IPAddress[] addresses = IPAddress.TryParse(context.DnsEndPoint.Host.Trim('[', ']'), out IPAddress? literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
        IPAddress address = addresses.FirstOrDefault(IPAddress.IsLoopback)
            ?? throw new HttpRequestException($"{context.DnsEndPoint.Host} does not resolve to a loopback address; refusing to connect.");
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
