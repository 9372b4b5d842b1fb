using System.Net.Http.Headers;
using System.Text;

namespace Coffer.Client.Http;

/// <summary>
/// Sends API requests the way the official client does: the app token header on every request, <c>content-type:
/// application/json</c> even without a body, the JWT as <c>Authorization: Bearer</c>. Routes are under <c>/api/v1</c>.
/// </summary>
internal sealed class ApiTransport(HttpClient http, Uri baseUrl, string appToken)
{
    public const string AppTokenHeader = "x-sentc-app-token";

    /// <summary>Acting as a member group (api.md §5.3): the group through which the user reaches the target group.</summary>
    public const string GroupAccessHeader = "x-sentc-group-access-id";
    private readonly string prefix = baseUrl.ToString().TrimEnd('/') + "/api/v1";
    private readonly string extensionPrefix = baseUrl.ToString().TrimEnd('/') + "/api/coffer/v1";

    public Uri BaseUrl { get; } = baseUrl;

    public Task<T> SendAsync<T>(HttpMethod method, string path, string? body, string? jwt, CancellationToken ct, string? groupAccessId = null) =>
        SendToAsync<T>(method, prefix + path, body, jwt, ct, groupAccessId);

    /// <summary>A request to one of Coffer's own endpoints (<c>/api/coffer/v1</c>, docs/openapi/coffer-extensions.yaml); same envelope.</summary>
    public Task<T> SendExtensionAsync<T>(HttpMethod method, string path, string? body, string? jwt, CancellationToken ct, string? groupAccessId = null) =>
        SendToAsync<T>(method, extensionPrefix + path, body, jwt, ct, groupAccessId);

    private async Task<T> SendToAsync<T>(HttpMethod method, string url, string? body, string? jwt, CancellationToken ct, string? groupAccessId)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.TryAddWithoutValidation(AppTokenHeader, appToken);
        if (jwt is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", jwt);
        }

        if (groupAccessId is not null)
        {
            request.Headers.TryAddWithoutValidation(GroupAccessHeader, groupAccessId);
        }

        request.Content = new StringContent(body ?? string.Empty, Encoding.UTF8, "application/json");

        try
        {
            using HttpResponseMessage response = await http.SendAsync(request, ct).ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            return ServerAnswer.Read<T>(text, response.StatusCode);
        }
        catch (HttpRequestException exception)
        {
            throw CofferException.FromSdk(SdkError.Network, exception.StatusCode, exception);
        }
    }
}
