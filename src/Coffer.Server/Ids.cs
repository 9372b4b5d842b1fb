namespace Coffer.Server;

// Ids as value types (style.md): a user id cannot be passed where a device id is expected. All ids the server
// creates are random lowercase UUID v4 (api.md §1.7).

public readonly record struct AppId(string Value)
{
    public override string ToString() => Value;
}

public readonly record struct UserId(string Value)
{
    public override string ToString() => Value;
}

public readonly record struct DeviceId(string Value)
{
    public override string ToString() => Value;
}

public readonly record struct GroupId(string Value)
{
    public override string ToString() => Value;
}

public readonly record struct GroupKeyId(string Value)
{
    public override string ToString() => Value;
}

public readonly record struct JwtKeyId(string Value)
{
    public override string ToString() => Value;
}

public static class NewId
{
    public static string Uuid() => Guid.NewGuid().ToString("D");

    /// <summary>UUID check of api.md §1.7: hyphenated form, version 4 or 7 accepted.</summary>
    public static bool IsUuid(string value) =>
        value.Length == 36 && Guid.TryParseExact(value, "D", out Guid guid) && guid.Version is 4 or 7;
}
