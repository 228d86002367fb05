using System.Globalization;
using System.Text;
using System.Text.Json;
using OpsBot.Risk;

namespace OpsBot.Calibrate;

/// <summary>
/// The <c>calibrate_vol</c> command line: argument parsing and printing around the calibration logic of the
/// OpsBot.Risk library (<see cref="EventLogReader"/>, <see cref="VolatilityCalibrator"/>, <see cref="Garch11Estimator"/>),
/// which the services load without this code. Exit code 0 on success, 2 on bad input or usage, with one line on stderr.
/// </summary>
public static class CalibrateCommand
{
    public const int ExitOk = 0;
    public const int ExitBadInput = 2;

    public const string Usage = """
        Usage: calibrate_vol [options] FILE

        Suggests volatility settings (EWMA lambda, ATR window, band multipliers, GARCH(1,1)) from returns.

        FILE is one of
          a CSV: a header line, then one column of returns      (e.g. data/garch/dmbp.csv)
          JSON Lines of ticker events, one per line            {"symbol":"BTC-USD","price":43210.5,"time":"2024-05-01T12:00:00Z"}
          JSON Lines of return events, one per line            {"symbol":"BTC-USD","return":-0.0012}
        Ticker prices become simple returns p(t)/p(t-1) - 1 per symbol, in file order.

        Options
          --garch          only fit GARCH(1,1) by Gaussian QMLE and print JSON
                           (one object for a CSV, an array with one object per symbol for an event log)
          --json           print the calibration as JSON instead of a table
          --target-rate R  band breach rate to aim for, 0 < R < 0.5 (default 0.01)
          --horizon K      number of variance forecasts h(T+1)..h(T+K) to print (default 10)
          --std-window N   rolling std window (default 20)
          -h, --help       print this text

        Exit codes: 0 success, 2 bad input or usage (one line on stderr).
        """;

    private const string Prog = "calibrate_vol";

