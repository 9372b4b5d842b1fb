using System.Net;
using Coffer.Crypto;
using Coffer.Protocol;

namespace Coffer.Client;

/// <summary>Where a <see cref="CofferException"/> comes from.</summary>
public enum CofferErrorOrigin
{
    /// <summary>The server answered <c>{"status":false,"err_code":N,…}</c>; the code is <c>server_N</c>.</summary>
    Server,

    /// <summary>A crypto operation failed (<see cref="CryptoError"/>); the code is <c>client_N</c>, as in the official client.</summary>
    Crypto,

    /// <summary>The SDK itself (<see cref="SdkError"/>); the code is <c>sdk_N</c>.</summary>
    Sdk,
}

/// <summary>Failures the SDK itself detects (neither a server error nor a crypto error).</summary>
public enum SdkError
{
    /// <summary>sdk_1: the server could not be reached or the connection broke.</summary>
    Network = 1,

    /// <summary>sdk_2: the server's answer is not the expected JSON (not an envelope, or a result of the wrong shape).</summary>
    ResponseInvalid = 2,

    /// <summary>sdk_3: a user key needed for this operation is not known to this device.</summary>
    UserKeyNotFound = 3,

    /// <summary>sdk_4: the user's public key is not signed by the user's verify key, or the signature does not verify.</summary>
    PublicKeyNotVerified = 4,

    /// <summary>sdk_5: the key store entry cannot be read: a wrong store key or passphrase, or a damaged entry.</summary>
    KeyStoreUnreadable = 5,

    /// <summary>sdk_6: the JWT the server issued cannot be read.</summary>
    JwtInvalid = 6,

    /// <summary>sdk_7: the login needs a second factor; complete it with a TOTP code or a recovery code.</summary>
    MfaRequired = 7,

    /// <summary>
    /// sdk_8 ("key required"): the data names a group key that this group does not have and the server does not give
    /// this member (<see cref="CofferException.MissingKeyId"/> says which). Usually the member has not finished a key
    /// rotation yet, or joined after the key was dropped; the official client calls it <c>KeyRequired</c>.
    /// </summary>
    GroupKeyRequired = 8,

    /// <summary>sdk_9: a key rotation's fan-out did not finish within the time the caller allowed (it goes on on the server).</summary>
    KeyRotationTimeout = 9,

    /// <summary>
    /// sdk_10: the server could not encrypt a key rotation for this member (the pending rotation carries an error,
    /// api.md §6.4), so the new key cannot be obtained this way; a group manager re-invites the member.
    /// </summary>
    KeyRotationFailed = 10,
}

/// <summary>
/// The one exception type of the SDK for expected failures: a server error (<c>server_N</c> with the API's
/// <c>err_code</c>), a crypto error (<c>client_N</c>, the code the official client reports) or an SDK error
/// (<c>sdk_N</c>). Messages never contain key material, passwords or plaintext.
/// </summary>
public sealed class CofferException : Exception
{
    private CofferException(
        CofferErrorOrigin origin, int number, string message, HttpStatusCode? httpStatus, Exception? inner, string? missingKeyId = null)
        : base(message, inner)
    {
        Origin = origin;
        Number = number;
        HttpStatus = httpStatus;
        MissingKeyId = missingKeyId;
    }

    /// <summary>Whether the server, the crypto library or the SDK reported the failure.</summary>
    public CofferErrorOrigin Origin { get; }

    /// <summary>The numeric code: the server's <c>err_code</c>, the <see cref="CryptoError"/> or the <see cref="SdkError"/> value.</summary>
    public int Number { get; }

    /// <summary>The code as text: <c>server_112</c>, <c>client_14</c> or <c>sdk_2</c>.</summary>
    public string Code => Origin switch
    {
        CofferErrorOrigin.Server => $"server_{Number}",
        CofferErrorOrigin.Crypto => $"client_{Number}",
        CofferErrorOrigin.Sdk => $"sdk_{Number}",
    };

    /// <summary>The HTTP status of the answer, when the failure came with one.</summary>
    public HttpStatusCode? HttpStatus { get; }

    /// <summary>The server's error, when <see cref="Origin"/> is <see cref="CofferErrorOrigin.Server"/>.</summary>
    public int? ServerCode => Origin == CofferErrorOrigin.Server ? Number : null;

