using Coffer.Protocol.Groups;

namespace Coffer.Client.Groups;

/// <summary>
/// The finishing loop shared by group and user-key rotations: pending rotations come oldest first, so each one's
/// previous key is normally known by then; a rotation whose previous key is another pending rotation's new key is
/// retried in the next round (at most 10, as the official client). Rotations the server could not encrypt for this
/// member (<see cref="KeyRotationInput.Error"/>) are skipped and reported after the others are finished.
/// </summary>
internal static class PendingRotations
{
    private const int MaxRounds = 10;

    /// <param name="pending">The server's pending rotations for this member.</param>
    /// <param name="findPrevious">The rotation's previous key (fetched if needed), or null while it is not available.</param>
    /// <param name="finishOne">Finishes one rotation with its previous key.</param>
    /// <param name="missing">The exception for a rotation whose previous key never became available (its key id).</param>
    /// <returns>The new key ids, in the order they were finished.</returns>
    public static async Task<IReadOnlyList<string>> FinishAllAsync<TKey>(
        IReadOnlyList<KeyRotationInput> pending,
        Func<string, Task<TKey?>> findPrevious,
        Func<KeyRotationInput, TKey, Task> finishOne,
        Func<string, Exception> missing)
        where TKey : class
    {
        var finished = new List<string>();
        string? failed = null;
        List<KeyRotationInput> open = [.. pending];
        for (int round = 0; round < MaxRounds && open.Count > 0; round++)
        {
            var waiting = new List<KeyRotationInput>();
            foreach (KeyRotationInput rotation in open)
            {
                if (rotation.Error is not null)
                {
                    failed ??= rotation.NewGroupKeyId;
                    continue;
                }

                TKey? previous = await findPrevious(rotation.PreviousGroupKeyId).ConfigureAwait(false);
                if (previous is null)
                {
                    waiting.Add(rotation);
                    continue;
                }

                await finishOne(rotation, previous).ConfigureAwait(false);
                finished.Add(rotation.NewGroupKeyId);
            }

            if (waiting.Count == open.Count)
            {
                break; // no progress: the previous keys are missing for good
            }

            open = waiting;
        }

        if (open.Find(r => r.Error is null) is { } stuck)
        {
            throw missing(stuck.PreviousGroupKeyId);
        }

        return failed is null ? finished : throw CofferException.RotationFailed(failed);
    }
}
