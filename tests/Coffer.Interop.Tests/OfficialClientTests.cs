namespace Coffer.Interop.Tests;

/// <summary>The harness itself: a hung call fails within its timeout, and the next call gets a fresh official client.</summary>
public class OfficialClientTests(OfficialClient wasm) : IClassFixture<OfficialClient>
{
    [Fact]
    public async Task CallWithTimeout_DriverDoesNotAnswer_TimesOutAndNextCallWorks()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAsync<TimeoutException>(() => wasm.CallWithTimeoutAsync(TimeSpan.FromSeconds(1), "driver.sleep", 120_000));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(20));
        var info = await wasm.CallAsync("driver.info");
        Assert.Equal(OfficialClient.ExpectedVersion, info.Str("version"));
    }

    [Fact]
    public async Task Call_UnknownExport_FailsWithTheDriversMessage()
    {
        var error = await Assert.ThrowsAsync<OfficialClientException>(() => wasm.CallAsync("no_such_export"));

        Assert.Contains("has no export no_such_export", error.Error);
    }

    [Fact]
    public async Task Call_WasmPanics_FailsAndNextCallGetsAFreshInstance()
    {
        // A blob shorter than the 12-byte nonce makes the 0.15 wasm panic (crypto-std.md §3); the instance is dead.
        const string Key = """{"Aes":{"key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=","key_id":"k"}}""";

        var error = await Assert.ThrowsAsync<OfficialClientException>(
            () => wasm.CallAsync("decrypt_raw_symmetric", Key, new byte[5], """{"id":"k","sign":null}""", null));

        Assert.Contains("RuntimeError", error.Error);
        byte[] encrypted = await wasm.CallBytesAsync("encrypt_symmetric", Key, "still works"u8.ToArray(), null);
        Assert.Equal("still works"u8.ToArray(), await wasm.CallBytesAsync("decrypt_symmetric", Key, encrypted, null));
    }
}