    /// <summary>Runs the command; never throws for bad input or usage.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var options = ParseArgs(args);
            if (options is null)
            {
                stdout.WriteLine(Usage);
                return ExitOk;
            }
            var log = EventLogReader.Read(options.Path);
            string output = options.GarchOnly ? GarchJson(log, options) : Calibration(log, options);
            stdout.WriteLine(output);
            return ExitOk;
        }
        catch (Exception ex) when (ex is UsageException or EventLogFormatException or GarchFitException
                                   or CalibrationException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"{Prog}: error: {OneLine(ex.Message)}");
            return ExitBadInput;
        }
    }

    private sealed record Options(string Path, bool GarchOnly, bool Json, double TargetRate, int Horizon, int StdWindow);

    private sealed class UsageException(string message) : Exception(message);

    /// <summary>Null when help was asked for.</summary>
    private static Options? ParseArgs(IReadOnlyList<string> args)
    {
        string? path = null;
        bool garch = false, json = false;
        double rate = 0.01;
        int horizon = 10, stdWindow = 20;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            switch (a)
            {
                case "-h" or "--help": return null;
                case "--garch": garch = true; break;
                case "--json": json = true; break;
                case "--target-rate": rate = Number(args, ref i, a, v => v is > 0 and < 0.5, "a number between 0 and 0.5"); break;
                case "--horizon": horizon = (int)Number(args, ref i, a, v => v is >= 1 and <= 10_000 && v == Math.Floor(v), "a whole number from 1 to 10000"); break;
                case "--std-window": stdWindow = (int)Number(args, ref i, a, v => v is >= 2 and <= 50 && v == Math.Floor(v), "a whole number from 2 to 50"); break;
                default:
                    if (a.StartsWith('-') && a.Length > 1) throw new UsageException($"unknown option '{a}' (see --help).");
                    if (path is not null) throw new UsageException($"expected one input file, got '{path}' and '{a}' (see --help).");
                    path = a;
                    break;
            }
        }
        if (path is null) throw new UsageException("missing input FILE (see --help).");
        return new Options(path, garch, json, rate, horizon, stdWindow);
    }

    private static double Number(IReadOnlyList<string> args, ref int i, string name, Func<double, bool> valid, string expected)
    {
        if (i + 1 >= args.Count) throw new UsageException($"{name} needs a value: {expected}.");
        string raw = args[++i];
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !valid(v))
            throw new UsageException($"{name} must be {expected}; got '{raw}'.");
        return v;
    }

    private static string GarchJson(EventLog log, Options o)
    {
        if (log.Format == EventLogFormat.Csv)
        {
            var s = log.Series[0];
            var fit = Garch11Estimator.Fit(s.Returns);
            return Json(w => WriteFit(w, s.Name, fit, o.Horizon));
        }

        var results = log.Series.Select(s => (s, fit: TryFit(s.Returns, out string? error), error)).ToList();
        if (results.All(r => r.fit is null))
            throw new GarchFitException("no symbol could be fitted: " + string.Join("; ", results.Select(r => $"{r.s.Name}: {r.error}")));
        return Json(w =>
        {
            w.WriteStartArray();
            foreach (var (s, fit, error) in results)
            {
                if (fit is not null) WriteFit(w, s.Name, fit, o.Horizon);
                else
                {
                    w.WriteStartObject();
                    w.WriteString("series", s.Name);
                    w.WriteNumber("n", s.Returns.Length);
                    w.WriteString("error", error);
                    w.WriteEndObject();
                }
            }
            w.WriteEndArray();
        });
    }

    private static GarchFit? TryFit(double[] returns, out string? error)
    {
        try
        {
            error = null;
            return Garch11Estimator.Fit(returns);
        }
        catch (GarchFitException ex)
        {
            error = ex.Message;
            return null;
        }
    }

    private static string Calibration(EventLog log, Options o)
    {
        var options = new CalibrationOptions { TargetBreachRate = o.TargetRate, StdWindow = o.StdWindow };
        var done = new List<SymbolCalibration>();
        var skipped = new List<(string Symbol, string Reason)>();
        foreach (var s in log.Series)
        {
            try
            {
                done.Add(VolatilityCalibrator.Calibrate(s.Name, s.Returns, options));
            }
            catch (CalibrationException ex)
            {
                skipped.Add((s.Name, ex.Message));
            }
        }
        if (done.Count == 0) throw new CalibrationException(string.Join("; ", skipped.Select(s => s.Reason)));
        return o.Json ? CalibrationJson(done, skipped, o) : CalibrationTable(done, skipped);
    }

    private static string CalibrationJson(List<SymbolCalibration> done, List<(string Symbol, string Reason)> skipped, Options o) => Json(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("targetBreachRate", o.TargetRate);
        w.WriteStartArray("symbols");
        foreach (var c in done)
        {
            w.WriteStartObject();
            w.WriteString("symbol", c.Symbol);
            w.WriteNumber("returns", c.Returns);
            w.WriteStartObject("ewma");
            w.WriteNumber("lambda", c.EwmaLambda);
            Number(w, "qlike", c.EwmaQLike);
            w.WriteEndObject();
            w.WriteStartObject("atr");
            w.WriteNumber("window", c.AtrWindow);
            Number(w, "qlike", c.AtrQLike);
            w.WriteEndObject();
            w.WriteStartObject("std");
            w.WriteNumber("window", c.StdWindow);
            Number(w, "qlike", c.StdQLike);
            w.WriteEndObject();
            w.WriteStartObject("bandMultipliers");
            foreach (var b in c.Bands)
            {
                w.WriteStartObject(b.Model);
                Number(w, "multiplier", b.Multiplier);
                Number(w, "breachRate", b.BreachRate);
                w.WriteNumber("evaluated", b.Evaluated);
                w.WriteEndObject();
            }
            w.WriteEndObject();
            w.WritePropertyName("garch");
            WriteFit(w, c.Symbol, c.Garch!, o.Horizon);
            if (c.GarchError is not null) w.WriteString("garchError", c.GarchError);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("skipped");
        foreach (var (symbol, reason) in skipped)
        {
            w.WriteStartObject();
            w.WriteString("symbol", symbol);
            w.WriteString("reason", reason);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static string CalibrationTable(List<SymbolCalibration> done, List<(string Symbol, string Reason)> skipped)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine(inv, $"target band breach rate {done[0].TargetBreachRate:P2}; multipliers k: band = last price ± k·sigma·last price");
        sb.AppendLine(inv, $"{"symbol",-12} {"returns",8} {"ewma λ",7} {"atr win",7} {"k std",6} {"k ewma",6} {"k atr",6} {"k garch",7} {"garch α",9} {"garch β",9} {"α+β",7}  {"garch",-5}");
        foreach (var c in done)
        {
            var k = c.Bands.ToDictionary(b => b.Model, b => b.Multiplier);
            var g = c.Garch!;
            string method = c.GarchError is null ? "qmle" : "mom*";
            sb.AppendLine(inv, $"{c.Symbol,-12} {c.Returns,8} {c.EwmaLambda,7:0.000} {c.AtrWindow,7} {k["std"],6:0.00} {k["ewma"],6:0.00} {k["atr"],6:0.00} {k["garch"],7:0.00} {g.Alpha,9:0.0000} {g.Beta,9:0.0000} {g.Persistence,7:0.0000}  {method,-5}");
        }
        foreach (var c in done.Where(c => c.GarchError is not null))
            sb.AppendLine(inv, $"* {c.Symbol}: QMLE failed ({c.GarchError}); method-of-moments estimates shown.");
        foreach (var (symbol, reason) in skipped)
            sb.AppendLine(inv, $"skipped {symbol}: {reason}");
        return sb.ToString().TrimEnd();
    }

    private static void WriteFit(Utf8JsonWriter w, string name, GarchFit f, int horizon)
    {
        w.WriteStartObject();
        w.WriteString("series", name);
        w.WriteNumber("n", f.N);
        w.WriteString("method", f.Method == GarchFitMethod.Qmle ? "qmle" : "method-of-moments");
        Number(w, "mu", f.Mu);
        Number(w, "omega", f.Omega);
        Number(w, "alpha", f.Alpha);
        Number(w, "beta", f.Beta);
        if (f.StandardErrors is { } se)
        {
            w.WriteStartObject("stdErrors");
            Number(w, "mu", se.Mu);
            Number(w, "omega", se.Omega);
            Number(w, "alpha", se.Alpha);
            Number(w, "beta", se.Beta);
            w.WriteEndObject();
        }
        Number(w, "logLikelihood", f.LogLikelihood);
        Number(w, "persistence", f.Persistence);
        Number(w, "longRunVariance", f.LongRunVariance);
        Number(w, "lastVariance", f.LastVariance);
        w.WriteStartArray("forecasts");
        foreach (double h in f.Forecasts(horizon)) NumberValue(w, h);
        w.WriteEndArray();
        w.WriteNumber("iterations", f.Iterations);
        w.WriteString("convergence", f.Convergence);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        w.WritePropertyName(name);
        NumberValue(w, v);
    }

    private static void NumberValue(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(v);
        else w.WriteNullValue();
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(w);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
