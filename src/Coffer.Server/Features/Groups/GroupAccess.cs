using System.Data.Common;
using Coffer.Protocol;
using Coffer.Protocol.Groups;
using Dapper;

namespace Coffer.Server.Features.Groups;

/// <summary>
/// The result of access resolution (api.md §5) for a target group: the group's own columns, the caller's effective
/// <see cref="Rank"/>, the member id <see cref="Member"/> whose member-key rows are read and written, the join time of
/// the granting membership and how it was granted.
/// </summary>
public sealed record GroupAccess(
    GroupId Group,
    string? ParentId,
    bool IsConnected,
    bool InviteOpen,
    long CreatedAt,
    int Rank,
    string Member,
    long JoinedAt,
    GroupAccessBy AccessBy)
{
    /// <summary>The one rank comparison (style.md): smaller is stronger, so "at least admin" is <c>AtLeast(Ranks.Admin)</c>.</summary>
    public bool AtLeast(int requiredRank) => Ranks.Satisfies(Rank, requiredRank);
}

/// <summary>Ranks (api.md §3): 0 creator, 1 admin, 2 manager, 3–4 members. Smaller is stronger.</summary>
public static class Ranks
{
    public const int Creator = 0;
    public const int Admin = 1;
    public const int Manager = 2;
    public const int Member = 4;

    /// <summary>True when <paramref name="rank"/> is as strong as <paramref name="required"/> or stronger.</summary>
    public static bool Satisfies(int rank, int required) => rank <= required;

    /// <summary>A rank that may be given to a new member or set by change_rank: 1..4.</summary>
    public static bool IsAssignable(int rank) => rank is >= Admin and <= Member;
}

/// <summary>
/// Resolves group access (api.md §5) in one SQL statement per request: the target group (normal, of this app), the
/// nearest of itself and its ancestors where the member has a row, and — with the
/// <c>x-sentc-group-access-id</c> header — the same for the member group and the user, the effective rank being the
/// weaker of both. One statement reads one snapshot, so a concurrent membership change is either fully seen or not
/// at all. Mutating use cases call <see cref="ResolveAsync(DbConnection, DbTransaction, AppId, string, string, string?, CancellationToken)"/>
/// again inside their (serializable) transaction, so the rules they enforce hold at commit.
/// </summary>
public static class GroupAccessResolver
{
    public const string AccessHeader = "x-sentc-group-access-id";

    /// <summary>Upper bound of the ancestor walk; parents are set only at creation, so no cycle can exist, but a bound costs nothing.</summary>
    private const int MaxDepth = 1000;

    private const string Chain =
        """
        SELECT id, parent_id, 0 FROM grp WHERE id = {0} AND app_id = {3} AND kind = 0
        UNION ALL
        SELECT g.id, g.parent_id, c.depth + 1 FROM grp g JOIN {1} c ON g.id = c.parent_id WHERE c.depth < {2}
        """;

    /// <summary>
    /// The access statement for target <c>@target</c>, user <c>@member</c> and (<paramref name="viaMemberGroup"/>) member
    /// group <c>@memberGroup</c>, with <paramref name="app"/> as the SQL expression of the app id (<c>@app</c>, or a
    /// subquery when the statement runs in the request's lookup batch, see <see cref="Auth.RequestLookup"/>).
    /// </summary>
    internal static string Sql(bool viaMemberGroup, string app) => viaMemberGroup ? AsMemberGroupSql(app) : DirectSql(app);

    private static string DirectSql(string app) =>
        $"""
        WITH RECURSIVE tchain (id, parent_id, depth) AS ({string.Format(null, Chain, "@target", "tchain", MaxDepth, app)})
        SELECT t.parent_id AS ParentId, t.is_connected AS IsConnected, t.invite_open AS InviteOpen, t.created_at AS CreatedAt,
               hit.group_id AS Via, hit.depth AS Depth, hit.rank AS Rank, hit.joined_at AS JoinedAt, NULL AS UserRank
        FROM grp t
        LEFT JOIN (
            SELECT m.group_id, c.depth, m.rank, m.joined_at
            FROM tchain c JOIN group_member m ON m.group_id = c.id AND m.member_id = @member
            ORDER BY c.depth LIMIT 1
        ) hit ON TRUE
        WHERE t.id = @target AND t.app_id = {app} AND t.kind = 0
        """;

