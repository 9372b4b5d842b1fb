using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Coffer.LoadTest;

/// <summary>CPU seconds of this process, of the server process (if given) and of the whole machine over the timed phase.</summary>
public sealed record CpuUsage(TimeSpan Client, TimeSpan? Server, double MachineBusyCores, string LoadAverage);

/// <summary>Counters at the start of the timed phase; <see cref="Since"/> gives the usage up to now.</summary>
public sealed class CpuSnapshot
{
    // /proc/<pid>/stat counts in USER_HZ, which Linux fixes at 100 for user space.
    private const double UserHz = 100;

    private readonly TimeSpan client;
    private readonly int? serverPid;
    private readonly double? server;
    private readonly (double Busy, double Total)? machine;

    private CpuSnapshot(int? serverPid)
    {
        this.serverPid = serverPid;
        client = Process.GetCurrentProcess().TotalProcessorTime;
        server = serverPid is int pid ? ProcessTicks(pid) : null;
        machine = MachineTicks();
    }

    public static CpuSnapshot Take(int? serverPid) => new(serverPid);

    public CpuUsage Since()
    {
        TimeSpan clientNow = Process.GetCurrentProcess().TotalProcessorTime;
        double? serverNow = serverPid is int pid ? ProcessTicks(pid) : null;
        (double Busy, double Total)? machineNow = MachineTicks();
        double busyCores = machine is var (busy0, total0) && machineNow is var (busy1, total1) && total1 > total0
            ? (busy1 - busy0) / (total1 - total0) * Environment.ProcessorCount
            : double.NaN;
        return new CpuUsage(
            clientNow - client,
            server is double s0 && serverNow is double s1 ? TimeSpan.FromSeconds((s1 - s0) / UserHz) : null,
            busyCores,
            File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a");
    }

    /// <summary>utime + stime of a process (fields 14 and 15 of /proc/PID/stat, after the parenthesised command name).</summary>
    private static double? ProcessTicks(int pid)
    {
        string path = $"/proc/{pid}/stat";
        if (!File.Exists(path))
        {
            return null;
        }

        string stat = File.ReadAllText(path);
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>Busy and total jiffies of all CPUs (first line of /proc/stat; idle + iowait count as idle).</summary>
    private static (double Busy, double Total)? MachineTicks()
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }

        double[] values = [.. File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
        double total = values.Take(8).Sum();
        double idle = values[3] + values[4];
        return (total - idle, total);
    }
}

public static class LoadReport
{
    public static string Format(LoadSettings settings, PhaseResult result, CpuUsage cpu, bool budgetExhausted)
    {
        var text = new StringBuilder();
        CultureInfo inv = CultureInfo.InvariantCulture;
        double seconds = result.Elapsed.TotalSeconds;
        int requestsPerOperation = settings.Scenario == Scenario.Login ? 3 : 1;
        (string unit, string one) = settings.Scenario == Scenario.Login ? ("logins", "login") : ("refreshes", "refresh");
        double rate = result.Completed / seconds;
        text.AppendLine(inv, $"== {settings.Label} / {settings.Scenario.ToString().ToLowerInvariant()}: {settings.ApiBase}");
        string stopped = budgetExhausted ? string.Create(inv, $" (stopped by --max-requests {settings.MaxRequests})") : "";
        text.AppendLine(inv, $"users {settings.Users}, concurrency {settings.Concurrency}, timed {seconds:F1} s{stopped}");
        text.AppendLine(inv, $"completed {result.Completed} {unit}: {rate:F1} {unit}/s ({rate * requestsPerOperation:F1} HTTP requests/s)");
        text.AppendLine(inv, $"latency per {(settings.Scenario == Scenario.Login ? "complete login (3 requests)" : "request")}: "
            + $"p50 {result.Percentile(50):F2} ms, p95 {result.Percentile(95):F2} ms, p99 {result.Percentile(99):F2} ms, "
            + $"max {(result.Completed > 0 ? result.SortedLatenciesMs[^1] : double.NaN):F2} ms");
        string kinds = string.Join("; ", result.Errors.OrderByDescending(e => e.Value).Select(e => string.Create(inv, $"{e.Key} ×{e.Value}")));
        text.AppendLine(inv, $"errors: {result.Failed}{(result.Failed == 0 ? "" : " — " + kinds)}");
        if (result.Errors.Keys.Any(k => k.Contains("err_code 118", StringComparison.Ordinal)))
        {
            text.AppendLine("note: 118 is the login rate limit; raise Coffer__LoginRateLimit__PerIdentifier/PerAddress on the server for a load test.");
        }

        string decrypt = settings.Scenario == Scenario.Login
            ? string.Create(inv, $", of which challenge decryption {result.DecryptTime.TotalSeconds:F2} s = {PerOperationUs(result.DecryptTime, result.Completed):F0} µs per login")
            : "";
        text.AppendLine(inv, $"client CPU: {cpu.Client.TotalSeconds:F2} s ({cpu.Client.TotalSeconds / seconds:F2} cores){decrypt}");
        if (cpu.Server is TimeSpan server)
        {
            text.AppendLine(inv, $"server CPU: {server.TotalSeconds:F2} s ({server.TotalSeconds / seconds:F2} cores) = "
                + $"{PerOperationUs(server, result.Completed):F0} µs per {one}; at 2 cores for the server alone ≈ {2 * result.Completed / server.TotalSeconds:F0} {unit}/s");
        }

        text.AppendLine(inv, $"machine: {cpu.MachineBusyCores:F2} of {Environment.ProcessorCount} cores busy during the run, load average {cpu.LoadAverage}");
        text.AppendLine(inv, $"| {settings.Label} | {settings.Scenario.ToString().ToLowerInvariant()} | {settings.Concurrency} | {rate:F0} | "
            + $"{result.Percentile(50):F1} | {result.Percentile(95):F1} | {result.Percentile(99):F1} | {result.Failed} |");
        return text.ToString();
    }

    private static double PerOperationUs(TimeSpan total, int operations) => operations == 0 ? double.NaN : total.TotalMilliseconds * 1000 / operations;
}
