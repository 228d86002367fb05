using MathNet.Numerics.Statistics;

namespace OpsBot.Risk;

/// <summary>A series cannot be calibrated (too few returns, non-finite, constant); the message names the symbol.</summary>
public sealed class CalibrationException(string message) : Exception(message);

/// <summary>Settings for <see cref="VolatilityCalibrator"/>.</summary>
public sealed record CalibrationOptions
{
    /// <summary>Fraction of one-step moves the bands should flag (default 1 %).</summary>
    public double TargetBreachRate { get; init; } = 0.01;

    /// <summary>EWMA λ candidates (default 0.80, 0.81, …, 0.99, 0.995).</summary>
    public IReadOnlyList<double> LambdaGrid { get; init; } =
        [.. Enumerable.Range(80, 20).Select(i => i / 100.0), 0.995];

    /// <summary>ATR window candidates.</summary>
    public IReadOnlyList<int> AtrWindowGrid { get; init; } = [5, 10, 14, 20, 30, 50, 100];

    /// <summary>Rolling std window (not searched; used for its band multiplier).</summary>
    public int StdWindow { get; init; } = 20;

    /// <summary>Returns fed to every model before losses and breaches are counted; at least the largest window.</summary>
    public int BurnIn { get; init; } = 100;
}

/// <summary>Mean QLIKE loss of one candidate.</summary>
public readonly record struct GridLoss(double Parameter, double QLike);

/// <summary>A band multiplier k for one model and the in-sample breach rate it gives.</summary>
/// <param name="Model">std, ewma, atr or garch.</param>
/// <param name="Multiplier">k; NaN when the target cannot be met (too many zero-volatility forecasts).</param>
/// <param name="BreachRate">Fraction of evaluated moves with |r| &gt; k·σ.</param>
/// <param name="Evaluated">Number of moves evaluated.</param>
public sealed record BandCalibration(string Model, double Multiplier, double BreachRate, int Evaluated);

/// <summary>The calibration of one symbol.</summary>
public sealed record SymbolCalibration
{
    public required string Symbol { get; init; }
    public required int Returns { get; init; }
    public required double TargetBreachRate { get; init; }
    public required double EwmaLambda { get; init; }
    public required double EwmaQLike { get; init; }
    public required int AtrWindow { get; init; }
    public required double AtrQLike { get; init; }
    public required int StdWindow { get; init; }
    public required double StdQLike { get; init; }
    public required IReadOnlyList<GridLoss> LambdaLosses { get; init; }
    public required IReadOnlyList<GridLoss> AtrLosses { get; init; }
    public required IReadOnlyList<BandCalibration> Bands { get; init; }

    /// <summary>The QMLE fit; the method-of-moments fit when QMLE failed (see <see cref="GarchError"/>).</summary>
    public GarchFit? Garch { get; init; }

    /// <summary>Why the QMLE fit failed, or null.</summary>
    public string? GarchError { get; init; }
}

/// <summary>
/// Picks volatility settings from a return series.
/// <para>
/// Loss: QLIKE, L(r, h) = ln h + r²/h, averaged over one-step forecasts: at each t after the burn-in the
/// model's variance forecast hₜ, built only from r₁…rₜ₋₁, is scored against rₜ, then rₜ is fed in. QLIKE is the
/// Gaussian negative log-likelihood up to constants; it ranks variance forecasts consistently even though rₜ² is a
/// noisy proxy of the true variance (Patton 2011), and it punishes under-prediction more than MSE does.
/// </para>
/// <para>
/// EWMA λ and ATR window: the candidate of least mean QLIKE. EWMA is seeded with the mean square of the burn-in
/// returns. ATR's mean absolute return m is scored as the variance (π/2)·m², its Gaussian equivalent. Forecasts are
/// floored at 10⁻⁶ × the sample variance so a zero forecast (e.g. a run of unchanged prices) scores finitely.
/// </para>
/// <para>
/// Band multipliers: for each model, zₜ = |rₜ|/σₜ over the same forecasts; k is the (1 − target) quantile of z
/// (R7 interpolation), so |rₜ| &gt; k·σₜ — a price outside <see cref="PriceBand"/> — happens at about the target
/// rate. GARCH uses the QMLE fit on the whole series with the benchmark's start-up rule (in-sample parameters).
/// </para>
/// </summary>
public static class VolatilityCalibrator
{
    /// <summary>The fewest returns a symbol needs.</summary>
    public const int MinReturns = Garch11Estimator.MinObservations;

    /// <summary>QLIKE loss of variance forecast <paramref name="variance"/> for return <paramref name="ret"/>.</summary>
    public static double QLike(double ret, double variance) => Math.Log(variance) + ret * ret / variance;

