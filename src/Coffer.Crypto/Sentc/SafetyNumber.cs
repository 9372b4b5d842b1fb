using System.Security.Cryptography;
using System.Text;
using Coffer.Crypto.Formats;

namespace Coffer.Crypto.Sentc;

/// <summary>
/// The safety number two users compare out of band (crypto-std.md §13):
/// <c>base64url(SHA-256(vkA ‖ idA [‖ vkB ‖ idB]))</c> with raw verify-key bytes, the pair ordered so that the second
/// user id is the bytewise greater one — both sides compute the same number.
/// </summary>
public static class SafetyNumber
{
    public static string Compute(VerifyKey verifyKey, string userId) => Hash([(verifyKey, userId)]);

    public static string Compute(VerifyKey verifyKeyA, string userIdA, VerifyKey verifyKeyB, string userIdB)
    {
        byte[] a = Encoding.UTF8.GetBytes(userIdA);
        byte[] b = Encoding.UTF8.GetBytes(userIdB);

        // If A's id is greater, B goes first; equal ids keep the given order reversed (B first), as sentc does.
        bool aFirst = a.AsSpan().SequenceCompareTo(b) < 0;
        return aFirst
            ? Hash([(verifyKeyA, userIdA), (verifyKeyB, userIdB)])
            : Hash([(verifyKeyB, userIdB), (verifyKeyA, userIdA)]);
    }

    private static string Hash((VerifyKey Key, string UserId)[] parts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach ((VerifyKey key, string userId) in parts)
        {
            sha.AppendData(key.Bytes);
            sha.AppendData(Encoding.UTF8.GetBytes(userId));
        }

        return StrictBase64.EncodeUrl(sha.GetHashAndReset());
    }
}
