using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Coffer.Protocol;
using Coffer.Server;
using Coffer.Server.Features.Groups;
using Coffer.Server.Features.Users;
using PlatformGroups = Coffer.Server.Features.Groups.GroupStore;

namespace Coffer.Chat.Platform;

/// <summary>How a forced removal from a platform group ended.</summary>
public enum PlatformKick
{
    /// <summary>The member was removed (or was not a member: nothing to remove).</summary>
    Done,

    /// <summary>The acting user may not remove the member (not a member, rank too weak, or the member is the creator).</summary>
    Refused,
}

/// <summary>
/// What the chat backend asks of the Coffer platform for secret groups, with the app's authority (its secret token):
/// who is a member of a platform group with which rank, its newest key id, forced removal and deletion. In-process
/// (<see cref="InProcessCofferPlatform"/>) it calls the platform's stores; standalone (<see cref="HttpCofferPlatform"/>)
/// the forced endpoints of api.md §4.15 over HTTP. Group and user ids are the platform's.
/// </summary>
public interface ICofferPlatform
{
    /// <summary>The user's direct rank in the group (0 creator … 4 member); null when the app has no such group or the user is not a direct member.</summary>
    Task<int?> RankAsync(string group, string user, CancellationToken ct);

    /// <summary>The group's newest key id; null when the app has no such group.</summary>
    Task<string?> NewestKeyIdAsync(string group, CancellationToken ct);

    /// <summary>The id of the user's newest public key (what group keys handed to them are wrapped for); null for an unknown user.</summary>
    Task<string?> UserPublicKeyIdAsync(string user, CancellationToken ct);

    /// <summary>Removes <paramref name="target"/> from the group acting as <paramref name="actor"/> (rank ≤ 2 and not weaker than the target).</summary>
    Task<PlatformKick> KickAsync(string group, string actor, string target, CancellationToken ct);

    /// <summary>Deletes the group (with its keys); nothing happens when it does not exist.</summary>
    Task DeleteGroupAsync(string group, CancellationToken ct);
}

/// <summary>The platform in the same process: its stores, scoped to the chat's app.</summary>
public sealed class InProcessCofferPlatform(AppId app, PlatformGroups groups, GroupMemberStore members, UserStore users) : ICofferPlatform
{
    public async Task<int?> RankAsync(string group, string user, CancellationToken ct) =>
        IsId(group) && (await groups.DirectMemberAsync(app, group, user, ct)).Member is { } member ? member.Rank : null;

    public async Task<string?> NewestKeyIdAsync(string group, CancellationToken ct) =>
        IsId(group) ? (await users.GroupPublicKeyAsync(app, group, ct))?.PublicKeyId : null;

    public async Task<string?> UserPublicKeyIdAsync(string user, CancellationToken ct) =>
        IsId(user) ? (await users.UserPublicKeyAsync(app, user, null, ct))?.PublicKeyId : null;

    public async Task<PlatformKick> KickAsync(string group, string actor, string target, CancellationToken ct)
    {
        MemberOutcome outcome = await members.KickAsync(new GroupActor(app, actor, null), group, target, ct);
        return outcome.Error is null || outcome.Error.Code == ProtocolError.GroupUserNotFound.Code ? PlatformKick.Done : PlatformKick.Refused;
    }

    public async Task DeleteGroupAsync(string group, CancellationToken ct)
    {
        if (IsId(group))
        {
            await groups.ForcedDeleteAsync(app, group, ct);
        }
    }

    private static bool IsId(string group) => Guid.TryParse(group, out _);
}

/// <summary>
/// A remote Coffer server (standalone chat): the forced endpoints with the app's secret token. Failures other than the
/// platform's "no such group/member" answers are thrown (the chat request then fails and nothing was written).
/// </summary>
public sealed class HttpCofferPlatform(HttpClient http, Uri cofferUrl, string secretToken) : ICofferPlatform
{
    private readonly string prefix = cofferUrl.ToString().TrimEnd('/') + "/api/v1";

    public async Task<int?> RankAsync(string group, string user, CancellationToken ct)
    {
        (bool ok, JsonElement result) = await SendAsync(HttpMethod.Get, $"/group/forced/{Esc(group)}/user/{Esc(user)}", ct);
        return ok ? result.GetProperty("rank").GetInt32() : null;
    }

    public async Task<string?> NewestKeyIdAsync(string group, CancellationToken ct)
    {
        (bool ok, JsonElement result) = await SendAsync(HttpMethod.Get, $"/group/{Esc(group)}/public_key", ct);
        return ok ? result.GetProperty("public_key_id").GetString() : null;
    }

    public async Task<string?> UserPublicKeyIdAsync(string user, CancellationToken ct)
    {
        (bool ok, JsonElement result) = await SendAsync(HttpMethod.Get, $"/user/{Esc(user)}/public_key", ct);
        return ok ? result.GetProperty("public_key_id").GetString() : null;
    }

    public async Task<PlatformKick> KickAsync(string group, string actor, string target, CancellationToken ct)
    {
        (bool ok, JsonElement error) = await SendAsync(HttpMethod.Delete, $"/group/forced/{Esc(actor)}/{Esc(group)}/kick/{Esc(target)}", ct);
        return ok || error.GetProperty("err_code").GetInt32() == ProtocolError.GroupUserNotFound.Code ? PlatformKick.Done : PlatformKick.Refused;
    }

    public async Task DeleteGroupAsync(string group, CancellationToken ct) =>
        await SendAsync(HttpMethod.Delete, $"/group/forced/{Esc(group)}", ct);

    /// <summary>(true, result) on success; (false, the error envelope) on a protocol error; throws when the server is unreachable or answers no envelope.</summary>
    private async Task<(bool Ok, JsonElement Body)> SendAsync(HttpMethod method, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, prefix + path);
        request.Headers.TryAddWithoutValidation("x-sentc-app-token", secretToken);
        request.Content = new StringContent("", Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        using HttpResponseMessage response = await http.SendAsync(request, ct);
        string text = await response.Content.ReadAsStringAsync(ct);
        JsonElement root;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(text);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"The Coffer server answered {(int)response.StatusCode} without an envelope.", e);
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out JsonElement status))
        {
            throw new InvalidOperationException($"The Coffer server answered {(int)response.StatusCode} without an envelope.");
        }

        if (status.GetBoolean())
        {
            return (true, root.TryGetProperty("result", out JsonElement result) ? result : default);
        }

        int code = root.TryGetProperty("err_code", out JsonElement c) ? c.GetInt32() : 0;
        // Wrong token or app configuration is the operator's problem, not the caller's: fail loudly.
        return code is (>= 10 and < 100) or (>= 200 and < 300)
            ? throw new InvalidOperationException($"The Coffer server refused the chat's request (err_code {code}); check the secret token.")
            : (false, root);
    }

    private static string Esc(string value) => Uri.EscapeDataString(value);
}
