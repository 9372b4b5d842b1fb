namespace Coffer.Protocol.Groups;

/// <summary>
/// The state of one key rotation's fan-out (our own endpoint, outside the sentc paths; docs/openapi/coffer-extensions.yaml):
/// members to reach (<see cref="Total"/>, exact once finished), members reached (<see cref="Done"/>), start and finish
/// times in ms (<see cref="Finished"/> null while running) and <see cref="Status"/> <c>pending</c>, <c>running</c> or
/// <c>finished</c>.
/// </summary>
public sealed record KeyRotationProgress(
    string KeyId,
    string GroupId,
    long Total,
    long Done,
    long Started,
    long? Finished,
    string Status)
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string FinishedStatus = "finished";
}
