using System.Data.Common;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Features.Groups;

/// <summary>
/// Issue 3's concurrency proof: 200 simultaneous join-request accepts, invites, auto-invites and kicks against one
/// group (a fixed list, all started at once, one overall timeout) leave the membership consistent with a sequential
/// replay of the requests in some order consistent with their answers, on SQLite and PostgreSQL.
/// </summary>
public sealed class GroupMembershipConcurrencyTests(TestDatabases databases)
{
    private const int Users = 40;
    private const int Requests = 200;
    private static readonly TimeSpan Overall = TimeSpan.FromMinutes(3);

    private enum Op
    {
        AcceptJoin,
        AutoInvite,
        Invite,
        Kick,
    }

    private enum Kind
    {
        None,
        Requested,
        Invited,
        Member,
    }

    /// <summary>A user's standing in the group; the rank matters for members and invites.</summary>
    private readonly record struct State(Kind Kind, int Rank);

    private sealed record Call(int User, Op Op, int Rank, bool ByAdmin);

    private sealed record Outcome(Call Call, int Code); // 0 = success

    [Theory, Databases]
    public async Task MixedMembershipChanges_Concurrently_EqualASequentialReplay(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        var groups = new GroupBuilder(app);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser admin = await app.RegisterAsync("admin");
        TestGroup group = await groups.CreateAsync(alice, keys: 3);
        await groups.AddMemberAsync(group, admin.UserId, rank: 1);

        // Initial standing: 0–9 members (rank 4), 10–24 with a join request, 25–39 nothing.
        string[] users = new string[Users];
        var initial = new State[Users];
        for (int i = 0; i < Users; i++)
        {
            users[i] = await groups.RegisterOnlyAsync("user" + i);
            if (i < 10)
            {
                await groups.AddMemberAsync(group, users[i], rank: 4);
                initial[i] = new State(Kind.Member, 4);
            }
            else if (i < 25)
            {
                await AddJoinRequestAsync(app, group, users[i]);
                initial[i] = new State(Kind.Requested, 0);
            }
        }

        var random = new Random(3);
        Call[] calls = [.. Enumerable.Range(0, Requests).Select(_ =>
            new Call(random.Next(Users), (Op)random.Next(4), random.Next(2, 5), ByAdmin: random.Next(2) == 0))];

        Task<ApiAnswer> Send(Call call)
        {
            string jwt = call.ByAdmin ? admin.Jwt : alice.Jwt;
            string user = users[call.User];
            string keys = GroupBuilder.KeysBody(group, rank: call.Rank);
            return call.Op switch
            {
                Op.AcceptJoin => app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/join_req/{user}", keys, jwt: jwt),
                Op.AutoInvite => app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite_auto/{user}", keys, jwt: jwt),
                Op.Invite => app.SendAsync(HttpMethod.Put, $"/group/{group.Id}/invite/{user}", keys, jwt: jwt),
                Op.Kick => app.SendAsync(HttpMethod.Delete, $"/group/{group.Id}/kick/{user}", jwt: jwt),
            };
        }

        ApiAnswer[] answers = await Task.WhenAll(calls.Select(Send)).WaitAsync(Overall, TestContext.Current.CancellationToken);

        // No 500s: every answer is a success or one of the rule errors of its operation.
        var outcomes = new List<Outcome>();
        for (int i = 0; i < Requests; i++)
        {
            ApiAnswer answer = answers[i];
            int code = answer.Ok ? 0 : answer.ErrCode;
            Assert.True((int)answer.Status < 500, answer.Text);
            Assert.Contains(code, Allowed(calls[i].Op));
            outcomes.Add(new Outcome(calls[i], code));
        }

        Assert.Contains(outcomes, o => o.Code == 0 && o.Call.Op == Op.Kick);
        Assert.Contains(outcomes, o => o.Code == 0 && o.Call.Op == Op.AcceptJoin);
        Assert.Contains(outcomes, o => o.Code == 0 && o.Call.Op == Op.Invite);
        Assert.Contains(outcomes, o => o.Code == 0 && o.Call.Op == Op.AutoInvite);

        // The final standing of every user is reachable by replaying its requests in some order that gives every
        // request the answer it got.
        Dictionary<string, State> final = await FinalStatesAsync(app, group);
        for (int i = 0; i < Users; i++)
        {
            State actual = final.GetValueOrDefault(users[i], new State(Kind.None, 0));
            Outcome[] mine = [.. outcomes.Where(o => o.Call.User == i)];
            Assert.True(mine.Length <= 20, "too many requests for one user to search every order");
            Assert.True(
                ReplayExists(initial[i], mine, actual),
                $"user {i}: no sequential order of [{string.Join(", ", mine.Select(o => $"{o.Call.Op}/{o.Call.Rank}→{o.Code}"))}] " +
                $"from {initial[i]} ends in {actual}");
        }

        // Table invariants.
        Assert.Equal((0, 0), await groups.MemberAsync(group, alice.UserId));
        Assert.Equal((1, 0), await groups.MemberAsync(group, admin.UserId));
        Assert.Equal(0, await groups.CountAsync(
            "SELECT COUNT(*) FROM group_member m JOIN membership_request r ON r.group_id = m.group_id AND r.member_id = m.member_id"));
        Assert.Equal(0, await groups.CountAsync(
            """
            SELECT COUNT(*) FROM group_member m CROSS JOIN group_key k
            WHERE m.group_id = @g AND k.group_id = @g
              AND NOT EXISTS (SELECT 1 FROM member_key mk WHERE mk.key_id = k.id AND mk.member_id = m.member_id)
            """,
            new { g = group.Id }));
        Assert.Equal(0, await groups.CountAsync(
            """
            SELECT COUNT(*) FROM membership_request r CROSS JOIN group_key k
            WHERE r.group_id = @g AND k.group_id = @g AND r.kind = 0
              AND NOT EXISTS (SELECT 1 FROM member_key mk WHERE mk.key_id = k.id AND mk.member_id = r.member_id)
            """,
            new { g = group.Id }));
        Assert.Equal(0, await groups.CountAsync(
            """
            SELECT COUNT(*) FROM member_key mk WHERE mk.group_id = @g
              AND NOT EXISTS (SELECT 1 FROM group_member m WHERE m.group_id = mk.group_id AND m.member_id = mk.member_id)
              AND NOT EXISTS (SELECT 1 FROM membership_request r WHERE r.group_id = mk.group_id AND r.member_id = mk.member_id AND r.kind = 0)
            """,
            new { g = group.Id }));
        Assert.DoesNotContain(app.Logs.Entries, e => e.StartsWith("Error", StringComparison.Ordinal) || e.StartsWith("Critical", StringComparison.Ordinal));
    }

