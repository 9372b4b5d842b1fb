using Coffer.Server.Api;
using Coffer.Server.Auth;
using Coffer.Server.Data;
using Coffer.Server.Features.Apps;
using Coffer.Server.Features.Groups;
using Coffer.Server.Features.Keys;
using Coffer.Server.Features.Login;
using Coffer.Server.Features.Mfa;
using Coffer.Server.Features.Rotation;
using Coffer.Server.Features.Users;

namespace Coffer.Server;

/// <summary>Builds the Coffer host; used by Program (and so by the tests) and by <c>coffer serve</c>.</summary>
public static class CofferServer
{
    /// <summary>ADO.NET connection string: <c>Data Source=FILE</c> is SQLite, <c>Host=…</c> is PostgreSQL.</summary>
    public const string DatabaseConfigKey = "Coffer:Database";
    public const string DefaultDatabase = "Data Source=coffer.db";
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <param name="args">Command-line arguments for the host builder.</param>
    /// <param name="settings">Configuration values that override the defaults (tests, <c>coffer serve</c>).</param>
    /// <param name="extend">Adds services of a component hosted in the same process (Coffer.Chat's AddChat).</param>
    /// <param name="mapExtensions">Maps that component's routes, outside <see cref="ApiPipeline.Prefix"/> (Coffer.Chat's MapChat).</param>
    public static WebApplication Build(
        string[] args,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? extend = null,
        Action<WebApplication>? mapExtensions = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        // Loopback only unless asked otherwise (--urls, ASPNETCORE_URLS).
        string? urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        builder.WebHost.UseUrls(string.IsNullOrEmpty(urls) ? DefaultUrl : urls);

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = RequestBody.MaxBytes);
        builder.Services.AddCoffer();
        extend?.Invoke(builder);

        WebApplication app = builder.Build();
        app.UseApiConventions();
        app.UseRouting();
        app.UseMiddleware<RequestAuthMiddleware>();
        RouteGroupBuilder api = app.MapGroup(ApiPipeline.Prefix).RequireAnyAppToken();
        api.MapUsers();
        api.MapMfa();
        api.MapLogin();
        api.MapGroups();
        api.MapGroupMembers();
        api.MapSymKeys();
        api.MapRotation();
        app.MapGroup(RotationEndpoints.ExtensionPrefix).RequireAnyAppToken().MapRotationProgress();
        mapExtensions?.Invoke(app);
        app.MapNotFound();
        return app;
    }

    public static IServiceCollection AddCoffer(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new Database(
            sp.GetRequiredService<IConfiguration>()[DatabaseConfigKey] is { Length: > 0 } connectionString ? connectionString : DefaultDatabase));
        services.AddSingleton(sp => RootKey.Load(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<Database>().ConnectionString));
        services.AddSingleton<Migrator>();
        services.AddSingleton<AppStore>();
        services.AddSingleton<AppAdmin>();
        services.AddSingleton<JwtService>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<RequestLookup>();
        services.AddSingleton<GroupStore>();
        services.AddSingleton<GroupMemberStore>();
        services.AddSingleton<SymKeyStore>();
        services.AddSingleton<MfaStore>();
        services.AddSingleton<LoginStore>();
        services.AddSingleton<LoginRateLimit>();
        services.AddSingleton<RotationStore>();
        services.AddSingleton<RotationFanOut>();
        services.AddSingleton<RotationSignal>();
        services.AddHostedService<MigrateOnStart>();
        services.AddHostedService<RotationWorker>();
        return services;
    }

    /// <summary>Applies the migrations before the server accepts requests (StartingAsync runs before any StartAsync).</summary>
    private sealed class MigrateOnStart(Migrator migrator, AppStore apps, RootKey rootKey) : IHostedLifecycleService
    {
        public async Task StartingAsync(CancellationToken cancellationToken)
        {
            await migrator.MigrateAsync(cancellationToken);
            if (await apps.AnyJwtKeyAsync(cancellationToken) is AppJwtKey key)
            {
                rootKey.CheckOpens(key.SignKeySealed, key.Id.Value);
            }
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
