using Microsoft.AspNetCore.Builder;

namespace OpsBot.ServiceDefaults;

/// <summary>
/// Runs one OpsBot service: builds the web host with the shared defaults, lets the service add its
/// own parts, and turns a bad setting into one clear line on stderr and exit code 2.
/// </summary>
public static class OpsBotService
{
    public const int ExitBadSettings = 2;

    public static int Run(string[] args, string serviceName, Action<WebApplicationBuilder> configure, Action<WebApplication>? map = null)
    {
        try
        {
            var builder = WebApplication.CreateBuilder(args);
            builder.AddServiceDefaults(serviceName);
            configure(builder);
            var app = builder.Build();
            app.MapDefaultEndpoints();
            map?.Invoke(app);
            app.Run();
            return 0;
        }
        catch (SettingsException e)
        {
            Console.Error.WriteLine($"{serviceName}: cannot start: {e.Message}");
            return ExitBadSettings;
        }
    }
}
