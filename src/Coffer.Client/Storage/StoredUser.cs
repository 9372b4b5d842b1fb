using System.Text.Json;
using Coffer.Client.Http;
using Coffer.Crypto;
using Coffer.Protocol.Groups;

namespace Coffer.Client.Storage;

/// <summary>A logged-in user as the SDK saves it in an <see cref="IKeyStore"/>: keys in Coffer.Crypto's export JSON.</summary>
internal sealed record StoredUser(
    int Version,
    string Identifier,
    string UserId,
    string DeviceId,
    string UserGroupId,
    string Jwt,
    string RefreshToken,
    StoredDeviceKeys Device,
    IReadOnlyList<StoredUserKey> UserKeys,
    IReadOnlyList<GroupHmacData> HmacKeys)
{
    public const int CurrentVersion = 1;

    public string ToJson() => ClientJson.Write(this);

    public static StoredUser Parse(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            StoredUser stored = ClientJson.Read<StoredUser>(document.RootElement);
            return stored.Version == CurrentVersion ? stored : throw CofferException.FromSdk(SdkError.KeyStoreUnreadable);
        }
        catch (Exception exception) when (exception is JsonException || (exception is CofferException c && c.SdkError == SdkError.ResponseInvalid))
        {
            throw CofferException.FromSdk(SdkError.KeyStoreUnreadable, inner: exception);
        }
    }
}

internal sealed record StoredDeviceKeys(string PrivateKey, string PublicKey, string SignKey, string VerifyKey)
{
    public static StoredDeviceKeys From(DeviceKeys keys) =>
        new(keys.PrivateKey.ExportJson(), keys.PublicKey.ExportJson(), keys.SignKey.ExportJson(), keys.VerifyKey.ExportJson());

    public DeviceKeys Import() => CofferException.Crypto(() =>
    {
        PrivateKey privateKey = Coffer.Crypto.PrivateKey.ImportJson(PrivateKey);
        try
        {
            return new DeviceKeys(
                privateKey, Coffer.Crypto.PublicKey.ImportJson(PublicKey), Coffer.Crypto.SignKey.ImportJson(SignKey),
                Coffer.Crypto.VerifyKey.ImportJson(VerifyKey));
        }
        catch
        {
            privateKey.Dispose();
            throw;
        }
    });
}

internal sealed record StoredUserKey(
    string GroupKey,
    string PrivateKey,
    string PublicKey,
    string SignKey,
    string VerifyKey,
    long Time,
    string? PublicKeySig = null,
    string? PublicKeySigKeyId = null)
{
    public static StoredUserKey From(UserKey key) => new(
        key.GroupKey.ExportJson(), key.PrivateKey.ExportJson(), key.PublicKey.ExportJson(), key.SignKey.ExportJson(),
        key.VerifyKey.ExportJson(), key.Time, key.PublicKeySignature, key.PublicKeySignatureKeyId);

    public UserKey Import() => CofferException.Crypto(() =>
    {
        var secrets = new List<IDisposable>(3);
        try
        {
            SymmetricKey groupKey = SymmetricKey.ImportJson(GroupKey);
            secrets.Add(groupKey);
            PrivateKey privateKey = Coffer.Crypto.PrivateKey.ImportJson(PrivateKey);
            secrets.Add(privateKey);
            SignKey signKey = Coffer.Crypto.SignKey.ImportJson(SignKey);
            return new UserKey(
                groupKey, privateKey, Coffer.Crypto.PublicKey.ImportJson(PublicKey), signKey,
                Coffer.Crypto.VerifyKey.ImportJson(VerifyKey), Time, PublicKeySig, PublicKeySigKeyId);
        }
        catch
        {
            secrets.ForEach(s => s.Dispose());
            throw;
        }
    });
}
