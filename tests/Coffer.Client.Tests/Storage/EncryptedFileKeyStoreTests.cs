using Coffer.Client.Storage;
using Coffer.Crypto;

namespace Coffer.Client.Tests.Storage;

public sealed class EncryptedFileKeyStoreTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("coffer-keystore-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task GetAsync_AfterSet_ReturnsTheValue()
    {
        using SymmetricKey key = SymmetricKey.Generate();
        using var store = new EncryptedFileKeyStore(folder, key);
        Assert.Null(await store.GetAsync("user", Ct));
        await store.SetAsync("user", "{\"secret\":\"ü\"}", Ct);
        await store.SetAsync("user", "second", Ct);
        Assert.Equal("second", await store.GetAsync("user", Ct));
        await store.DeleteAsync("user", Ct);
        Assert.Null(await store.GetAsync("user", Ct));
    }

    [Fact]
    public async Task Files_DoNotContainTheValueOrTheName()
    {
        using SymmetricKey key = SymmetricKey.Generate();
        using var store = new EncryptedFileKeyStore(folder, key);
        await store.SetAsync("alice-keys", "very secret value", Ct);
        string file = Assert.Single(Directory.GetFiles(folder));
        string bytes = System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file, Ct));
        Assert.DoesNotContain("secret", bytes);
        Assert.DoesNotContain("alice", Path.GetFileName(file) + bytes);
    }

    [Fact]
    public async Task Files_AreReadableByTheOwnerOnly()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix permissions");
        using SymmetricKey key = SymmetricKey.Generate();
        using var store = new EncryptedFileKeyStore(folder, key);
        await store.SetAsync("user", "v", Ct);
        foreach (string file in Directory.GetFiles(folder).Where(_ => !OperatingSystem.IsWindows()))
        {
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }

        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }

    [Fact]
    public async Task GetAsync_WrongPassphrase_IsKeyStoreUnreadable()
    {
        using (EncryptedFileKeyStore store = await EncryptedFileKeyStore.OpenWithPassphraseAsync(folder, "right", Ct))
        {
            await store.SetAsync("user", "v", Ct);
        }

        using EncryptedFileKeyStore wrong = await EncryptedFileKeyStore.OpenWithPassphraseAsync(folder, "wrong", Ct);
        var error = await Assert.ThrowsAsync<CofferException>(async () => await wrong.GetAsync("user", Ct));
        Assert.Equal(SdkError.KeyStoreUnreadable, error.SdkError);
    }

    [Fact]
    public async Task GetAsync_FileSwappedToAnotherName_IsKeyStoreUnreadable()
    {
        using SymmetricKey key = SymmetricKey.Generate();
        using var store = new EncryptedFileKeyStore(folder, key);
        await store.SetAsync("a", "value of a", Ct);
        string fileOfA = Assert.Single(Directory.GetFiles(folder));
        await store.SetAsync("b", "value of b", Ct);
        string fileOfB = Directory.GetFiles(folder).Single(f => f != fileOfA);
        File.Copy(fileOfA, fileOfB, overwrite: true);
        var error = await Assert.ThrowsAsync<CofferException>(async () => await store.GetAsync("b", Ct));
        Assert.Equal("sdk_5", error.Code);
    }

    [Fact]
    public async Task GetAsync_TamperedFile_IsKeyStoreUnreadable()
    {
        using SymmetricKey key = SymmetricKey.Generate();
        using var store = new EncryptedFileKeyStore(folder, key);
        await store.SetAsync("a", "value", Ct);
        string file = Assert.Single(Directory.GetFiles(folder));
        byte[] data = await File.ReadAllBytesAsync(file, Ct);
        data[^1] ^= 1;
        await File.WriteAllBytesAsync(file, data, Ct);
        await Assert.ThrowsAsync<CofferException>(async () => await store.GetAsync("a", Ct));
    }

    [Fact]
    public async Task InMemoryKeyStore_SetGetDelete()
    {
        var store = new InMemoryKeyStore();
        await store.SetAsync("k", "v", Ct);
        Assert.Equal("v", await store.GetAsync("k", Ct));
        await store.DeleteAsync("k", Ct);
        Assert.Null(await store.GetAsync("k", Ct));
    }
}
