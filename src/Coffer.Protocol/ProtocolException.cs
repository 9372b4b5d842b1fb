namespace Coffer.Protocol;

/// <summary>
/// Carries a <see cref="ProtocolError"/> out of places that have no return channel (parameter binding in the
/// ASP.NET Core pipeline). Handlers and stores return errors as values instead of throwing this.
/// </summary>
public sealed class ProtocolException(ProtocolError error) : Exception(error.Message)
{
    public ProtocolError Error { get; } = error;
}
