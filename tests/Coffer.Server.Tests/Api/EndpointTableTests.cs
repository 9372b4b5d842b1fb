using Coffer.Server.Api;
using Coffer.Server.Auth;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Api;

/// <summary>The app's real endpoints and <see cref="EndpointTable"/> match one to one (see the table's header).</summary>
public sealed class EndpointTableTests(TestDatabases databases)
{
    /// <summary>The API endpoints of the running app as rows (route without /api/v1, requirements from the metadata).</summary>
    private static List<EndpointRow> AppEndpoints(TestApp app) =>
        [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith(ApiPipeline.Prefix + "/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["(any method)"]).Select(method => RowOf(e, method)))];

    private static EndpointRow RowOf(RouteEndpoint endpoint, string method)
    {
        string route = endpoint.RoutePattern.RawText![ApiPipeline.Prefix.Length..];
        JwtMode? jwt = endpoint.Metadata.GetMetadata<JwtRequirement>()?.Mode;
        return endpoint.Metadata.GetMetadata<AppTokenRequirement>() switch
        {
            { SecretOnly: true } => new EndpointRow(method, route, EndpointToken.SecretOnly, null, jwt),
            { Option: AppOption option } => new EndpointRow(method, route, EndpointToken.Option, option.Name, jwt),
            _ => new EndpointRow(method, route, EndpointToken.Any, null, jwt),
        };
    }

    [Fact]
    public async Task AppEndpoints_AreTheTableRows_WithTheSameRequirements()
    {
        await using TestApp app = await TestApp.StartAsync(DatabaseKind.Sqlite, databases);
        List<EndpointRow> actual = AppEndpoints(app);
        Assert.NotEmpty(actual);
        var failures = new List<string>();
        foreach (EndpointRow endpoint in actual)
        {
            EndpointRow? row = EndpointTable.Rows.FirstOrDefault(r => r.Method == endpoint.Method && r.Shape == endpoint.Shape);
            if (row is null)
            {
                failures.Add($"{endpoint} is not in EndpointTable: add a row as api.md specifies it.");
            }
            else if ((row.Token, row.Option, row.Jwt) != (endpoint.Token, endpoint.Option, endpoint.Jwt))
            {
                failures.Add($"{endpoint} declares {Requirements(endpoint)}; EndpointTable (api.md) says {Requirements(row)}.");
            }
        }

        failures.AddRange(EndpointTable.Rows
            .Where(r => !actual.Exists(e => e.Method == r.Method && e.Shape == r.Shape))
            .Select(r => $"{r} is in EndpointTable but the app has no such endpoint."));
        failures.AddRange(EndpointTable.Rows
            .GroupBy(r => (r.Method, r.Shape)).Where(g => g.Count() > 1)
            .Select(g => $"{g.First()} has {g.Count()} rows in EndpointTable."));
        failures.AddRange(EndpointTable.Rows
            .Where(r => r.Token == EndpointToken.Option && AppOption.FromName(r.Option ?? "") is null)
            .Select(r => $"{r}: '{r.Option}' is not an app option."));
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static string Requirements(EndpointRow row) =>
        $"{(row.Token == EndpointToken.Option ? "T(" + row.Option + ")" : row.Token.ToString())} + JWT {row.Jwt?.ToString() ?? "none"}";
}
