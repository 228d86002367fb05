using OpsBot.ServiceDefaults;

namespace OpsBot.ParityChecker;

public static class ParitySettingNames
{
    public const string WindowSeconds = "PARITY_WINDOW_SECONDS";
    public const string GraceSeconds = "PARITY_GRACE_SECONDS";
    public const string Clients = "PARITY_CLIENTS";
    public const string Strict = "PARITY_STRICT";
}

/// <summary>parity-checker's settings, read once at start-up.</summary>
public sealed record ParityCheckerOptions(TimeSpan Window, TimeSpan Grace, ParityComparerOptions Comparer)
{
    public static ParityCheckerOptions From(Settings settings)
    {
        var clients = settings.String(ParitySettingNames.Clients, "raw,sdk")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
        if (clients.Length < 2) throw new SettingsException($"{ParitySettingNames.Clients} must name at least two clients, e.g. raw,sdk.");
        return new ParityCheckerOptions(
            TimeSpan.FromSeconds(settings.Int(ParitySettingNames.WindowSeconds, 60, 1, 86_400)),
            TimeSpan.FromSeconds(settings.Int(ParitySettingNames.GraceSeconds, 15, 0, 3_600)),
            new ParityComparerOptions { Clients = clients, Strict = settings.Bool(ParitySettingNames.Strict, true) });
    }
}
