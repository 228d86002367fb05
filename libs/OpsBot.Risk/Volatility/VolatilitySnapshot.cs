using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpsBot.Risk;

/// <summary>
/// The complete state of an <see cref="IVolatilityModel"/>, small and serialisable with System.Text.Json
/// (<see cref="JsonOptions"/>): a model restored from it (<see cref="VolatilityModelFactory.Restore"/>) gives exactly
/// the same <see cref="IVolatilityModel.Sigma"/> as the original on every following return.
/// The discriminator <c>model</c> names the kind.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "model")]
[JsonDerivedType(typeof(StdSnapshot), "std")]
[JsonDerivedType(typeof(EwmaSnapshot), "ewma")]
[JsonDerivedType(typeof(AtrSnapshot), "atr")]
[JsonDerivedType(typeof(GarchSnapshot), "garch")]
[JsonDerivedType(typeof(SelfFittingGarchSnapshot), "garch-fit")]
public abstract record VolatilitySnapshot(int Count)
{
    /// <summary>Options that round-trip every double exactly, NaN included (an EWMA before its first return).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

/// <summary><see cref="RollingStdVolatility"/>: the ring buffer and Welford's running sums.</summary>
public sealed record StdSnapshot(int Count, double[] Buffer, int Next, int Filled, int SinceRefresh, double Mean, double M2) : VolatilitySnapshot(Count);

/// <summary><see cref="EwmaVolatility"/>: decay, warm-up, the optional initial variance and the current variance.</summary>
public sealed record EwmaSnapshot(int Count, double Lambda, int WarmUp, double? InitialVariance, double Variance) : VolatilitySnapshot(Count);

/// <summary><see cref="AtrVolatility"/>: the ring buffer of absolute returns and its running sum.</summary>
public sealed record AtrSnapshot(int Count, double[] Buffer, int Next, int Filled, int SinceRefresh, double Sum) : VolatilitySnapshot(Count);

/// <summary><see cref="GarchVolatility"/>: the parameters and the filter's next variance h.</summary>
public sealed record GarchSnapshot(int Count, double Mu, double Omega, double Alpha, double Beta, double H) : VolatilitySnapshot(Count);

/// <summary><see cref="SelfFittingGarchVolatility"/>: the fit buffer, the EWMA stand-in and the fitted filter (if any).</summary>
public sealed record SelfFittingGarchSnapshot(
    int Count, double[] Window, int Next, int Filled, int SinceFit, EwmaSnapshot Fallback, GarchSnapshot? Garch, string? LastFitError)
    : VolatilitySnapshot(Count);

/// <summary>A snapshot that cannot be a model's state (lengths or indices out of range).</summary>
public sealed class InvalidVolatilitySnapshotException(string message) : Exception(message)
{
    internal static void ThrowIf([DoesNotReturnIf(true)] bool condition, string what)
    {
        if (condition) throw new InvalidVolatilitySnapshotException($"Invalid volatility snapshot: {what}.");
    }

    internal static void ThrowIfBadRing(double[]? buffer, int next, int filled, int minLength, string model)
    {
        ThrowIf(buffer is null, $"{model} buffer missing");
        ThrowIf(buffer.Length < minLength, $"{model} buffer shorter than {minLength}");
        ThrowIf(next < 0 || next >= buffer.Length, $"{model} next index {next} outside the buffer");
        ThrowIf(filled < 0 || filled > buffer.Length, $"{model} filled count {filled} outside the buffer");
        foreach (var x in buffer) ThrowIf(!double.IsFinite(x), $"{model} buffer holds a non-finite value");
    }
}
