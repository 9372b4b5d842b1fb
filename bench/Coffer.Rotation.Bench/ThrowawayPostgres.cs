using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Coffer.Rotation.Bench;

/// <summary>A PostgreSQL cluster in a temporary folder on a free loopback port (as the postgres user when root); removed on dispose.</summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string bin;
    private readonly string data;
    private readonly int port;

    private ThrowawayPostgres(string bin, string data, int port)
    {
        this.bin = bin;
        this.data = data;
        this.port = port;
    }

    /// <param name="diagnostics">Load pg_stat_statements and auto_explain (plans with row counts of statements over 20 ms
    /// in the server log, copied to the temp folder at the end); off for timed runs, as the instrumentation costs CPU.</param>
    public static async Task<ThrowawayPostgres> StartAsync(bool diagnostics)
    {
        string bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is not installed; run scripts/setup.");
        string data = Path.Combine(Path.GetTempPath(), "coffer-bench-pg-" + Guid.NewGuid().ToString("N"));
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var cluster = new ThrowawayPostgres(bin, data, port);
        await cluster.RunAsync("initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync");
        // Durable settings (fsync on) as a production server would run, but on a throwaway cluster.
        await cluster.RunAsync("pg_ctl", "-D", data, "-w", "-t", "60", "-l", Path.Combine(data, "server.log"), "-o",
            $"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB" +
            (diagnostics
                ? " -c shared_preload_libraries=pg_stat_statements,auto_explain -c pg_stat_statements.track=all" +
                  " -c auto_explain.log_min_duration=20ms -c auto_explain.log_analyze=on -c auto_explain.log_buffers=on" +
                  " -c auto_explain.log_timing=off -c auto_explain.log_nested_statements=on"
                : ""),
            "start");
        return cluster;
    }

    public async Task<string> CreateDatabaseAsync()
    {
        string name = "b_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres") + ";Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    /// <summary>
    /// CPU time (user + system, clock ticks) of the whole cluster so far: the postmaster, the backends and helpers alive
    /// now, and every child that has already exited (counted in the postmaster's cutime/cstime once it is reaped).
    /// </summary>
    public long CpuTicks() => CpuTicksByRole().Values.Sum();

    /// <summary>
    /// The same split by process role (from the process title: "backend", "walwriter", "checkpointer", "autovacuum
    /// worker", …; "postmaster + exited" holds the postmaster and every reaped child).
    /// </summary>
    public Dictionary<string, long> CpuTicksByRole()
    {
        int postmaster = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
        var ticks = new Dictionary<string, long> { ["postmaster + exited"] = ProcessCpu.Ticks(postmaster, withReapedChildren: true) };
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out int pid) && pid != postmaster && ProcessCpu.ParentOf(pid) == postmaster)
            {
                string role = Role(pid);
                ticks[role] = ticks.GetValueOrDefault(role) + ProcessCpu.Ticks(pid, withReapedChildren: false);
            }
        }

        return ticks;
    }

    private static string Role(int pid)
    {
        try
        {
            string title = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            title = title.StartsWith("postgres: ", StringComparison.Ordinal) ? title["postgres: ".Length..] : title;
            return title.StartsWith("postgres ", StringComparison.Ordinal) ? "backend" : string.Join(' ', title.Split(' ').Take(2));
        }
        catch (IOException)
        {
            return "exited";
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsync("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop");
        }
        finally
        {
            // The server log (auto_explain plans of statements over 20 ms) survives the cluster for diagnosis.
            File.Copy(Path.Combine(data, "server.log"), Path.Combine(Path.GetTempPath(), "coffer-rotation-bench-postgres.log"), overwrite: true);
            Directory.Delete(data, recursive: true);
        }
    }

    private string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={port};Username=postgres;Database={database};Maximum Pool Size=20";

    private async Task RunAsync(string tool, params string[] arguments)
    {
        bool root = Environment.UserName == "root";
        var start = new ProcessStartInfo(root ? "runuser" : Path.Combine(bin, tool)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in (root ? ["-u", "postgres", "--", Path.Combine(bin, tool)] : Array.Empty<string>()).Concat(arguments))
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
