using System.Globalization;
using System.Text;

namespace OpsBot.PlatformMetrics;

/// <summary>A metric family's declared type (<c># TYPE</c>); <see cref="Untyped"/> when none was declared.</summary>
public enum MetricType
{
    Untyped,
    Counter,
    Gauge,
    Histogram,
    Summary,
}

/// <summary>One sample line: name, labels, value (NaN and ±Inf kept as such) and the optional timestamp in ms.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value, long? TimestampMs)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}

/// <summary>All samples of one metric family; a histogram's or summary's <c>_bucket</c>, <c>_sum</c> and <c>_count</c> belong to it.</summary>
public sealed record MetricFamily(string Name, MetricType Type, string? Help, IReadOnlyList<MetricSample> Samples);

/// <summary>What a scrape body held: the families in order of appearance, and the lines that were skipped as malformed.</summary>
public sealed record ParsedMetrics(IReadOnlyList<MetricFamily> Families, int MalformedLines, IReadOnlyList<string> Errors)
{
    public int SampleCount => Families.Sum(f => f.Samples.Count);

    public IEnumerable<MetricSample> Samples => Families.SelectMany(f => f.Samples);

    public MetricFamily? Family(string name) => Families.FirstOrDefault(f => f.Name == name);

    /// <summary>Every sample whose own name is <paramref name="name"/> (e.g. <c>x_bucket</c> or a gauge's name).</summary>
    public IEnumerable<MetricSample> SamplesNamed(string name) => Samples.Where(s => s.Name == name);
}

/// <summary>
/// The Prometheus text exposition format (0.0.4): <c># HELP</c> and <c># TYPE</c> lines, other comments,
/// samples with labels (escapes <c>\\</c>, <c>\"</c>, <c>\n</c>), values including <c>NaN</c>, <c>+Inf</c> and
/// <c>-Inf</c>, and optional millisecond timestamps. A line it cannot read is skipped and counted, never fatal.
/// </summary>
public sealed class PrometheusTextParser
{
    public const int MaxErrorsKept = 10;

