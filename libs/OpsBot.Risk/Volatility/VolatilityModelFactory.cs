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
    /// The model a <see cref="IVolatilityModel.Snapshot"/> describes, continuing exactly where it stood.
    /// Throws <see cref="InvalidVolatilitySnapshotException"/> for a snapshot no model can have produced.
    /// </summary>
    public static IVolatilityModel Restore(VolatilitySnapshot snapshot) => snapshot switch
    {
        StdSnapshot s => RollingStdVolatility.Restore(s),
        EwmaSnapshot s => EwmaVolatility.Restore(s),
        AtrSnapshot s => AtrVolatility.Restore(s),
        GarchSnapshot s => GarchVolatility.Restore(s),
        SelfFittingGarchSnapshot s => SelfFittingGarchVolatility.Restore(s),
        null => throw new ArgumentNullException(nameof(snapshot)),
        _ => throw new InvalidVolatilitySnapshotException($"Invalid volatility snapshot: unknown kind {snapshot.GetType().Name}."),
    };

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
