using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;

namespace OpsBot.Risk.Tests;

/// <summary>Reference data and seeded simulations shared by the tests.</summary>
internal static class TestData
{
    /// <summary>
    /// Path of the GARCH benchmark series, <c>data/garch/dmbp.csv</c> in the repository, copied next to the test
    /// binaries by the project file. Fails (never skips) when it is absent.
    /// </summary>
    public static string DmbpPath
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, "data", "dmbp.csv");
            if (!File.Exists(path))
                Assert.Fail($"The GARCH benchmark series was not found at {path}; it is copied there from data/garch/dmbp.csv at build time.");
            return path;
        }
    }

    public static double[] Dmbp => EventLogReader.Read(DmbpPath).Series[0].Returns;

    public static double[] Normal(int n, double mean, double sd, int seed) =>
        global::MathNet.Numerics.Distributions.Normal.Samples(new MersenneTwister(seed), mean, sd).Take(n).ToArray();

    /// <summary>A GARCH(1,1) path started at the long-run variance.</summary>
    public static double[] Garch(int n, GarchParameters p, int seed)
    {
        var z = Normal(n, 0, 1, seed);
        var r = new double[n];
        double h = p.LongRunVariance;
        for (int t = 0; t < n; t++)
        {
            double e = Math.Sqrt(h) * z[t];
            r[t] = p.Mu + e;
            h = p.Omega + p.Alpha * e * e + p.Beta * h;
        }
        return r;
    }

    /// <summary>Returns whose true variance follows the RiskMetrics EWMA recursion with decay <paramref name="lambda"/>.</summary>
    public static double[] Ewma(int n, double lambda, double initialVariance, int seed)
    {
        var z = Normal(n, 0, 1, seed);
        var r = new double[n];
        double v = initialVariance;
        for (int t = 0; t < n; t++)
        {
            r[t] = Math.Sqrt(v) * z[t];
            v = lambda * v + (1 - lambda) * r[t] * r[t];
        }
        return r;
    }

    /// <summary>Two-pass sample standard deviation, the textbook reference.</summary>
    public static double TwoPassStd(ReadOnlySpan<double> x)
    {
        double mean = 0;
        foreach (double v in x) mean += v;
        mean /= x.Length;
        double ss = 0;
        foreach (double v in x) ss += (v - mean) * (v - mean);
        return Math.Sqrt(ss / (x.Length - 1));
    }
}
