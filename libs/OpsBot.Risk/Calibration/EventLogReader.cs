using System.Globalization;
using System.Text.Json;

namespace OpsBot.Risk;

/// <summary>What an input file held.</summary>
public enum EventLogFormat
{
    /// <summary>A header line and one numeric column of returns.</summary>
    Csv,

    /// <summary>JSON Lines of ticker events <c>{"symbol":…,"price":…,"time":…}</c>; returns are pₜ/pₜ₋₁ − 1 per symbol.</summary>
    TickerJsonLines,

    /// <summary>JSON Lines of return events <c>{"symbol":…,"return":…}</c>.</summary>
    ReturnJsonLines,
}

/// <summary>One symbol's returns in file order. For a CSV the name is the header.</summary>
public sealed record ReturnSeries(string Name, double[] Returns);

/// <summary>The series read from one input, grouped per symbol in order of first appearance.</summary>
public sealed record EventLog(EventLogFormat Format, IReadOnlyList<ReturnSeries> Series);

/// <summary>The input cannot be read as any supported format; the one-line message names the source and line.</summary>
public sealed class EventLogFormatException : Exception
{
    public EventLogFormatException(string message) : base(message) { }

    public EventLogFormatException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// Reads calibration input. The format is recognised from the first non-blank line: <c>{</c> starts JSON Lines
/// (ticker or return events, one object a line, the kind fixed by the first event), anything else a CSV with
/// a header line and one numeric column of returns. Blank lines are skipped; events are taken in file order
/// (the <c>time</c> field is not used for ordering). Numbers use the invariant culture; JSON prices may be
/// numbers or numeric strings, as exchanges often send them. Property names match case-insensitively.
/// </summary>
public static class EventLogReader
{
    public static EventLog Read(string path)
    {
        if (!File.Exists(path)) throw new EventLogFormatException($"{path}: file not found.");
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    public static EventLog Read(TextReader reader, string source)
    {
        int lineNo = 0;
        string? first;
        while ((first = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (first.Trim().Length > 0) break;
        }
        if (first is null) throw new EventLogFormatException($"{source}: the file is empty.");
        string head = first.Trim();
        if (head.StartsWith('[')) throw new EventLogFormatException(
            $"{source}: line {lineNo}: a JSON array is not supported; write one event object per line (JSON Lines).");
        return head.StartsWith('{')
            ? ReadJsonLines(reader, source, head, lineNo)
            : ReadCsv(reader, source, head, lineNo);
    }

    private static EventLog ReadCsv(TextReader reader, string source, string header, int lineNo)
    {
        int columns = header.Split(',').Length;
        if (columns != 1) throw new EventLogFormatException(
            $"{source}: line {lineNo}: expected a CSV with one column of returns; the header has {columns} columns.");
        if (TryParseNumber(header, out _)) throw new EventLogFormatException(
            $"{source}: line {lineNo}: expected a header line (a column name) but found the number '{header}'.");
        string name = header.Trim('"', ' ');
        var values = new List<double>();
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            string cell = line.Trim();
            if (cell.Length == 0) continue;
            if (cell.Contains(',')) throw new EventLogFormatException(
                $"{source}: line {lineNo}: expected one value, found {cell.Split(',').Length} columns.");
            if (!TryParseNumber(cell, out double v)) throw new EventLogFormatException(
                $"{source}: line {lineNo}: '{Shorten(cell)}' is not a finite number.");
            values.Add(v);
        }
        if (values.Count == 0) throw new EventLogFormatException($"{source}: no data rows after the header '{name}'.");
        return new EventLog(EventLogFormat.Csv, [new ReturnSeries(name, values.ToArray())]);
    }

    private static EventLog ReadJsonLines(TextReader reader, string source, string firstLine, int lineNo)
    {
        EventLogFormat? kind = null;
        var bySymbol = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var order = new List<string>();
        string? line = firstLine;
        do
        {
            string text = line.Trim();
            if (text.Length > 0)
            {
                var (symbol, lineKind, value) = ParseEvent(text, source, lineNo);
                kind ??= lineKind;
                if (lineKind != kind) throw new EventLogFormatException(
                    $"{source}: line {lineNo}: a {Describe(lineKind)} in a log of {Describe(kind.Value)}s; use one kind per file.");
                if (!bySymbol.TryGetValue(symbol, out var list))
                {
                    bySymbol[symbol] = list = [];
                    order.Add(symbol);
                }
                list.Add(value);
            }
            line = reader.ReadLine();
            lineNo++;
        } while (line is not null);

        var series = order.Select(s => new ReturnSeries(s,
            kind == EventLogFormat.TickerJsonLines ? ToReturns(bySymbol[s]) : bySymbol[s].ToArray())).ToList();
        return new EventLog(kind!.Value, series);
    }

    private static (string Symbol, EventLogFormat Kind, double Value) ParseEvent(string text, string source, int lineNo)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new EventLogFormatException($"{source}: line {lineNo}: not valid JSON ({ex.Message.Split('\n')[0].TrimEnd()}).", ex);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new EventLogFormatException(
                $"{source}: line {lineNo}: expected a JSON object per line, found {root.ValueKind}.");
            JsonElement? symbol = null, price = null, ret = null;
            foreach (var p in root.EnumerateObject())
            {
                if (p.Name.Equals("symbol", StringComparison.OrdinalIgnoreCase)) symbol = p.Value;
                else if (p.Name.Equals("price", StringComparison.OrdinalIgnoreCase)) price = p.Value;
                else if (p.Name.Equals("return", StringComparison.OrdinalIgnoreCase)) ret = p.Value;
            }
            if (symbol is not { ValueKind: JsonValueKind.String } sym || string.IsNullOrWhiteSpace(sym.GetString()))
                throw new EventLogFormatException($"{source}: line {lineNo}: missing a string \"symbol\".");
            if (price is null == ret is null) throw new EventLogFormatException(
                $"{source}: line {lineNo}: unknown event format; expected a ticker event {{\"symbol\",\"price\",\"time\"}} or a return event {{\"symbol\",\"return\"}}.");
            var kind = price is not null ? EventLogFormat.TickerJsonLines : EventLogFormat.ReturnJsonLines;
            string field = price is not null ? "price" : "return";
            var el = (price ?? ret)!.Value;
            if (!TryReadNumber(el, out double value)) throw new EventLogFormatException(
                $"{source}: line {lineNo}: \"{field}\" is not a finite number: {Shorten(el.GetRawText())}.");
            if (kind == EventLogFormat.TickerJsonLines && value <= 0) throw new EventLogFormatException(
                $"{source}: line {lineNo}: \"price\" must be positive, got {value.ToString(CultureInfo.InvariantCulture)}.");
            return (sym.GetString()!.Trim(), kind, value);
        }
    }

    private static bool TryReadNumber(JsonElement el, out double value)
    {
        value = double.NaN;
        return el.ValueKind switch
        {
            JsonValueKind.Number => el.TryGetDouble(out value) && double.IsFinite(value),
            JsonValueKind.String => TryParseNumber(el.GetString()!, out value),
            _ => false,
        };
    }

    private static double[] ToReturns(List<double> prices)
    {
        if (prices.Count < 2) return [];
        var r = new double[prices.Count - 1];
        for (int i = 1; i < prices.Count; i++) r[i - 1] = prices[i] / prices[i - 1] - 1.0;
        return r;
    }

    private static bool TryParseNumber(string s, out double value) =>
        double.TryParse(s.Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static string Describe(EventLogFormat f) => f == EventLogFormat.TickerJsonLines ? "ticker event" : "return event";

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