    public ParsedMetrics Parse(string text)
    {
        var builder = new FamiliesBuilder();
        var malformed = 0;
        var errors = new List<string>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            if (string.IsNullOrWhiteSpace(line)) continue;
            var error = line.TrimStart().StartsWith('#') ? ParseComment(line.TrimStart(), builder) : ParseSample(line, builder);
            if (error is null) continue;
            malformed++;
            if (errors.Count < MaxErrorsKept) errors.Add($"line {lineNumber}: {error}");
        }
        return new ParsedMetrics(builder.Build(), malformed, errors);
    }

    private static string? ParseComment(string line, FamiliesBuilder builder)
    {
        var rest = line[1..].TrimStart(' ', '\t');
        var isHelp = rest.StartsWith("HELP ", StringComparison.Ordinal) || rest.StartsWith("HELP\t", StringComparison.Ordinal);
        var isType = rest.StartsWith("TYPE ", StringComparison.Ordinal) || rest.StartsWith("TYPE\t", StringComparison.Ordinal);
        if (!isHelp && !isType) return null; // an ordinary comment

        rest = rest[5..].TrimStart(' ', '\t');
        var nameEnd = 0;
        while (nameEnd < rest.Length && rest[nameEnd] is not (' ' or '\t')) nameEnd++;
        var name = rest[..nameEnd];
        if (!IsMetricName(name)) return $"{(isHelp ? "HELP" : "TYPE")} with an invalid metric name";
        var value = nameEnd < rest.Length ? rest[(nameEnd + 1)..] : "";

        if (isHelp)
        {
            var help = UnescapeHelp(value);
            if (help is null) return "HELP with a bad escape";
            builder.Help(name, help);
            return null;
        }

        var type = value.Trim() switch
        {
            "counter" => MetricType.Counter,
            "gauge" => MetricType.Gauge,
            "histogram" => MetricType.Histogram,
            "summary" => MetricType.Summary,
            "untyped" => MetricType.Untyped,
            _ => (MetricType?)null,
        };
        if (type is null) return $"unknown TYPE '{Shorten(value.Trim())}'";
        return builder.Type(name, type.Value) ? null : $"second TYPE line for {name}";
    }

    private static string? ParseSample(string line, FamiliesBuilder builder)
    {
        var i = 0;
        SkipBlanks(line, ref i);
        var nameStart = i;
        while (i < line.Length && IsNameChar(line[i], i == nameStart)) i++;
        var name = line[nameStart..i];
        if (name.Length == 0) return "no metric name";

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var afterName = i;
        SkipBlanks(line, ref i);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            var labelError = ParseLabels(line, ref i, labels);
            if (labelError is not null) return labelError;
        }
        else i = afterName;

        if (i >= line.Length || line[i] is not (' ' or '\t')) return "no value";
        SkipBlanks(line, ref i);
        var valueStart = i;
        while (i < line.Length && line[i] is not (' ' or '\t')) i++;
        if (!TryParseValue(line[valueStart..i], out var value)) return $"value '{Shorten(line[valueStart..i])}' is not a number";

        SkipBlanks(line, ref i);
        long? timestamp = null;
        if (i < line.Length)
        {
            var tsStart = i;
            while (i < line.Length && line[i] is not (' ' or '\t')) i++;
            if (!long.TryParse(line[tsStart..i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ts)) return "timestamp is not an integer";
            timestamp = ts;
            SkipBlanks(line, ref i);
            if (i < line.Length) return "text after the timestamp";
        }

        return builder.Add(new MetricSample(name, labels, value, timestamp));
    }

    private static string? ParseLabels(string line, ref int i, Dictionary<string, string> labels)
    {
        while (true)
        {
            SkipBlanks(line, ref i);
            if (i >= line.Length) return "unterminated label set";
            if (line[i] == '}') { i++; return null; }

            var start = i;
            while (i < line.Length && (char.IsAsciiLetter(line[i]) || line[i] == '_' || (i > start && char.IsAsciiDigit(line[i])))) i++;
            var labelName = line[start..i];
            if (labelName.Length == 0) return "bad label name";
            SkipBlanks(line, ref i);
            if (i >= line.Length || line[i] != '=') return $"label {labelName} has no '='";
            i++;
            SkipBlanks(line, ref i);
            if (i >= line.Length || line[i] != '"') return $"label {labelName} has no quoted value";
            i++;
            var value = new StringBuilder();
            var closed = false;
            while (i < line.Length)
            {
                var c = line[i++];
                if (c == '"') { closed = true; break; }
                if (c != '\\') { value.Append(c); continue; }
                if (i >= line.Length) return "label value ends in a backslash";
                var escaped = line[i++];
                switch (escaped)
                {
                    case '\\': value.Append('\\'); break;
                    case '"': value.Append('"'); break;
                    case 'n': value.Append('\n'); break;
                    default: return $"label {labelName} has the unknown escape \\{escaped}";
                }
            }
            if (!closed) return $"label {labelName} value is not closed";
            if (!labels.TryAdd(labelName, value.ToString())) return $"label {labelName} repeated";

            SkipBlanks(line, ref i);
            if (i < line.Length && line[i] == ',') { i++; continue; }
            if (i < line.Length && line[i] == '}') { i++; return null; }
            return "labels not separated by ','";
        }
    }

    public static bool TryParseValue(string text, out double value)
    {
        switch (text.ToLowerInvariant())
        {
            case "nan": value = double.NaN; return true;
            case "+inf" or "inf" or "+infinity" or "infinity": value = double.PositiveInfinity; return true;
            case "-inf" or "-infinity": value = double.NegativeInfinity; return true;
        }
        value = 0;
        return text.Length > 0 && !text.Contains('∞')
               && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    private static string? UnescapeHelp(string text)
    {
        if (!text.Contains('\\')) return text;
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\') { sb.Append(text[i]); continue; }
            if (++i >= text.Length) return null;
            switch (text[i])
            {
                case '\\': sb.Append('\\'); break;
                case 'n': sb.Append('\n'); break;
                default: sb.Append('\\').Append(text[i]); break; // HELP keeps unknown escapes as written
            }
        }
        return sb.ToString();
    }

    private static bool IsMetricName(string name) => name.Length > 0 && name.Select((c, i) => IsNameChar(c, i == 0)).All(ok => ok);

    private static bool IsNameChar(char c, bool first) => char.IsAsciiLetter(c) || c is '_' or ':' || (!first && char.IsAsciiDigit(c));

    private static void SkipBlanks(string line, ref int i)
    {
        while (i < line.Length && line[i] is ' ' or '\t') i++;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>Groups samples into families by the TYPE and HELP lines seen so far.</summary>
    private sealed class FamiliesBuilder
    {
        private readonly List<string> _order = [];
        private readonly Dictionary<string, (MetricType Type, bool Typed, string? Help, List<MetricSample> Samples)> _families = new(StringComparer.Ordinal);

        public void Help(string name, string help)
        {
            var family = Get(name);
            _families[name] = family with { Help = help };
        }

        public bool Type(string name, MetricType type)
        {
            var family = Get(name);
            if (family.Typed) return false;
            _families[name] = family with { Type = type, Typed = true };
            return true;
        }

        public string? Add(MetricSample sample)
        {
            var familyName = FamilyOf(sample.Name);
            var family = Get(familyName);
            if (family.Type == MetricType.Histogram && sample.Name == familyName + "_bucket" && sample.Label("le") is not { } le)
                return "histogram bucket without an 'le' label";
            if (family.Type == MetricType.Histogram && sample.Label("le") is { } bound && !TryParseValue(bound, out _))
                return "histogram bucket 'le' is not a number";
            if (family.Type == MetricType.Summary && sample.Name == familyName && sample.Label("quantile") is { } q && !TryParseValue(q, out _))
                return "summary 'quantile' is not a number";
            family.Samples.Add(sample);
            return null;
        }

        public IReadOnlyList<MetricFamily> Build() =>
            _order.Select(n => _families[n]).Zip(_order, (f, n) => new MetricFamily(n, f.Type, f.Help, f.Samples))
                .Where(f => f.Samples.Count > 0 || f.Help is not null || f.Type != MetricType.Untyped).ToList();

        private string FamilyOf(string sampleName)
        {
            if (_families.TryGetValue(sampleName, out var exact) && exact.Typed) return sampleName;
            foreach (var suffix in (ReadOnlySpan<string>)["_bucket", "_sum", "_count", "_created"])
            {
                if (!sampleName.EndsWith(suffix, StringComparison.Ordinal)) continue;
                var baseName = sampleName[..^suffix.Length];
                if (_families.TryGetValue(baseName, out var f) && f.Type is MetricType.Histogram or MetricType.Summary
                    && (suffix != "_bucket" || f.Type == MetricType.Histogram))
                    return baseName;
            }
            return sampleName;
        }

        private (MetricType Type, bool Typed, string? Help, List<MetricSample> Samples) Get(string name)
        {
            if (_families.TryGetValue(name, out var family)) return family;
            family = (MetricType.Untyped, false, null, []);
            _families[name] = family;
            _order.Add(name);
            return family;
        }
    }
}
