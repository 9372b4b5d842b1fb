namespace Coffer.Client.Groups;

/// <summary>
/// Group ranks (api.md §3): a smaller number is more power. 0 creator, 1 admin, 2 manager (invites, join requests,
/// kicks), 3 and 4 members; new members get 4 unless the inviter gives another rank.
/// </summary>
public static class GroupRank
{
    /// <summary>The creator: full control; cannot be kicked or demoted.</summary>
    public const int Creator = 0;

    /// <summary>Admins: everything but removing the creator (ranks, child and connected groups, delete, stop invites).</summary>
    public const int Admin = 1;

    /// <summary>Managers: invite, accept or reject join requests, kick members of the same or a weaker rank.</summary>
    public const int Manager = 2;

    /// <summary>A member rank the app may use for its own purposes (e.g. content management).</summary>
    public const int Editor = 3;

    /// <summary>The default rank of a new member.</summary>
    public const int Member = 4;
}

/// <summary>What kind of member a member row is.</summary>
public enum GroupMemberKind
{
    /// <summary>A user.</summary>
    User = 0,

    /// <summary>The parent group (the creator row of a child group).</summary>
    ParentGroup = 1,

    /// <summary>A group that is a member of this (connected) group.</summary>
    Group = 2,
}

/// <summary>A direct member of a group (GET /group/:gid/member).</summary>
/// <param name="MemberId">The user id, or the group id for group members.</param>
/// <param name="Rank">The member's rank (see <see cref="GroupRank"/>).</param>
/// <param name="JoinedTime">When the member joined, milliseconds since the Unix epoch.</param>
/// <param name="Kind">A user, the parent group or a member group.</param>
public sealed record GroupMember(string MemberId, int Rank, long JoinedTime, GroupMemberKind Kind);

/// <summary>A group the user (or a group) is a direct member of.</summary>
/// <param name="GroupId">The group.</param>
/// <param name="Time">When the group was created, milliseconds since the Unix epoch (the paging key).</param>
/// <param name="JoinedTime">When the membership began.</param>
/// <param name="Rank">The rank in that group.</param>
/// <param name="ParentGroupId">The group's parent, for child groups.</param>
public sealed record GroupListItem(GroupId GroupId, long Time, long JoinedTime, int Rank, GroupId? ParentGroupId);

/// <summary>A direct child of a group.</summary>
/// <param name="GroupId">The child group.</param>
/// <param name="Time">When the child was created, milliseconds since the Unix epoch.</param>
/// <param name="ParentGroupId">Its parent.</param>
public sealed record ChildGroup(GroupId GroupId, long Time, GroupId? ParentGroupId);

/// <summary>A pending join request, as the group's managers see it.</summary>
/// <param name="MemberId">The requesting user id, or group id for a group's request.</param>
/// <param name="Time">When the request was made, milliseconds since the Unix epoch.</param>
/// <param name="Kind">A user or a group.</param>
public sealed record GroupJoinRequest(string MemberId, long Time, GroupMemberKind Kind);

/// <summary>A join request the user (or a group) has sent and that is still pending.</summary>
/// <param name="GroupId">The group asked to join.</param>
/// <param name="Time">When the request was made, milliseconds since the Unix epoch.</param>
public sealed record SentJoinRequest(GroupId GroupId, long Time);

/// <summary>The bodies for a new member's keys: the first request and the key-session pages (50 keys each).</summary>
/// <param name="Body">The body of the invite, auto invite, re-invite or join accept (<c>GroupKeysForNewMemberServerInput</c>).</param>
/// <param name="SessionPages">Bodies for <c>PUT …/invite/session/{id}</c> or <c>…/join_req/session/{id}</c>; empty up to 50 keys.</param>
public sealed record NewMemberKeysBodies(string Body, IReadOnlyList<string> SessionPages);
