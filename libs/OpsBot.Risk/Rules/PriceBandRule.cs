namespace OpsBot.Risk;

/// <summary>
/// Per symbol: keeps the last price and a volatility model fed with simple returns pₜ/pₜ₋₁ − 1, and checks each
/// new price against the band of the previous observation (<see cref="PriceBand.Around"/>: last price ± k·σ·last
/// price, σ as it stood before the new price). A band exists only once the model <see cref="IVolatilityModel.IsReady"/>.
/// The breaching price is still fed to the model (it is a real move) and becomes the next centre.
/// <para>
/// After a symbol's first observation, <see cref="Observe"/> allocates nothing. Not thread-safe: partition
/// by symbol.
/// </para>
/// </summary>
public sealed class PriceBandRule
{
    private readonly Func<string, IVolatilityModel> _createModel;
    private readonly Func<string, double> _multiplierFor;
    private readonly Dictionary<string, SymbolState> _symbols = new(StringComparer.Ordinal);

    /// <param name="createModel">A new model for a symbol seen for the first time.</param>
    /// <param name="multiplier">Band multiplier k for symbols without an entry in <paramref name="multipliers"/>.</param>
    /// <param name="multipliers">Optional per-symbol multipliers (e.g. from <see cref="VolatilityCalibrator"/>).</param>
    public PriceBandRule(Func<string, IVolatilityModel> createModel, double multiplier,
        IReadOnlyDictionary<string, double>? multipliers = null)
    {
        ArgumentNullException.ThrowIfNull(createModel);
        ThrowIfBadMultiplier(multiplier);
        if (multipliers is not null)
            foreach (var m in multipliers.Values) ThrowIfBadMultiplier(m);
        _createModel = createModel;
        _multiplierFor = multipliers is null ? _ => multiplier : s => multipliers.GetValueOrDefault(s, multiplier);
    }

    /// <summary>A rule whose models come from <see cref="VolatilityModelFactory.Create"/>.</summary>
    public PriceBandRule(string method, VolatilityOptions options, double multiplier)
        : this(CheckedFactory(method, options), multiplier)
    {
    }

    /// <summary>
    /// Records <paramref name="price"/> for <paramref name="symbol"/>. Returns true, with the breach, when the price
    /// is outside the band of the previous observation; false when inside or when there is no band yet.
    /// </summary>
    public bool Observe(string symbol, double price, out PriceBandBreach breach)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        if (!(price > 0 && double.IsFinite(price)))
            throw new ArgumentOutOfRangeException(nameof(price), price, $"Price of {symbol} must be positive and finite.");
        breach = default;
        if (!_symbols.TryGetValue(symbol, out var state))
        {
            _symbols.Add(symbol, new SymbolState(_createModel(symbol), _multiplierFor(symbol), price));
            return false;
        }

        bool breached = false;
        var model = state.Model;
        if (model.IsReady)
        {
            var band = PriceBand.Around(state.LastPrice, model.Sigma, state.Multiplier);
            if (!band.Contains(price))
            {
                breach = new PriceBandBreach(symbol, price, state.LastPrice, band.Lower, band.Upper, model.Name, band.Sigma, band.Multiplier);
                breached = true;
            }
        }
        model.Update(price / state.LastPrice - 1.0);
        state.LastPrice = price;
        return breached;
    }

    /// <summary>The band the next price of <paramref name="symbol"/> will be checked against, if there is one.</summary>
    public bool TryGetBand(string symbol, out PriceBand band)
    {
        band = default;
        if (!_symbols.TryGetValue(symbol, out var state) || !state.Model.IsReady) return false;
        band = PriceBand.Around(state.LastPrice, state.Model.Sigma, state.Multiplier);
        return true;
    }

    /// <summary>The model kept for <paramref name="symbol"/>, or null if the symbol has not been seen.</summary>
    public IVolatilityModel? GetModel(string symbol) => _symbols.TryGetValue(symbol, out var s) ? s.Model : null;

    /// <summary>Symbols seen so far.</summary>
    public IReadOnlyCollection<string> Symbols => _symbols.Keys;

    private static Func<string, IVolatilityModel> CheckedFactory(string method, VolatilityOptions options)
    {
        VolatilityModelFactory.Create(method, options); // fail at construction, not at the first tick
        return _ => VolatilityModelFactory.Create(method, options);
    }

    private static void ThrowIfBadMultiplier(double k)
    {
        if (!(k > 0 && double.IsFinite(k)))
            throw new ArgumentOutOfRangeException(nameof(k), k, "A band multiplier must be positive and finite.");
    }

    private sealed class SymbolState(IVolatilityModel model, double multiplier, double lastPrice)
    {
        public IVolatilityModel Model { get; } = model;
        public double Multiplier { get; } = multiplier;
        public double LastPrice { get; set; } = lastPrice;
    }
}
