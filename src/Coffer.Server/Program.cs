using Coffer.Server;

WebApplication app = CofferServer.Build(args);
await app.RunAsync();

/// <summary>The entry point; public so that tests can use <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
