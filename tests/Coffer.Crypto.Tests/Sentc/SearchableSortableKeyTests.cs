using System.Text.Json;

namespace Coffer.Crypto.Tests.Sentc;

/// <summary>The typed searchable and sortable keys, through the group keys of <c>group.json</c>.</summary>
public class SearchableSortableKeyTests
{
    [Fact]
    public void GroupKeys_WasmCreateBody_UnwrapToTheExportedKeys()
    {
        var v = SentcVectors.File("group.json");
        JsonElement body = JsonDocument.Parse(v.Str("create_body")).RootElement.Clone();
        using SymmetricKey groupKey = SymmetricKey.Import(v.GetProperty("decrypted").B64("group_key_b64"), "gkey_1");
        using SearchableKey hmac = SearchableKey.Unwrap(groupKey, body.B64("encrypted_hmac_key"), "x");
        using SortableKey ope = SortableKey.Unwrap(groupKey, body.B64("encrypted_sortable_key"), "y");
        using SearchableKey hmacExport = SearchableKey.ImportJson(v.Str("hmac_key_export"));
        using SortableKey opeExport = SortableKey.ImportJson(v.Str("sortable_key_export"));

        Assert.Equal(hmacExport.CreateHashes("hello", full: true), hmac.CreateHashes("hello", full: true));
        Assert.Equal(opeExport.Encrypt(262), ope.Encrypt(262));
        Assert.Equal(v.Str("hmac_key_export"), hmacExport.ExportJson());
        Assert.Equal(v.Str("sortable_key_export"), opeExport.ExportJson());
    }

    [Fact]
    public void SortableKey_KnownVector_AndLimits()
    {
        using SortableKey key = SortableKey.Import(Convert.FromBase64String("5kGPKgLQKmuZeOWQyJ7vOg=="), "k");
        Assert.Equal(17455249UL, key.Encrypt(262));
        Assert.Equal(17488544UL, key.Encrypt(263));
        Assert.Equal(4280794268UL, key.Encrypt(65321));
        Assert.True(key.EncryptString("a") < key.EncryptString("b"));
        Assert.Equal("client_61", Assert.Throws<CryptoException>(() => key.Encrypt(65533)).Code);
    }

    [Fact]
    public void SearchableKey_WrapAndLimits()
    {
        using SymmetricKey groupKey = SymmetricKey.Generate("g");
        using SearchableKey key = SearchableKey.Generate("h");
        using SearchableKey unwrapped = SearchableKey.Unwrap(groupKey, key.WrapWith(groupKey), "h");
        Assert.Equal(key.Search("abc"), unwrapped.Search("abc"));
        Assert.Contains(key.Search("ab"), key.CreateHashes("abc"));
        Assert.Equal("client_301", Assert.Throws<CryptoException>(() => key.CreateHashes("")).Code);
        Assert.Equal("client_300", Assert.Throws<CryptoException>(() => key.CreateHashes(new string('a', 201))).Code);
    }
}
