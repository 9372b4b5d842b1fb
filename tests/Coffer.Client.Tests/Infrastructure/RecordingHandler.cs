using System.Net;
using System.Text;

namespace Coffer.Client.Tests.Infrastructure;

/// <summary>
/// For unit tests of the requests the SDK sends (method, path, headers, body): records each request and answers
/// with a canned envelope. Not a server: end-to-end tests use <see cref="RunningServer"/>.
/// </summary>
public sealed class RecordingHandler(Func<HttpRequestMessage, string> answer) : HttpMessageHandler
{
    public List<(HttpMethod Method, string Path, string? Authorization, string? AppToken, string Body)> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add((request.Method, request.RequestUri!.AbsolutePath, request.Headers.Authorization?.ToString(),
            request.Headers.TryGetValues("x-sentc-app-token", out var token) ? token.Single() : null, body));
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer(request), Encoding.UTF8, "application/json") };
    }
}
