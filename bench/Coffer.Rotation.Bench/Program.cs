using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Coffer.Crypto;
using Coffer.Protocol.Groups;
using Coffer.Rotation.Bench;
using Coffer.Server;
using Coffer.Server.Data;
using Coffer.Server.Features.Rotation;
using Npgsql;

// Fan-out throughput of a group key rotation (docs/benchmarks.md): for each member count, a fresh PostgreSQL database,
// `coffer serve` processes, the members inserted with SQL, one rotation started, and the time until the job is finished,
// with the peak RSS of each server process and the CPU time per member-wrap of the servers and of the PostgreSQL cluster
// (the comparable figure on a busy machine). Bounded: at most 3 member counts up to 200,000, each run at most 10 minutes.
//   dotnet run -c Release --project bench/Coffer.Rotation.Bench -- [--members 1000,10000,100000] [--processes 1] [--batch 1000]
//     [--statements on]   (diagnosis, not for timing: PostgreSQL CPU by process, top statements, auto_explain plans)
int[] memberCounts = [1000, 10000];
int processes = 1;
int batch = RotationFanOut.DefaultBatchSize;
bool statements = false;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--members":
            memberCounts = [.. args[i + 1].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
            break;
        case "--processes":
            processes = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--statements":
            statements = args[i + 1] == "on";
            break;
        case "--batch":
            batch = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}");
            return 2;
    }
}

if (memberCounts.Length is 0 or > 3 || memberCounts.Any(n => n is < 1 or > 200_000) || processes is < 1 or > 4 || batch is < 1 or > 10_000)
{
    Console.Error.WriteLine("at most 3 member counts of 1..200000, 1..4 processes, batch 1..10000");
    return 2;
}

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; " +
    $"{processes} server process(es), batch {batch}; started {DateTime.UtcNow:u}");
(double costMicroseconds, double parallelPerSecond) = MeasureHybridEncryption();
double limit = Environment.ProcessorCount / (costMicroseconds / 1e6);
Console.WriteLine($"one hybrid encryption of the 60-byte wrapped ephemeral key: {costMicroseconds:F1} µs (1 thread); " +
    $"{parallelPerSecond:F0}/s on all cores; crypto-bound limit = {Environment.ProcessorCount} cores / {costMicroseconds:F1} µs = {limit:F0} wraps/s");

await using var cluster = await ThrowawayPostgres.StartAsync(diagnostics: statements);
Console.WriteLine("| members | processes | fan-out s | member-wraps/s | % of crypto-bound limit | CPU µs/wrap: server + PostgreSQL = total | server peak RSS MiB (idle → after) |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
foreach (int members in memberCounts)
{
    string connectionString = await cluster.CreateDatabaseAsync();
    var environment = new Dictionary<string, string>
    {
        ["Coffer__RootKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Coffer__Rotation__BatchSize"] = batch.ToString(CultureInfo.InvariantCulture),
        ["Logging__LogLevel__Default"] = "Warning",
        // The rotation is started by this tool, not through the server's POST (which wakes the worker at once), so the
        // idle worker's poll is shortened to keep its latency out of the measured fan-out time.
        ["Coffer__Rotation__PollMilliseconds"] = "20",
    };
    var servers = new List<Process>();
    try
    {
        for (int p = 0; p < processes; p++)
        {
            servers.Add(await StartServerAsync(connectionString, environment));
        }

        using RotationSeed seed = await RotationSeed.CreateAsync(connectionString, members, keyPairs: 5, CancellationToken.None);
        long[] idle = [.. servers.Select(PeakRssKiB)];
        (KeyRotationData data, SymmetricKey newKey) = seed.RotationData();
        newKey.Dispose();
        var store = new RotationStore(new Database(connectionString), TimeProvider.System);
        if (statements)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()", connection);
            await command.ExecuteNonQueryAsync();
        }

        long serverTicks = servers.Sum(s => ProcessCpu.Ticks(s.Id, withReapedChildren: true));
        Dictionary<string, long> databaseTicks = cluster.CpuTicksByRole();
        Outcome<KeyRotationStartServerOutput> started = await store.StartGroupRotationAsync(
            new AppId(seed.AppId), seed.GroupId, seed.InvokerId, null, data, CancellationToken.None);
        string key = started.Value?.KeyId ?? throw new InvalidOperationException($"start failed: {started.Error?.Code}");
        (long startedAt, long finishedAt) = await AwaitFinishedAsync(connectionString, key, TimeSpan.FromMinutes(10));
        double serverCpu = (servers.Sum(s => ProcessCpu.Ticks(s.Id, withReapedChildren: true)) - serverTicks) / ProcessCpu.TicksPerSecond * 1e6 / members;
        Dictionary<string, long> databaseAfter = cluster.CpuTicksByRole();
        double databaseCpu = (databaseAfter.Values.Sum() - databaseTicks.Values.Sum()) / ProcessCpu.TicksPerSecond * 1e6 / members;
        if (statements)
        {
            Console.WriteLine("    PostgreSQL CPU µs/wrap by process: " + string.Join(", ", databaseAfter
                .Select(r => (r.Key, Delta: r.Value - databaseTicks.GetValueOrDefault(r.Key)))
                .Where(r => r.Delta != 0).OrderByDescending(r => r.Delta)
                .Select(r => $"{r.Key} {r.Delta / ProcessCpu.TicksPerSecond * 1e6 / members:F0}")));
        }
        double seconds = (finishedAt - startedAt) / 1000.0;
        double rate = members / seconds;
        string rss = string.Join(" + ", servers.Select((s, i) => $"{idle[i] / 1024.0:F0} → {PeakRssKiB(s) / 1024.0:F0}"));
        if (statements)
        {
            await PrintStatementsAsync(connectionString);
        }

        Console.WriteLine($"| {members:N0} | {processes} | {seconds:F2} | {rate:F0} | {100 * rate / limit:F0} % | " +
            $"{serverCpu:F0} + {databaseCpu:F0} = {serverCpu + databaseCpu:F0} | {rss} |");
    }
    finally
    {
        foreach (Process server in servers)
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            server.Dispose();
        }

        NpgsqlConnection.ClearAllPools();
    }
}

