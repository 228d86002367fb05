using System.Text.Json;
using OpsBot.Calibrate;

namespace OpsBot.Risk.Tests;

/// <summary>The calibrate_vol tool's command line (tools/OpsBot.Calibrate) on the OpsBot.Risk calibration.</summary>
public sealed class CalibrateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("calibrate-vol-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CalibrateCommand.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string File(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    private static void AssertOneLineError(int code, string err, string expected)
    {
        Assert.Equal(CalibrateCommand.ExitBadInput, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("calibrate_vol: error: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }

    [Fact]
    public void Garch_on_the_benchmark_csv_prints_the_fit_as_json()
    {
        var (code, output, err) = Run("--garch", TestData.DmbpPath);
        Assert.Equal(0, code);
        Assert.Equal("", err);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        Assert.Equal("DEM2GBP", root.GetProperty("series").GetString());
        Assert.Equal(1974, root.GetProperty("n").GetInt32());
        Assert.Equal(0.153134, root.GetProperty("alpha").GetDouble(), 1e-5);
        Assert.Equal(0.805974, root.GetProperty("beta").GetDouble(), 1e-5);
        Assert.Equal(0.0107613, root.GetProperty("omega").GetDouble(), 1e-6);
        Assert.Equal(-0.00619041, root.GetProperty("mu").GetDouble(), 1e-7);
        Assert.Equal(0.0265228, root.GetProperty("stdErrors").GetProperty("alpha").GetDouble(), 3e-4);
        Assert.Equal(-1106.6079, root.GetProperty("logLikelihood").GetDouble(), 1e-3);
        Assert.Equal(0.959108, root.GetProperty("persistence").GetDouble(), 1e-5);
        Assert.Equal(0.263165, root.GetProperty("longRunVariance").GetDouble(), 1e-5);
        var forecasts = root.GetProperty("forecasts").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(10, forecasts.Length);
        Assert.Equal(0.146993, forecasts[0], 2e-6);
        Assert.Equal(0.183382, forecasts[9], 2e-6);
    }

    [Fact]
    public void Event_log_calibration_as_json_and_table()
    {
        var r = TestData.Garch(1_500, new GarchParameters(0, 2e-6, 0.08, 0.9), seed: 41);
        var lines = new List<string>();
        double btc = 60_000, eth = 3_000;
        var time = new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
        lines.Add($"{{\"symbol\":\"BTC-USD\",\"price\":{btc},\"time\":\"{time:O}\"}}");
        for (int i = 0; i < r.Length; i++)
        {
            time = time.AddSeconds(1);
            lines.Add($"{{\"symbol\":\"BTC-USD\",\"price\":{(btc *= 1 + r[i]):R},\"time\":\"{time:O}\"}}");
            if (i < 20) lines.Add($"{{\"symbol\":\"ETH-USD\",\"price\":{(eth *= 1 - r[i]):R},\"time\":\"{time:O}\"}}");
        }
        string path = File("ticks.jsonl", string.Join('\n', lines));

        var (code, output, err) = Run("--json", "--target-rate", "0.02", path);
        Assert.Equal(0, code);
        Assert.Equal("", err);
        using var doc = JsonDocument.Parse(output);
        var symbol = Assert.Single(doc.RootElement.GetProperty("symbols").EnumerateArray());
        Assert.Equal("BTC-USD", symbol.GetProperty("symbol").GetString());
        Assert.Equal(1_500, symbol.GetProperty("returns").GetInt32());
        Assert.InRange(symbol.GetProperty("ewma").GetProperty("lambda").GetDouble(), 0.8, 0.995);
        foreach (string model in new[] { "std", "ewma", "atr", "garch" })
            Assert.InRange(symbol.GetProperty("bandMultipliers").GetProperty(model).GetProperty("multiplier").GetDouble(), 1.0, 6.0);
        Assert.Equal("qmle", symbol.GetProperty("garch").GetProperty("method").GetString());
        var skipped = Assert.Single(doc.RootElement.GetProperty("skipped").EnumerateArray());
        Assert.Equal("ETH-USD", skipped.GetProperty("symbol").GetString());
        Assert.Contains("got 19", skipped.GetProperty("reason").GetString());

        (code, output, _) = Run(path);
        Assert.Equal(0, code);
        Assert.Contains("BTC-USD", output);
        Assert.Contains("skipped ETH-USD", output);
    }

    [Fact]
    public void Help_prints_usage()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("Usage: calibrate_vol", output);
        Assert.Contains("--garch", output);
    }

    [Fact]
    public void Empty_file_is_one_error_line()
    {
        var (code, _, err) = Run("--garch", File("empty.csv", ""));
        AssertOneLineError(code, err, "the file is empty");
    }

    [Fact]
    public void Text_in_the_number_column_names_the_line()
    {
        var (code, _, err) = Run("--garch", File("bad.csv", "r\n0.1\n0.2\noops\n"));
        AssertOneLineError(code, err, "line 4: 'oops' is not a finite number");
    }

    [Fact]
    public void Too_few_rows_states_the_minimum()
    {
        string rows = string.Join('\n', TestData.Normal(30, 0, 1, seed: 42).Select(x => x.ToString("R")));
        var (code, _, err) = Run("--garch", File("short.csv", "r\n" + rows));
        AssertOneLineError(code, err, "needs at least 100 returns; got 30");
        (code, _, err) = Run(File("short.csv", "r\n" + rows));
        AssertOneLineError(code, err, "calibration needs at least 150 returns; got 30");
    }

    [Fact]
    public void Event_log_where_no_symbol_can_be_fitted_fails()
    {
        var (code, _, err) = Run("--garch", File("few.jsonl", "{\"symbol\":\"A\",\"return\":0.1}\n{\"symbol\":\"B\",\"return\":0.2}\n"));
        AssertOneLineError(code, err, "no symbol could be fitted: A: GARCH(1,1) needs at least 100 returns; got 1");
    }

    [Theory]
    [InlineData(new[] { "--bogus", "x.csv" }, "unknown option '--bogus'")]
    [InlineData(new string[0], "missing input FILE")]
    [InlineData(new[] { "a.csv", "b.csv" }, "expected one input file")]
    [InlineData(new[] { "--target-rate", "2", "a.csv" }, "--target-rate must be a number between 0 and 0.5; got '2'")]
    [InlineData(new[] { "--horizon" }, "--horizon needs a value")]
    [InlineData(new[] { "/nonexistent/ticks.jsonl" }, "file not found")]
    public void Usage_errors_are_one_line_with_exit_2(string[] args, string expected)
    {
        var (code, _, err) = Run(args);
        AssertOneLineError(code, err, expected);
    }
}
