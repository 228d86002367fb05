using System.Globalization;

namespace OpsBot.FakeExchange;

/// <summary>
/// The fake exchange run as an exe (scripts/demo.sh), from the environment:
/// <c>FAKE_EXCHANGE_PORT</c> (8765), <c>FAKE_EXCHANGE_HOST</c> (127.0.0.1),
/// <c>FAKE_EXCHANGE_SCRIPT</c> (<c>standard</c> or <c>demo</c>: <see cref="DemoExchangeScript"/>),
/// <c>FAKE_EXCHANGE_EXTRA_TICKS</c> (generated updates of the standard session, 0),
/// <c>FAKE_EXCHANGE_STEP_MS</c> (wall and exchange time between two steps; unset: as fast as the socket takes them, 10 ms apart in exchange time),
/// <c>FAKE_EXCHANGE_HOLD_FOR</c> (sessions, comma-separated, that must all have subscribed before any is played; unset: each plays at once).
/// </summary>
public sealed record ExchangeToolSettings(int Port, string Host, string ScriptName, int ExtraTicks, TimeSpan? Step, IReadOnlyList<string> HoldFor)
{
    public static ExchangeToolSettings From(Func<string, string?> environment)
    {
        int Int(string name, int fallback, int min, int max)
        {
            var raw = environment(name);
            if (string.IsNullOrWhiteSpace(raw)) return fallback;
            if (!int.TryParse(raw.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
                throw new ArgumentException($"{name} must be a whole number from {min} to {max}, got '{raw}'.");
            return value;
        }

        var script = (environment("FAKE_EXCHANGE_SCRIPT") is { Length: > 0 } s ? s.Trim() : "standard").ToLowerInvariant();
        if (script is not ("standard" or "demo"))
            throw new ArgumentException($"FAKE_EXCHANGE_SCRIPT must be standard or demo, got '{script}'.");
        var stepMs = Int("FAKE_EXCHANGE_STEP_MS", 0, 0, 60_000);
        var hold = (environment("FAKE_EXCHANGE_HOLD_FOR") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
        return new ExchangeToolSettings(
            Int("FAKE_EXCHANGE_PORT", 8765, 0, 65_535),
            environment("FAKE_EXCHANGE_HOST") is { Length: > 0 } host ? host : "127.0.0.1",
            script,
            Int("FAKE_EXCHANGE_EXTRA_TICKS", 0, 0, 1_000_000),
            stepMs > 0 ? TimeSpan.FromMilliseconds(stepMs) : null,
            hold);
    }

    /// <summary>The script to play and one line telling what it does.</summary>
    public (ExchangeScript Script, string Description) Script()
    {
        if (ScriptName != "demo") return (ExchangeScript.Standard(ExtraTicks), $"the standard session (+{ExtraTicks} generated ticks)");
        var demo = DemoExchangeScript.Create();
        var steps = demo.Script.Segments.Sum(s => s.Count);
        var when = Step is { } step ? $" about {(step * demo.SpikeStep).TotalSeconds:F0} s after playback starts" : "";
        return (demo.Script, string.Create(CultureInfo.InvariantCulture,
            $"the demo session ({steps} steps{(Step is { } s2 ? $", one every {s2.TotalMilliseconds:F0} ms" : "")}): " +
            $"{DemoExchangeScript.SpikeSymbol} jumps {DemoExchangeScript.SpikePercent} % from {demo.PriceBeforeSpike:N2} to {demo.SpikePrice:N2}{when}"));
    }

    public FakeExchangeOptions Options(ExchangeScript script) => new()
    {
        Port = Port,
        Host = Host,
        Script = script,
        HoldPlayback = HoldFor.Count > 0,
        StepDelay = Step ?? TimeSpan.Zero,
        StepSpacing = Step ?? new FakeExchangeOptions().StepSpacing,
    };
}
