using Coffer.Server.Data;
using Npgsql;

namespace Coffer.Server.Tests.Data;

public sealed class PostgresDialectTests
{
    [Fact]
    public void WithDefaults_TurnsOnAutoPrepareAndNoReset_WhenTheStringLeavesThemOut()
    {
        var builder = new NpgsqlConnectionStringBuilder(
            PostgresDialect.Instance.WithDefaults("Host=127.0.0.1;Port=5432;Username=coffer;Database=coffer"));

        Assert.Equal(100, builder.MaxAutoPrepare);
        Assert.Equal(2, builder.AutoPrepareMinUsages);
        Assert.True(builder.NoResetOnClose);
        Assert.Equal("coffer", builder.Database);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=127.0.0.1;maxautoprepare=0;NoResetOnClose=false")]
    public void WithDefaults_KeepsWhatTheStringSets(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresDialect.Instance.WithDefaults(connectionString));

        Assert.Equal(0, builder.MaxAutoPrepare);
        Assert.False(builder.NoResetOnClose);
    }
}
