using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using OpsBot.Risk;

namespace OpsBot.Benchmarks;

internal static class BenchData
{
    /// <summary>The GARCH benchmark series, <c>data/garch/dmbp.csv</c> in the repository, copied next to the binary at build time.</summary>
    public static string DmbpPath
    {
        get
        {
            string path = Path.Combine(AppContext.BaseDirectory, "data", "dmbp.csv");
            return File.Exists(path) ? path : throw new FileNotFoundException("The GARCH benchmark series is copied from data/garch/dmbp.csv at build time", path);
        }
    }

    public static double[] Simulated(int n, int seed) =>
        Normal.Samples(new MersenneTwister(seed), 0, 0.001).Take(n).ToArray();

    public static double[] Prices(int n, int seed)
    {
        double p = 60_000;
        return Simulated(n, seed).Select(r => p *= 1 + r).ToArray();
    }

    public static double[] Garch(int n, GarchParameters g, int seed)
    {
        var z = Normal.Samples(new MersenneTwister(seed), 0, 1).Take(n).ToArray();
        var r = new double[n];
        double h = g.LongRunVariance;
        for (int t = 0; t < n; t++)
        {
            double e = Math.Sqrt(h) * z[t];
            r[t] = g.Mu + e;
            h = g.Omega + g.Alpha * e * e + g.Beta * h;
        }
        return r;
    }
}
