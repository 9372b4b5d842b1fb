namespace Coffer.Client;

// Ids as value types (style.md): a user id cannot be passed where a device id is expected. On the wire they are
// the server's opaque strings; key ids stay strings because Coffer.Crypto keys carry them as such.

/// <summary>A user's id.</summary>
/// <param name="Value">The id as the server issued it.</param>
public readonly record struct UserId(string Value)
{
    /// <inheritdoc/>
    public override string ToString() => Value;
}

/// <summary>A device's id (also the id of the device's key pairs).</summary>
/// <param name="Value">The id as the server issued it.</param>
public readonly record struct DeviceId(string Value)
{
    /// <inheritdoc/>
    public override string ToString() => Value;
}

/// <summary>A group's id (the user group, or a group the user is invited to).</summary>
/// <param name="Value">The id as the server issued it.</param>
public readonly record struct GroupId(string Value)
{
    /// <inheritdoc/>
    public override string ToString() => Value;
}
