using Coffer.Protocol;

namespace Coffer.Server.Features.Groups;

/// <summary>The pure rules of groups (no SQL): input formats and the checks that need only the resolved access.</summary>
public static class GroupRules
{
    /// <summary>A connected group cannot be created from a connected group (§4.10: 318).</summary>
    public static ProtocolError? ConnectedFrom(GroupAccess access) =>
        access.IsConnected ? ProtocolError.GroupConnectedFromConnected : null;

    /// <summary>
    /// The member group of the <c>x-sentc-group-access-id</c> header, or null. On G routes the request pipeline has
    /// already answered 400/1 for a value that is not a UUID.
    /// </summary>
    public static string? MemberGroupHeader(HttpContext context) =>
        context.Request.Headers[GroupAccessResolver.AccessHeader].ToString() is { Length: > 0 } value ? value : null;
}
