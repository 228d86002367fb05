namespace OpsBot.Risk;

/// <summary>
/// An online volatility estimate fed one return at a time. <see cref="Update"/> is O(1) and allocation-free.
/// After an update, <see cref="Variance"/> / <see cref="Sigma"/> describe the next return (a one-step forecast),
/// in the units of the returns fed in (fractions: 0.01 = 1 %).
/// Not thread-safe: keep one instance per symbol on one thread (or partition by symbol).
/// </summary>
public interface IVolatilityModel
{
    /// <summary>Short method name as in <c>VOLATILITY_METHOD</c>: std, ewma, atr or garch.</summary>
    string Name { get; }

    /// <summary>Number of returns fed in so far.</summary>
    int Count { get; }

    /// <summary>True once the model has seen enough returns for its estimate to be used.</summary>
    bool IsReady { get; }

    /// <summary>Variance estimate; NaN while undefined (see each model).</summary>
    double Variance { get; }

    /// <summary>Volatility estimate, √<see cref="Variance"/> (for ATR: the mean absolute return itself).</summary>
    double Sigma { get; }

    /// <summary>Feeds one return. Throws <see cref="ArgumentOutOfRangeException"/> for NaN or ±∞.</summary>
    void Update(double ret);

    /// <summary>
    /// The model's whole state as a small serialisable record (buffers copied); <see cref="VolatilityModelFactory.Restore"/>
    /// turns it back into a model that continues exactly where this one stands.
    /// </summary>
    VolatilitySnapshot Snapshot();
}

internal static class ReturnGuard
{
    public static void ThrowIfNotFinite(double ret)
    {
        if (!double.IsFinite(ret)) Throw(ret);
    }

    private static void Throw(double ret) =>
        throw new ArgumentOutOfRangeException(nameof(ret), ret, "A return must be a finite number.");
}
