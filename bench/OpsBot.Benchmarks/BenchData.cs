using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using OpsBot.Risk;

namespace OpsBot.Benchmarks;

internal static class BenchData
{
    /// <summary><c>&lt;repo&gt;/../shared/data/dmbp.csv</c>, found by walking up from the running binary.</summary>
    public static string DmbpPath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data", "dmbp.csv");
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException("shared/data/dmbp.csv not found above " + AppContext.BaseDirectory);
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
