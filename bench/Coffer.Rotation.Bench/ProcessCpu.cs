using System.Globalization;

namespace Coffer.Rotation.Bench;

/// <summary>
/// CPU time of a process from <c>/proc/&lt;pid&gt;/stat</c> (utime + stime, optionally + cutime + cstime), in clock ticks
/// (<see cref="TicksPerSecond"/>). On a machine shared with other work, CPU time per unit of work is the comparable
/// figure; wall time is not.
/// </summary>
public static class ProcessCpu
{
    /// <summary>USER_HZ, 100 on every Linux this runs on (getconf CLK_TCK).</summary>
    public const double TicksPerSecond = 100;

    public static long Ticks(int pid, bool withReapedChildren)
    {
        string[]? fields = Fields(pid);
        if (fields is null)
        {
            return 0; // exited meanwhile: its time is in the parent's cutime once reaped
        }

        // Fields after the ")" of the command: [0] state, [1] ppid, ... [11] utime, [12] stime, [13] cutime, [14] cstime.
        long ticks = Parse(fields[11]) + Parse(fields[12]);
        return withReapedChildren ? ticks + Parse(fields[13]) + Parse(fields[14]) : ticks;
    }

    public static int ParentOf(int pid) => Fields(pid) is { } fields ? (int)Parse(fields[1]) : -1;

    private static string[]? Fields(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long Parse(string value) => long.Parse(value, CultureInfo.InvariantCulture);
}
