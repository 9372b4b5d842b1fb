using System.Security.Cryptography;
using Coffer.Chat.Api;

namespace Coffer.Chat.Groups;

/// <summary>Group types of the seed: public (searchable, joinable by id), private and secret (invite code only).</summary>
public static class GroupTypes
{
    public const string Public = "public";
    public const string Private = "private";
    public const string Secret = "secret";

    public static bool HasInviteCode(string type) => type != Public;
}

/// <summary>
/// Roles and their powers (README "Coffer.Chat"): admin — everything (update, delete, roles, invite code, add and
/// remove anyone); moderator — add members, remove plain members, delete others' messages; member — read, write,
/// edit and delete own messages, leave. A group always keeps at least one admin.
/// </summary>
public static class GroupRoles
{
    public const string Admin = "admin";
    public const string Moderator = "moderator";
    public const string Member = "member";

    public static bool IsValid(string role) => role is Admin or Moderator or Member;

    public static bool CanAdminister(string? role) => role == Admin;

    public static bool CanAddMembers(string? role) => role is Admin or Moderator;

    public static bool CanRemove(string? role, string targetRole) => role == Admin || (role == Moderator && targetRole == Member);

    public static bool CanModerateMessages(string? role) => role is Admin or Moderator;

    /// <summary>Who may see (and so hand out) the invite code of a private or secret group.</summary>
    public static bool SeesInviteCode(string? role) => role is Admin or Moderator;
}

public static class InviteCodes
{
    /// <summary>128 random bits, base64url without padding (22 characters).</summary>
    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public const int MaxLength = 50;

    public static string Check(string? code) =>
        code is { Length: > 0 and <= MaxLength } ? code : throw ChatProblem.BadRequest("invite_code is invalid");
}
