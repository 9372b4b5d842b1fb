using System.CommandLine;
using Coffer.LoadTest;

// coffer-loadtest: a bounded loopback load generator for the login, the JWT refresh and the group scenarios (see LoadSettings).
var baseUrl = new Option<string>("--base-url")
{
    Description = "Server address (loopback only), e.g. http://127.0.0.1:8080; /api/v1 is appended.",
    Required = true,
};
var appJson = new Option<string?>("--app-json") { Description = "File with the output of 'coffer app create --json' (tokens)." };
var publicToken = new Option<string?>("--public-token") { Description = "The app's public token (instead of --app-json)." };
var secretToken = new Option<string?>("--secret-token") { Description = "The app's secret token, for registering the users." };
var scenario = new Option<string>("--scenario")
{
    Description = "login (prepare + done + verify), refresh, group-fetch, member-page, invite or chat.",
    Required = true,
};
scenario.AcceptOnlyFromAmong("login", "refresh", "group-fetch", "member-page", "invite", "chat");
var users = new Option<int>("--users") { Description = "Users registered before the run.", DefaultValueFactory = _ => 100 };
var concurrency = new Option<int>("--concurrency") { Description = "Parallel workers (each owns users: ≤ --users).", DefaultValueFactory = _ => 16 };
var maxRequests = new Option<long>("--max-requests") { Description = "At most this many HTTP requests in warm-up + run (a login is 3).", DefaultValueFactory = _ => 1_000_000 };
var maxSeconds = new Option<double>("--max-seconds") { Description = "Timed run length in seconds.", DefaultValueFactory = _ => 10 };
var warmupSeconds = new Option<double>("--warmup-seconds") { Description = "Untimed warm-up before the run.", DefaultValueFactory = _ => 2 };
var waitSeconds = new Option<double>("--wait-seconds") { Description = "Wait up to this long for the server to answer.", DefaultValueFactory = _ => 0 };
var serverPid = new Option<int?>("--server-pid") { Description = "Server process id: its CPU time is reported (Linux /proc)." };
var groupKeys = new Option<int>("--group-keys") { Description = "group-fetch, invite: key generations of the group.", DefaultValueFactory = _ => 1 };
var members = new Option<int>("--members") { Description = "member-page: members of the group (creator included).", DefaultValueFactory = _ => 1000 };
var invites = new Option<int>("--invites") { Description = "invite: timed invites, one after the other (each a new invitee).", DefaultValueFactory = _ => 5 };
var database = new Option<string?>("--database")
{
    Description = "The server's throwaway database (SQLite 'Data Source=…' or loopback PostgreSQL) for seeding key generations and members with SQL.",
};
var chatGroupSize = new Option<int>("--chat-group-size") { Description = "chat: members per group (--users are split into groups).", DefaultValueFactory = _ => 10 };
var rate = new Option<double>("--rate") { Description = "chat: messages sent per second, in aggregate.", DefaultValueFactory = _ => 1000 };
var historyRate = new Option<double>("--history-rate") { Description = "chat: history page fetches per second while sending.", DefaultValueFactory = _ => 50 };
var label = new Option<string>("--label") { Description = "Name of the setup in the report (e.g. sqlite, postgres).", DefaultValueFactory = _ => "server" };

var root = new RootCommand("Bounded loopback load test of the Coffer login, JWT refresh and groups.")
{
    baseUrl, appJson, publicToken, secretToken, scenario, users, concurrency, maxRequests, maxSeconds, warmupSeconds,
    waitSeconds, serverPid, label, groupKeys, members, invites, database, chatGroupSize, rate, historyRate,
};
root.SetAction(async (parsed, ct) =>
{
    LoadSettings settings;
    Scenario chosen = parsed.GetValue(scenario) switch
    {
        "login" => Scenario.Login,
        "refresh" => Scenario.Refresh,
        "group-fetch" => Scenario.GroupFetch,
        "member-page" => Scenario.MemberPage,
        "chat" => Scenario.Chat,
        _ => Scenario.Invite,
    };
    try
    {
        settings = LoadSettings.From(
            parsed.GetValue(baseUrl)!, parsed.GetValue(appJson), parsed.GetValue(publicToken), parsed.GetValue(secretToken),
            chosen, parsed.GetValue(users), parsed.GetValue(concurrency),
            parsed.GetValue(maxRequests), parsed.GetValue(maxSeconds), parsed.GetValue(warmupSeconds), parsed.GetValue(waitSeconds),
            parsed.GetValue(serverPid), parsed.GetValue(label)!) with
        {
            Group = GroupSettings.From(chosen, parsed.GetValue(groupKeys), parsed.GetValue(members), parsed.GetValue(invites), parsed.GetValue(database)),
            Chat = ChatSettings.From(chosen, parsed.GetValue(chatGroupSize), parsed.GetValue(rate), parsed.GetValue(historyRate)),
        };
    }
    catch (ArgumentException e)
    {
        await Console.Error.WriteLineAsync("coffer-loadtest: " + e.Message);
        return 2;
    }

    return settings.Scenario == Scenario.Chat ? await ChatRun.RunAsync(settings, Console.Out, ct)
        : settings.IsGroupScenario ? await GroupRun.RunAsync(settings, Console.Out, ct)
        : await LoadRun.RunAsync(settings, Console.Out, ct);
});
return await root.Parse(args).InvokeAsync();
