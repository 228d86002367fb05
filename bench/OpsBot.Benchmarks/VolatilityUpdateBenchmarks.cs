using BenchmarkDotNet.Attributes;
using OpsBot.Risk;

namespace OpsBot.Benchmarks;

/// <summary>Cost of one incremental <see cref="IVolatilityModel.Update"/> (goal: under 50 ns, 0 B).</summary>
[MemoryDiagnoser]
public class VolatilityUpdateBenchmarks
{
    private const int Ops = 4096;
    private readonly double[] _returns = BenchData.Simulated(Ops, seed: 1);
    private IVolatilityModel _model = null!;

    [Params("std", "ewma", "atr", "garch")]
    public string Method { get; set; } = "std";

    [GlobalSetup]
    public void Setup()
    {
        _model = VolatilityModelFactory.Create(Method, new VolatilityOptions
        {
            StdWindow = 20,
            AtrWindow = 14,
            Garch = new GarchParameters(0, 2e-6, 0.08, 0.9),
        });
        foreach (double r in _returns) _model.Update(r); // windows full
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public double Update()
    {
        var model = _model;
        foreach (double r in _returns) model.Update(r);
        return model.Sigma;
    }
}

/// <summary>One price through <see cref="PriceBandRule.Observe"/>: dictionary lookup, band check, model update.</summary>
[MemoryDiagnoser]
public class PriceBandBenchmarks
{
    private const int Ops = 4096;
    private readonly double[] _prices = BenchData.Prices(Ops, seed: 2);
    private readonly PriceBandRule _rule = new("ewma", new VolatilityOptions(), 4.0);

    [GlobalSetup]
    public void Setup()
    {
        foreach (double p in _prices) _rule.Observe("BTC-USD", p, out _);
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public int Observe()
    {
        int breaches = 0;
        foreach (double p in _prices) breaches += _rule.Observe("BTC-USD", p, out _) ? 1 : 0;
        return breaches;
    }
}

/// <summary>GARCH(1,1) Gaussian QMLE (goals: dmbp 1,974 returns under 50 ms; 10,000 returns under 200 ms).</summary>
[MemoryDiagnoser]
public class GarchFitBenchmarks
{
    private double[] _dmbp = [];
    private double[] _simulated = [];

    [GlobalSetup]
    public void Setup()
    {
        _dmbp = EventLogReader.Read(BenchData.DmbpPath).Series[0].Returns;
        _simulated = BenchData.Garch(10_000, new GarchParameters(0.02, 0.05, 0.1, 0.85), seed: 3);
    }

    [Benchmark]
    public GarchFit FitDmbp1974() => Garch11Estimator.Fit(_dmbp);

    [Benchmark]
    public GarchFit FitSimulated10000() => Garch11Estimator.Fit(_simulated);

    [Benchmark]
    public GarchFit MethodOfMomentsDmbp1974() => Garch11Estimator.FitMethodOfMoments(_dmbp);
}
