using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace OpsBot.ServiceDefaults;

/// <summary>
/// Reads the environment-variable settings by their public names (<c>ALERT_PNL_THRESHOLD</c>, ...)
/// and fails with a message that names the setting and the expected form. Values are never echoed
/// for settings that may hold secrets.
/// </summary>
public sealed class Settings(IConfiguration configuration)
{
    public string? Optional(string name)
    {
        var value = configuration[name];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public string String(string name, string defaultValue) => Optional(name) ?? defaultValue;

    /// <summary>True when the setting is present but empty (e.g. <c>NAME=</c>): for the few settings where that means "off" rather than "default".</summary>
    public bool IsSetEmpty(string name) => configuration[name] is { } value && string.IsNullOrWhiteSpace(value);

    public string Required(string name) =>
        Optional(name) ?? throw new SettingsException($"{name} is not set; it is required by this service.");

    public bool Bool(string name, bool defaultValue)
    {
        var raw = Optional(name);
        if (raw is null) return defaultValue;
        return raw.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw new SettingsException($"{name} must be true or false, got '{raw}'."),
        };
    }

    public decimal Decimal(string name, decimal defaultValue, decimal min = decimal.MinValue, decimal max = decimal.MaxValue)
    {
        var raw = Optional(name);
        if (raw is null) return defaultValue;
        if (!decimal.TryParse(raw, NumberStyles.Number, CultureInfo.InvariantCulture, out var value))
            throw new SettingsException($"{name} must be a number, got '{raw}'.");
        if (value < min || value > max)
            throw new SettingsException($"{name} must be between {min} and {max}, got {value}.");
        return value;
    }

    public double Double(string name, double defaultValue, double min = double.MinValue, double max = double.MaxValue)
    {
        var raw = Optional(name);
        if (raw is null) return defaultValue;
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw new SettingsException($"{name} must be a number, got '{raw}'.");
        if (value < min || value > max)
            throw new SettingsException($"{name} must be between {min} and {max}, got {value}.");
        return value;
    }

    public int Int(string name, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        var raw = Optional(name);
        if (raw is null) return defaultValue;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            throw new SettingsException($"{name} must be a whole number, got '{raw}'.");
        if (value < min || value > max)
            throw new SettingsException($"{name} must be between {min} and {max}, got {value}.");
        return value;
    }

    public Uri Url(string name, string defaultValue)
    {
        var raw = String(name, defaultValue);
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri))
            throw new SettingsException($"{name} must be an absolute URL.");
        return uri;
    }
}

/// <summary>A setting is missing or malformed. The message names the setting; the service exits with it.</summary>
public sealed class SettingsException(string message) : Exception(message);