    /// <summary>
    /// Calibrates one symbol. Throws <see cref="CalibrationException"/> when the returns are too few (fewer than
    /// max(<see cref="MinReturns"/>, burn-in + 50)), non-finite or all equal; <see cref="ArgumentException"/> for bad options.
    /// </summary>
    public static SymbolCalibration Calibrate(string symbol, double[] returns, CalibrationOptions? options = null)
    {
        options ??= new CalibrationOptions();
        Validate(symbol, returns, options);
        int burnIn = options.BurnIn;
        double floor = 1e-6 * ArrayStatistics.Variance(returns);
        double seed = MeanSquare(returns.AsSpan(0, burnIn));
        const double halfPi = Math.PI / 2;

        var lambdaLosses = options.LambdaGrid
            .Select(l => new GridLoss(l, MeanQLike(new EwmaVolatility(l, 1, seed), returns, burnIn, floor, 1.0)))
            .ToList();
        var atrLosses = options.AtrWindowGrid
            .Select(w => new GridLoss(w, MeanQLike(new AtrVolatility(w), returns, burnIn, floor, halfPi)))
            .ToList();
        var bestLambda = lambdaLosses.MinBy(g => g.QLike);
        var bestAtr = atrLosses.MinBy(g => g.QLike);
        double stdLoss = MeanQLike(new RollingStdVolatility(options.StdWindow), returns, burnIn, floor, 1.0);

        GarchFit? garch = null;
        string? garchError = null;
        try
        {
            garch = Garch11Estimator.Fit(returns);
        }
        catch (GarchFitException ex)
        {
            garchError = ex.Message;
            garch = Garch11Estimator.FitMethodOfMoments(returns);
        }

        double target = options.TargetBreachRate;
        var bands = new List<BandCalibration>
        {
            Band(new RollingStdVolatility(options.StdWindow), returns, burnIn, target),
            Band(new EwmaVolatility(bestLambda.Parameter, 1, seed), returns, burnIn, target),
            Band(new AtrVolatility((int)bestAtr.Parameter), returns, burnIn, target),
            Band(new GarchVolatility(garch.Parameters, GarchLikelihood.StartVariance(returns, garch.Mu, garch.Omega, garch.Persistence)),
                returns, burnIn, target),
        };

        return new SymbolCalibration
        {
            Symbol = symbol,
            Returns = returns.Length,
            TargetBreachRate = target,
            EwmaLambda = bestLambda.Parameter,
            EwmaQLike = bestLambda.QLike,
            AtrWindow = (int)bestAtr.Parameter,
            AtrQLike = bestAtr.QLike,
            StdWindow = options.StdWindow,
            StdQLike = stdLoss,
            LambdaLosses = lambdaLosses,
            AtrLosses = atrLosses,
            Bands = bands,
            Garch = garch,
            GarchError = garchError,
        };
    }

    /// <summary>
    /// Mean QLIKE of <paramref name="model"/>'s one-step forecasts for returns[burnIn..], feeding every return.
    /// The forecast scored is <paramref name="varianceScale"/> × model variance, floored at <paramref name="floor"/>.
    /// </summary>
    public static double MeanQLike(IVolatilityModel model, ReadOnlySpan<double> returns, int burnIn, double floor = 0, double varianceScale = 1.0)
    {
        double sum = 0;
        for (int t = 0; t < returns.Length; t++)
        {
            if (t >= burnIn) sum += QLike(returns[t], Math.Max(varianceScale * model.Variance, floor));
            model.Update(returns[t]);
        }
        return sum / (returns.Length - burnIn);
    }

    /// <summary>
    /// The multiplier k with about <paramref name="targetRate"/> of |rₜ| &gt; k·σₜ for t ≥ <paramref name="burnIn"/>,
    /// σₜ being the model's <see cref="IVolatilityModel.Sigma"/> before rₜ.
    /// </summary>
    public static BandCalibration Band(IVolatilityModel model, ReadOnlySpan<double> returns, int burnIn, double targetRate)
    {
        var z = new double[returns.Length - burnIn];
        for (int t = 0; t < returns.Length; t++)
        {
            if (t >= burnIn)
            {
                double a = Math.Abs(returns[t]), s = model.Sigma;
                z[t - burnIn] = s > 0 ? a / s : a > 0 ? double.PositiveInfinity : 0;
            }
            model.Update(returns[t]);
        }
        Array.Sort(z);
        double k = SortedArrayStatistics.QuantileCustom(z, 1 - targetRate, QuantileDefinition.R7);
        if (!double.IsFinite(k)) return new BandCalibration(model.Name, double.NaN, double.NaN, z.Length);
        int above = z.Length - UpperBound(z, k);
        return new BandCalibration(model.Name, k, (double)above / z.Length, z.Length);
    }

    private static int UpperBound(double[] sorted, double k)
    {
        int i = Array.BinarySearch(sorted, k);
        if (i < 0) return ~i;
        while (i < sorted.Length && sorted[i] <= k) i++;
        return i;
    }

    private static double MeanSquare(ReadOnlySpan<double> r)
    {
        double s = 0;
        foreach (double x in r) s += x * x;
        return s / r.Length;
    }

    private static void Validate(string symbol, double[] returns, CalibrationOptions o)
    {
        if (o.LambdaGrid.Count == 0 || o.AtrWindowGrid.Count == 0)
            throw new ArgumentException("Calibration grids must not be empty.", nameof(o));
        if (!(o.TargetBreachRate > 0 && o.TargetBreachRate < 0.5))
            throw new ArgumentOutOfRangeException(nameof(o), o.TargetBreachRate, "The target breach rate must be in (0, 0.5).");
        int longest = Math.Max(o.AtrWindowGrid.Max(), o.StdWindow);
        if (o.BurnIn < longest)
            throw new ArgumentException($"BurnIn ({o.BurnIn}) must be at least the longest window ({longest}).", nameof(o));
        int needed = Math.Max(MinReturns, o.BurnIn + 50);
        if (returns.Length < needed)
            throw new CalibrationException($"{symbol}: calibration needs at least {needed} returns; got {returns.Length}.");
        foreach (double r in returns)
            if (!double.IsFinite(r)) throw new CalibrationException($"{symbol}: returns must be finite; found {r}.");
        if (ArrayStatistics.Variance(returns) <= 0)
            throw new CalibrationException($"{symbol}: all {returns.Length} returns are equal; there is no volatility to calibrate.");
    }
}
