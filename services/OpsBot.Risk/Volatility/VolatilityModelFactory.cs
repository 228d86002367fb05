namespace OpsBot.Risk;

/// <summary>
/// Settings for <see cref="VolatilityModelFactory"/>. Defaults: std window 20, EWMA λ 0.94 (warm-up 10),
/// ATR window 14. <see cref="Garch"/> is required for <c>garch</c> (e.g. from <see cref="Garch11Estimator.Fit"/>).
/// </summary>
public sealed record VolatilityOptions
{
    public int StdWindow { get; init; } = 20;
    public double EwmaLambda { get; init; } = EwmaVolatility.DefaultLambda;
    public int EwmaWarmUp { get; init; } = 10;
    public int AtrWindow { get; init; } = 14;
    public GarchParameters? Garch { get; init; }

    /// <summary>Start of the GARCH filter; null = the long-run variance.</summary>
    public double? GarchInitialVariance { get; init; }
}

/// <summary>Builds an <see cref="IVolatilityModel"/> from a <c>VOLATILITY_METHOD</c> name.</summary>
public static class VolatilityModelFactory
{
    /// <summary>The accepted method names.</summary>
    public static IReadOnlyList<string> Methods { get; } = ["std", "ewma", "atr", "garch"];

    /// <summary>
    /// A new model for <paramref name="method"/> (<c>std</c> | <c>ewma</c> | <c>atr</c> | <c>garch</c>, case and
    /// surrounding blanks ignored). Throws <see cref="ArgumentException"/> naming the bad value otherwise.
    /// </summary>
    public static IVolatilityModel Create(string? method, VolatilityOptions? options = null)
    {
        options ??= new VolatilityOptions();
        return method?.Trim().ToLowerInvariant() switch
        {
            "std" => new RollingStdVolatility(options.StdWindow),
            "ewma" => new EwmaVolatility(options.EwmaLambda, options.EwmaWarmUp),
            "atr" => new AtrVolatility(options.AtrWindow),
            "garch" => options.Garch is { } g
                ? new GarchVolatility(g, options.GarchInitialVariance)
                : throw new ArgumentException("Volatility method 'garch' needs GARCH parameters (VolatilityOptions.Garch), e.g. from Garch11Estimator.Fit.", nameof(options)),
            _ => throw new ArgumentException(
                $"Unknown volatility method '{method}'; expected one of: {string.Join(", ", Methods)}.", nameof(method)),
        };
    }
}