    private static int[] Allowed(Op op) => op switch
    {
        Op.AcceptJoin => [0, 302, 309],
        Op.AutoInvite => [0, 302],
        Op.Invite => [0, 302],
        Op.Kick => [0, 300],
    };

    /// <summary>The sequential semantics of one request (api.md §4.7, §4.8, §4.14): the answer and the new standing.</summary>
    private static (int Code, State Next) Apply(State state, Call call) => (call.Op, state.Kind) switch
    {
        (Op.AcceptJoin, Kind.Member) => (302, state),
        (Op.AcceptJoin, Kind.Requested) => (0, new State(Kind.Member, call.Rank)),
        (Op.AcceptJoin, _) => (309, state),
        (Op.AutoInvite, Kind.Member or Kind.Invited) => (302, state),
        (Op.AutoInvite, _) => (0, new State(Kind.Member, call.Rank)),
        (Op.Invite, Kind.Member or Kind.Invited) => (302, state),
        (Op.Invite, _) => (0, new State(Kind.Invited, call.Rank)),
        (Op.Kick, Kind.Member) => (0, new State(Kind.None, 0)),
        (Op.Kick, _) => (300, state),
    };

    /// <summary>Depth-first search over the orders of one user's requests, memoised on (requests used, standing).</summary>
    private static bool ReplayExists(State initial, Outcome[] outcomes, State final)
    {
        var dead = new HashSet<(int, State)>();

        bool Search(int used, State state)
        {
            if (used == (1 << outcomes.Length) - 1)
            {
                return Normalise(state) == Normalise(final);
            }

            if (dead.Contains((used, state)))
            {
                return false;
            }

            for (int i = 0; i < outcomes.Length; i++)
            {
                if ((used & (1 << i)) != 0)
                {
                    continue;
                }

                (int code, State next) = Apply(state, outcomes[i].Call);
                if (code == outcomes[i].Code && Search(used | (1 << i), next))
                {
                    return true;
                }
            }

            dead.Add((used, state));
            return false;
        }

        return Search(0, initial);
    }

    /// <summary>Join requests always carry rank 4 in the table; the model does not track their rank.</summary>
    private static State Normalise(State state) => state.Kind is Kind.Requested or Kind.None ? state with { Rank = 0 } : state;

    private static async Task<Dictionary<string, State>> FinalStatesAsync(TestApp app, TestGroup group)
    {
        await using DbConnection c = await app.Services.GetRequiredService<Database>().OpenAsync(TestContext.Current.CancellationToken);
        var states = new Dictionary<string, State>();
        foreach (StandingRow row in await c.QueryAsync<StandingRow>(
            "SELECT member_id AS Member, rank AS Rank FROM group_member WHERE group_id = @g", new { g = group.Id }))
        {
            states.Add(row.Member, new State(Kind.Member, row.Rank));
        }

        foreach (StandingRow row in await c.QueryAsync<StandingRow>(
            "SELECT member_id AS Member, new_rank AS Rank, kind AS RequestKind FROM membership_request WHERE group_id = @g", new { g = group.Id }))
        {
            states.Add(row.Member, row.RequestKind == 0 ? new State(Kind.Invited, row.Rank) : new State(Kind.Requested, 0));
        }

        return states;
    }

    private static async Task AddJoinRequestAsync(TestApp app, TestGroup group, string user)
    {
        await using DbConnection c = await app.Services.GetRequiredService<Database>().OpenAsync(TestContext.Current.CancellationToken);
        await c.ExecuteAsync(
            """
            INSERT INTO membership_request (group_id, member_id, kind, member_type, new_rank, created_at, key_session_id)
            VALUES (@g, @user, 1, 0, 4, 1, NULL)
            """,
            new { g = group.Id, user });
    }

    private sealed class StandingRow
    {
        public string Member { get; set; } = "";

        public int Rank { get; set; }

        public int RequestKind { get; set; }
    }
}
