using Coffer.Protocol;
using Coffer.Protocol.Keys;
using Coffer.Server.Api;
using Coffer.Server.Auth;

namespace Coffer.Server.Features.Keys;

/// <summary>Symmetric key management (api.md §4.17): register and delete with a JWT, read with the app token only.</summary>
public static class SymKeyEndpoints
{
    public static IEndpointRouteBuilder MapSymKeys(this IEndpointRouteBuilder api)
    {
        api.MapPost("/keys/sym_key", RegisterAsync).RequireAppToken(AppOption.KeyRegister).RequireJwt();
        api.MapDelete("/keys/sym_key/{keyId}", DeleteAsync).RequireAppToken(AppOption.KeyRegister).RequireJwt();
        api.MapGet("/keys/sym_key/{keyId}", GetAsync).RequireAppToken(AppOption.KeyGet);
        api.MapGet("/keys/sym_key/master_key/{masterKeyId}/{lastTime}/{lastId}", ByMasterKeyAsync).RequireAppToken(AppOption.KeyGet);
        return api;
    }

    public static async Task<IResult> RegisterAsync(
        JsonBody<GeneratedSymKeyHeadServerInput> body, HttpContext context, SymKeyStore keys, CancellationToken ct) =>
        Reply.Ok(new GeneratedSymKeyHeadServerRegisterOutput(
            await keys.RegisterAsync(context.Identity().App, context.Identity().User, body.Value, ct)));

    public static async Task<IResult> DeleteAsync(string keyId, HttpContext context, SymKeyStore keys, CancellationToken ct)
    {
        await keys.DeleteAsync(context.Identity().App, context.Identity().User, keyId, ct);
        return Reply.Success();
    }

    public static async Task<IResult> GetAsync(string keyId, HttpContext context, SymKeyStore keys, CancellationToken ct) =>
        await keys.GetAsync(context.Identity().App, keyId, ct) is GeneratedSymKeyHeadServerOutput key
            ? Reply.Ok(key)
            : Reply.Error(ProtocolError.KeyNotFound);

    public static async Task<IResult> ByMasterKeyAsync(
        string masterKeyId, string lastTime, string lastId, HttpContext context, SymKeyStore keys, CancellationToken ct) =>
        PageCursor.TryParseTime(lastTime, out long time)
            ? Reply.Ok(await keys.ByMasterKeyAsync(context.Identity().App, masterKeyId, time, lastId, ct))
            : Reply.Error(ProtocolError.UnexpectedTime);
}
