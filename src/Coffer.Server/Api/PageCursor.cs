using System.Globalization;

namespace Coffer.Server.Api;

/// <summary>The keyset cursor of list routes (api.md §1.8): <c>…/:last_fetched_time/:last_id</c>.</summary>
public static class PageCursor
{
    /// <summary>The <c>last_fetched_time</c> path segment: an unsigned integer (else 400/13).</summary>
    public static bool TryParseTime(string value, out long time) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out time);
}
