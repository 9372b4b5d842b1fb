using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for one test run: initdb into a random folder under /tmp, started on a free
/// loopback port (as the postgres user when we are root), stopped and deleted at the end. Never skipped: if
/// PostgreSQL is missing, the PostgreSQL rows fail (scripts/setup installs it).
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private string binDirectory = "";
    private string dataDirectory = "";
    private int port;

    public async ValueTask InitializeAsync()
    {
        binDirectory = Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out int v) ? v : 0)
            .FirstOrDefault() ?? throw new InvalidOperationException("PostgreSQL is not installed; run scripts/setup.");
        dataDirectory = Path.Combine(Path.GetTempPath(), "coffer-pg-" + Guid.NewGuid().ToString("N"));
        port = FreePort();
        await RunAsync("initdb", "-D", dataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync");
        await RunAsync("pg_ctl", "-D", dataDirectory, "-w", "-t", "60", "-l", Path.Combine(dataDirectory, "server.log"), "-o",
            $"-p {port} -k {dataDirectory} -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off " +
            "-c synchronous_commit=off -c full_page_writes=off", "start");
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsync("pg_ctl", "-D", dataDirectory, "-m", "immediate", "-w", "stop");
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>Creates an empty database for one test and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        string name = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    private string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={port};Username=postgres;Database={database};Maximum Pool Size=20;Connection Idle Lifetime=10";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task RunAsync(string tool, params string[] arguments)
    {
        bool root = Environment.UserName == "root";
        var start = new ProcessStartInfo(root ? "runuser" : Path.Combine(binDirectory, tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (root)
        {
            foreach (string a in (string[])["-u", "postgres", "--", Path.Combine(binDirectory, tool)])
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}
