using System.Net;
using System.Text.Json;

namespace Coffer.LoadTest;

public enum Scenario
{
    /// <summary>prepare_login + done_login + (client) challenge decryption + verify_login: one complete login.</summary>
    Login,

    /// <summary>PUT /refresh with the login's JWT and refresh token.</summary>
    Refresh,

    /// <summary>GET /group/:gid (first key page, HMAC and sortable keys) of a group with --group-keys keys.</summary>
    GroupFetch,

    /// <summary>GET /group/:gid/member/:t/:id at the start, middle and end of a group with --members members.</summary>
    MemberPage,

    /// <summary>A complete invite into a group with --group-keys keys, including the client's key fetch and encryption.</summary>
    Invite,

    /// <summary>Coffer.Chat: one WebSocket per user on /api/live, group messages at --rate, history pages at --history-rate.</summary>
    Chat,
}

/// <summary>The chat scenario's shape: group size, aggregate send rate and history fetch rate.</summary>
public sealed record ChatSettings(int GroupSize, double Rate, double HistoryRate)
{
    public const int MaxGroupSize = 1000;
    public const double MaxRate = 10_000;
    public const double MaxHistoryRate = 1000;

    /// <summary>Upper bound of messages in one run (warm-up and timed), whatever --max-requests says.</summary>
    public const long MaxMessages = 2_000_000;

    public static ChatSettings None { get; } = new(1, 1, 0);

    public static ChatSettings From(Scenario scenario, int groupSize, double rate, double historyRate)
    {
        if (scenario != Scenario.Chat)
        {
            return None;
        }

        if (groupSize is < 1 or > MaxGroupSize)
        {
            throw new ArgumentException($"--chat-group-size must be 1..{MaxGroupSize}");
        }

        if (rate is <= 0 or > MaxRate)
        {
            throw new ArgumentException($"--rate must be in (0, {MaxRate}]");
        }

        return historyRate is >= 0 and <= MaxHistoryRate
            ? new ChatSettings(groupSize, rate, historyRate)
            : throw new ArgumentException($"--history-rate must be 0..{MaxHistoryRate}");
    }
}

/// <summary>
/// The group scenarios' sizes and the throwaway database their large groups are seeded into with SQL (see GroupSeed).
/// </summary>
public sealed record GroupSettings(int Keys, int Members, int Invites, string? Database)
{
    public const int MaxKeys = 10_000;
    public const int MaxMembers = 1_000_000;
    public const int MaxInvites = 100;

    public static GroupSettings None { get; } = new(1, 1, 1, null);

    public static GroupSettings From(Scenario scenario, int keys, int members, int invites, string? database)
    {
        if (scenario is Scenario.Login or Scenario.Refresh or Scenario.Chat)
        {
            return None;
        }

        Check(keys is >= 1 and <= MaxKeys, $"--group-keys must be 1..{MaxKeys}");
        Check(members is >= 1 and <= MaxMembers, $"--members must be 1..{MaxMembers}");
        Check(invites is >= 1 and <= MaxInvites, $"--invites must be 1..{MaxInvites}");
        bool needsSeed = keys > 1 || (scenario == Scenario.MemberPage && members > 1);
        Check(!needsSeed || !string.IsNullOrEmpty(database), "--database (the server's throwaway database) is needed to seed keys or members");
        return new GroupSettings(keys, members, invites, database);
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}

/// <summary>
/// The validated settings of one run. Every loop is bounded twice: by a request budget and by time; each bound has a
/// hard ceiling here, and only loopback servers are accepted (the tool must never load anything but this machine).
/// </summary>
public sealed record LoadSettings(
    Uri ApiBase, string PublicToken, string SecretToken, Scenario Scenario, int Users, int Concurrency, long MaxRequests,
    TimeSpan Run, TimeSpan Warmup, TimeSpan WaitForServer, int? ServerPid, string Label)
{
    /// <summary>Sizes of the group scenarios (<see cref="GroupSettings.None"/> for login and refresh).</summary>
    public GroupSettings Group { get; init; } = GroupSettings.None;

    /// <summary>The chat scenario's shape (<see cref="ChatSettings.None"/> otherwise).</summary>
    public ChatSettings Chat { get; init; } = ChatSettings.None;

    public bool IsGroupScenario => Scenario is Scenario.GroupFetch or Scenario.MemberPage or Scenario.Invite;

    public const int MaxUsers = 10_000;
    public const int MaxConcurrency = 256;
    public const long MaxRequestsCeiling = 10_000_000;
    public const double MaxSecondsCeiling = 600;

    public static LoadSettings From(
        string baseUrl, string? appJson, string? publicToken, string? secretToken, Scenario scenario, int users, int concurrency,
        long maxRequests, double maxSeconds, double warmupSeconds, double waitSeconds, int? serverPid, string label)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"--base-url must be an absolute http(s) URL: {baseUrl}");
        }

        if (!IsLoopbackHost(uri.Host))
        {
            throw new ArgumentException($"refusing {uri.Host}: the load test only targets loopback addresses (127.0.0.0/8, ::1, localhost).");
        }

        if (appJson is not null)
        {
            using JsonDocument app = JsonDocument.Parse(File.ReadAllText(appJson));
            publicToken ??= app.RootElement.GetProperty("public_token").GetString();
            secretToken ??= app.RootElement.GetProperty("secret_token").GetString();
        }

        if (string.IsNullOrEmpty(publicToken) || string.IsNullOrEmpty(secretToken))
        {
            throw new ArgumentException("the public and the secret token are needed (--app-json, or --public-token and --secret-token).");
        }

        Check(users is >= 1 and <= MaxUsers, $"--users must be 1..{MaxUsers}");
        Check(concurrency is >= 1 and <= MaxConcurrency, $"--concurrency must be 1..{MaxConcurrency}");
        Check(concurrency <= users || scenario is Scenario.GroupFetch or Scenario.MemberPage or Scenario.Invite or Scenario.Chat,
            "--concurrency must not exceed --users (a user is never logged in by two workers at once)");
        Check(maxRequests is >= 1 and <= MaxRequestsCeiling, $"--max-requests must be 1..{MaxRequestsCeiling}");
        Check(maxSeconds is > 0 and <= MaxSecondsCeiling, $"--max-seconds must be in (0, {MaxSecondsCeiling}]");
        Check(warmupSeconds is >= 0 and <= 60, "--warmup-seconds must be 0..60");
        Check(waitSeconds is >= 0 and <= 120, "--wait-seconds must be 0..120");

        var api = new Uri(uri.GetLeftPart(UriPartial.Authority) + "/api/v1/");
        return new LoadSettings(api, publicToken, secretToken, scenario, users, concurrency, maxRequests,
            TimeSpan.FromSeconds(maxSeconds), TimeSpan.FromSeconds(warmupSeconds), TimeSpan.FromSeconds(waitSeconds), serverPid, label);
    }

    /// <summary>An IP literal in 127.0.0.0/8 or ::1, or the name localhost (whose addresses are checked again at connect time).</summary>
    public static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