    private static string AsMemberGroupSql(string app) =>
        $"""
        WITH RECURSIVE
            tchain (id, parent_id, depth) AS ({string.Format(null, Chain, "@target", "tchain", MaxDepth, app)}),
            gchain (id, parent_id, depth) AS ({string.Format(null, Chain, "@memberGroup", "gchain", MaxDepth, app)})
        SELECT t.parent_id AS ParentId, t.is_connected AS IsConnected, t.invite_open AS InviteOpen, t.created_at AS CreatedAt,
               hit.group_id AS Via, hit.depth AS Depth, hit.rank AS Rank, hit.joined_at AS JoinedAt, usr.rank AS UserRank
        FROM grp t
        LEFT JOIN (
            SELECT m.group_id, c.depth, m.rank, m.joined_at
            FROM tchain c JOIN group_member m ON m.group_id = c.id AND m.member_id = @memberGroup
            ORDER BY c.depth LIMIT 1
        ) hit ON TRUE
        LEFT JOIN (
            SELECT m.rank
            FROM gchain c JOIN group_member m ON m.group_id = c.id AND m.member_id = @member
            ORDER BY c.depth LIMIT 1
        ) usr ON TRUE
        WHERE t.id = @target AND t.app_id = {app} AND t.kind = 0
        """;

    private static readonly string DirectByAppSql = DirectSql("@app");

    private static readonly string AsMemberGroupByAppSql = AsMemberGroupSql("@app");

    /// <summary>
    /// Resolves access of <paramref name="user"/> (a user id; for device-level user groups this is never used) to
    /// <paramref name="group"/>, optionally acting as the member group <paramref name="memberGroup"/>. Ids must be
    /// checked for UUID format by the caller (400/1) — here an unknown id is simply no access (310).
    /// </summary>
    public static async Task<GroupAccessResult> ResolveAsync(
        DbConnection connection, DbTransaction? transaction, AppId app, string group, string user, string? memberGroup, CancellationToken ct)
    {
        AccessRow? row = await connection.QuerySingleOrDefaultAsync<AccessRow>(new CommandDefinition(
            memberGroup is null ? DirectByAppSql : AsMemberGroupByAppSql,
            new { app = app.Value, target = group, member = user, memberGroup },
            transaction,
            cancellationToken: ct));
        return ToResult(row, group, user, memberGroup);
    }

    /// <summary>The access that the row of <see cref="Sql"/> describes (no row: the group is not of this app).</summary>
    internal static GroupAccessResult ToResult(AccessRow? row, string group, string user, string? memberGroup)
    {
        if (row is null || row.Via is null || row.Rank is null || row.JoinedAt is null
            || (memberGroup is not null && row.UserRank is null))
        {
            return GroupAccessResult.Denied;
        }

        bool direct = row.Depth == 0;
        GroupAccessBy accessBy = (memberGroup, direct) switch
        {
            (null, true) => new GroupAccessBy.User(),
            (null, false) => new GroupAccessBy.Parent(row.Via),
            (not null, true) => new GroupAccessBy.GroupAsUser(memberGroup),
            (not null, false) => new GroupAccessBy.GroupAsUserAsParent(row.Via, memberGroup),
        };

        // Via an ancestor the keys of the target are encrypted for its direct parent group (§5.2); via a member
        // group directly, for that group (§5.3).
        string member = direct ? memberGroup ?? user : row.ParentId!;
        int rank = memberGroup is null ? row.Rank.Value : Math.Max(row.Rank.Value, row.UserRank!.Value);
        return new GroupAccessResult(new GroupAccess(
            new GroupId(group), row.ParentId, row.IsConnected, row.InviteOpen, row.CreatedAt, rank, member, row.JoinedAt.Value, accessBy));
    }

    // Dapper row type: a class with setters converts SQLite's Int64 to int/bool (see AppStore).
    internal sealed class AccessRow
    {
        public string? ParentId { get; set; }

        public bool IsConnected { get; set; }

        public bool InviteOpen { get; set; }

        public long CreatedAt { get; set; }

        public string? Via { get; set; }

        public long? Depth { get; set; }

        public int? Rank { get; set; }

        public long? JoinedAt { get; set; }

        public int? UserRank { get; set; }
    }
}

/// <summary>Access or the protocol error to answer (400/310).</summary>
public readonly record struct GroupAccessResult(GroupAccess? Access)
{
    public static GroupAccessResult Denied => default;

    public ProtocolError? Error => Access is null ? ProtocolError.GroupAccess : null;
}

public static class GroupAccessExtensions
{
    /// <summary>The access resolved by the pipeline; only valid on routes that declare a <see cref="Auth.GroupAccessRequirement"/>.</summary>
    public static GroupAccess GroupAccess(this HttpContext context) =>
        context.Features.Get<GroupAccess>()
        ?? throw new InvalidOperationException("This route declares no group access requirement.");
}