return 0;

// Single-thread cost (after warm-up) and all-core throughput, each loop bounded to ~2 s and 20,000 operations.
static (double Microseconds, double ParallelPerSecond) MeasureHybridEncryption()
{
    (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default);
    privateKey.Dispose();
    byte[] payload = RandomNumberGenerator.GetBytes(60);
    for (int i = 0; i < 200; i++)
    {
        publicKey.Encrypt(payload);
    }

    var clock = Stopwatch.StartNew();
    int count = 0;
    while (count < 20_000 && clock.Elapsed < TimeSpan.FromSeconds(2))
    {
        publicKey.Encrypt(payload);
        count++;
    }

    double single = clock.Elapsed.TotalMicroseconds / count;
    int parallelCount = 0;
    clock.Restart();
    Parallel.For(0, Environment.ProcessorCount, _ =>
    {
        var own = Stopwatch.StartNew();
        int local = 0;
        while (local < 20_000 && own.Elapsed < TimeSpan.FromSeconds(2))
        {
            publicKey.Encrypt(payload);
            local++;
        }

        Interlocked.Add(ref parallelCount, local);
    });
    return (single, parallelCount / clock.Elapsed.TotalSeconds);
}

static async Task<Process> StartServerAsync(string connectionString, Dictionary<string, string> environment)
{
    int port;
    using (var listener = new TcpListener(IPAddress.Loopback, 0))
    {
        listener.Start();
        port = ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (string a in (string[])[Path.Combine(AppContext.BaseDirectory, "coffer.dll"), "serve", "--urls", $"http://127.0.0.1:{port}", "--database", connectionString])
    {
        start.ArgumentList.Add(a);
    }

    foreach ((string name, string value) in environment)
    {
        start.Environment[name] = value;
    }

    Process process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine("server: " + e.Data); } };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    for (int i = 0; i < 300 && !process.HasExited; i++)
    {
        try
        {
            if ((await client.GetAsync("/api/v1/")).StatusCode == HttpStatusCode.NotFound)
            {
                return process;
            }
        }
        catch (HttpRequestException)
        {
        }

        await Task.Delay(100);
    }

    process.Kill(entireProcessTree: true);
    throw new InvalidOperationException("coffer serve did not start");
}

// VmHWM: the peak resident set size of the process so far.
static long PeakRssKiB(Process process)
{
    string? line = File.ReadLines($"/proc/{process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
    return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

// Where the database's time went: the statements of the run by total execution time (pg_stat_statements).
static async Task PrintStatementsAsync(string connectionString)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(
        """
        SELECT calls, rows, round(total_exec_time::numeric, 1), round(total_plan_time::numeric, 1), left(regexp_replace(query, '\s+', ' ', 'g'), 110)
        FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY total_exec_time + total_plan_time DESC LIMIT 8
        """, connection);
    await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
    Console.WriteLine("    calls | rows | exec ms | plan ms | statement");
    while (await reader.ReadAsync())
    {
        Console.WriteLine($"    {reader.GetInt64(0)} | {reader.GetInt64(1)} | {reader.GetDecimal(2)} | {reader.GetDecimal(3)} | {reader.GetString(4)}");
    }
}

static async Task<(long StartedAt, long FinishedAt)> AwaitFinishedAsync(string connectionString, string key, TimeSpan limit)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < limit)
    {
        await using var command = new NpgsqlCommand("SELECT started_at, finished_at FROM rotation_job WHERE key_id = @k AND status = 2", connection);
        command.Parameters.AddWithValue("k", key);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        if (await reader.ReadAsync())
        {
            return (reader.GetInt64(0), reader.GetInt64(1));
        }

        await Task.Delay(20);
    }

    throw new TimeoutException("the rotation did not finish in time");
}