    /// <summary>The crypto error, when <see cref="Origin"/> is <see cref="CofferErrorOrigin.Crypto"/>.</summary>
    public CryptoError? CryptoError => Origin == CofferErrorOrigin.Crypto ? (CryptoError)Number : null;

    /// <summary>The SDK error, when <see cref="Origin"/> is <see cref="CofferErrorOrigin.Sdk"/>.</summary>
    public SdkError? SdkError => Origin == CofferErrorOrigin.Sdk ? (SdkError)Number : null;

    /// <summary>True when the server answered with the given protocol error.</summary>
    public bool Is(ProtocolError error) => Origin == CofferErrorOrigin.Server && Number == error.Code;

    /// <summary>
    /// The id of the group key that is missing, when the error is <see cref="Client.SdkError.GroupKeyRequired"/> or
    /// <see cref="Client.SdkError.KeyRotationFailed"/>.
    /// </summary>
    public string? MissingKeyId { get; }

    /// <summary>
    /// True when a signature check failed: a group key whose signature does not verify (<c>client_31</c>), signed data
    /// whose signature does not verify (<c>client_22</c>) or that names another signer than the verify key given
    /// (<c>client_20</c>), or a public key that is not verified (<c>sdk_4</c>).
    /// </summary>
    public bool IsVerificationFailure => Origin switch
    {
        CofferErrorOrigin.Crypto => (global::Coffer.Crypto.CryptoError)Number is global::Coffer.Crypto.CryptoError.KeySignatureInvalid
            or global::Coffer.Crypto.CryptoError.SignatureInvalid or global::Coffer.Crypto.CryptoError.VerifyKeyMismatch,
        CofferErrorOrigin.Sdk => (SdkError)Number == Client.SdkError.PublicKeyNotVerified,
        _ => false,
    };

    internal static CofferException FromServer(int errCode, string message, HttpStatusCode? status) =>
        new(CofferErrorOrigin.Server, errCode, message, status, null);

    internal static CofferException FromCrypto(CryptoException exception) =>
        new(CofferErrorOrigin.Crypto, (int)exception.Error, exception.Message, null, exception);

    internal static CofferException FromSdk(SdkError error, HttpStatusCode? status = null, Exception? inner = null) =>
        new(CofferErrorOrigin.Sdk, (int)error, Describe(error), status, inner);

    internal static CofferException KeyRequired(string keyId, Exception? inner = null) =>
        new(CofferErrorOrigin.Sdk, (int)Client.SdkError.GroupKeyRequired, Describe(Client.SdkError.GroupKeyRequired), null, inner, keyId);

    /// <summary><see cref="Client.SdkError.KeyRotationFailed"/>; <see cref="MissingKeyId"/> names the new key the member cannot obtain.</summary>
    internal static CofferException RotationFailed(string keyId) =>
        new(CofferErrorOrigin.Sdk, (int)Client.SdkError.KeyRotationFailed, Describe(Client.SdkError.KeyRotationFailed), null, null, keyId);

    private static string Describe(SdkError error) => error switch
    {
        Client.SdkError.Network => "The server cannot be reached.",
        Client.SdkError.ResponseInvalid => "The server's answer has an unexpected format.",
        Client.SdkError.UserKeyNotFound => "The user key is not known to this device.",
        Client.SdkError.PublicKeyNotVerified => "The public key is not signed by the user, or the signature does not verify.",
        Client.SdkError.KeyStoreUnreadable => "The key store entry cannot be read: wrong key or damaged data.",
        Client.SdkError.JwtInvalid => "The jwt cannot be read.",
        Client.SdkError.MfaRequired => "The login needs a TOTP code or a recovery code.",
        Client.SdkError.GroupKeyRequired => "The group key that encrypted the data is not available to this member.",
        Client.SdkError.KeyRotationTimeout => "The key rotation did not finish within the allowed time.",
        Client.SdkError.KeyRotationFailed => "The server could not encrypt the key rotation for this member; the member must be re-invited.",
        _ => throw new ArgumentOutOfRangeException(nameof(error)),
    };

    /// <summary>Runs crypto code and turns a <see cref="CryptoException"/> into a <see cref="CofferException"/>.</summary>
    internal static T Crypto<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (CryptoException exception)
        {
            throw FromCrypto(exception);
        }
    }
}
