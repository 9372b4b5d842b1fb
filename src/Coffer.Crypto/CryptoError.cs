namespace Coffer.Crypto;

/// <summary>
/// The closed set of expected crypto failures. The numbers are the sentc client error codes (<c>client_N</c>) that
/// the official client reports for the same condition, so both SDKs tell a user the same thing.
/// </summary>
public enum CryptoError
{
    /// <summary>client_10: the data is not valid (strict, padded) base64, has no head, or is not UTF-8 text.</summary>
    DataMalformed = 10,

    /// <summary>client_14: authentication failed: a wrong key or tampered data.</summary>
    DecryptionFailed = 14,

    /// <summary>client_20: the data was signed by another key than the verify key given.</summary>
    VerifyKeyMismatch = 20,

    /// <summary>client_22: the signature does not verify.</summary>
    SignatureInvalid = 22,

    /// <summary>client_23: signed data is shorter than its signature.</summary>
    SignedDataTooShort = 23,

    /// <summary>client_30: a wrapped key could not be decrypted or has the wrong length.</summary>
    KeyDecryptionFailed = 30,

    /// <summary>client_31: the signature over a group key does not verify.</summary>
    KeySignatureInvalid = 31,

    /// <summary>client_61: the sortable plaintext is above 65532.</summary>
    SortableValueTooLarge = 61,

    /// <summary>client_100: the algorithm identifier is not one this library knows.</summary>
    AlgorithmNotSupported = 100,

    /// <summary>client_109: the key JSON cannot be imported.</summary>
    KeyImportFailed = 109,

    /// <summary>client_112: a symmetric key cannot be imported.</summary>
    SymmetricKeyImportFailed = 112,

    /// <summary>client_115: a public or verify key has a wrong format (PEM, length).</summary>
    KeyFormatInvalid = 115,

    /// <summary>client_300: the data to hash is longer than 200 bytes.</summary>
    SearchableInputTooLong = 300,

    /// <summary>client_301: the data to hash is empty.</summary>
    SearchableInputEmpty = 301,
}

/// <summary>An expected crypto failure. The message never contains key material or plaintext.</summary>
public sealed class CryptoException : Exception
{
    public CryptoException(CryptoError error)
        : base(Describe(error)) => Error = error;

    public CryptoError Error { get; }

    /// <summary>The sentc wire code of the error, e.g. <c>client_14</c>.</summary>
    public string Code => $"client_{(int)Error}";

    public static string Describe(CryptoError error) => error switch
    {
        CryptoError.DataMalformed => "The encrypted data cannot be decoded.",
        CryptoError.DecryptionFailed => "The data cannot be decrypted: a wrong key was used or the data was changed.",
        CryptoError.VerifyKeyMismatch => "The data was signed by another key than the verify key given.",
        CryptoError.SignatureInvalid => "The signature does not verify.",
        CryptoError.SignedDataTooShort => "The signed data is shorter than its signature.",
        CryptoError.KeyDecryptionFailed => "The key cannot be decrypted: a wrong key was used or the key was changed.",
        CryptoError.KeySignatureInvalid => "The signature over the key does not verify.",
        CryptoError.SortableValueTooLarge => "The sortable value is larger than 65532.",
        CryptoError.AlgorithmNotSupported => "The algorithm is not supported.",
        CryptoError.KeyImportFailed => "The key cannot be imported.",
        CryptoError.SymmetricKeyImportFailed => "The symmetric key cannot be imported.",
        CryptoError.KeyFormatInvalid => "The key has a wrong format.",
        CryptoError.SearchableInputTooLong => "The data to hash is longer than 200 bytes.",
        CryptoError.SearchableInputEmpty => "The data to hash is empty.",
        _ => throw new ArgumentOutOfRangeException(nameof(error)),
    };
}
