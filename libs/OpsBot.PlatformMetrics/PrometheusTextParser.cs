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

/// <summary>
/// What a scrape body held: the families kept, in order of appearance (only those the parser was told to keep,
/// and at most <see cref="PrometheusTextParser.MaxSamplesKept"/> samples), the number of valid samples in the whole
/// page, the samples that matched but were dropped over the bound, and the lines that were skipped as malformed.
/// </summary>
public sealed record ParsedMetrics(IReadOnlyList<MetricFamily> Families, int MalformedLines, IReadOnlyList<string> Errors)
{
    /// <summary>Valid samples in the page, kept or not.</summary>
    public long SampleCount { get; init; }

    /// <summary>Samples that were to be kept but were over <see cref="PrometheusTextParser.MaxSamplesKept"/>.</summary>
    public long SamplesDropped { get; init; }

    public int SamplesKept => Families.Sum(f => f.Samples.Count);

    public IEnumerable<MetricSample> Samples => Families.SelectMany(f => f.Samples);

    public MetricFamily? Family(string name) => Families.FirstOrDefault(f => f.Name == name);

    /// <summary>Every kept sample whose own name is <paramref name="name"/> (e.g. <c>x_bucket</c> or a gauge's name).</summary>
    public IEnumerable<MetricSample> SamplesNamed(string name) => Samples.Where(s => s.Name == name);
}

/// <summary>
/// The Prometheus text exposition format (0.0.4): <c># HELP</c> and <c># TYPE</c> lines, other comments,
/// samples with labels (escapes <c>\\</c>, <c>\"</c>, <c>\n</c>), values including <c>NaN</c>, <c>+Inf</c> and
/// <c>-Inf</c>, and optional millisecond timestamps. A line it cannot read is skipped and counted, never fatal.
/// <para>
/// Bounded in memory, not only in bytes: it reads the page line by line (<see cref="Begin"/>, <see cref="Session.Feed"/>,
/// a line longer than <see cref="MaxLineChars"/> is malformed), checks every line's syntax without allocating, and
/// keeps a sample (its name, labels and value) only when its name or its family's name is one it was told to keep
/// (OpsBot keeps the kill-switch gauge, <see cref="ForKillSwitch"/>), and at most <see cref="MaxSamplesKept"/> of them;
/// the rest are counted in <see cref="ParsedMetrics.SamplesDropped"/>. HELP/TYPE and histogram/summary checks apply
/// to the families it keeps.
/// </para>
/// </summary>
public sealed class PrometheusTextParser
{
    public const int MaxErrorsKept = 10;
    /// <summary>Most samples one parse keeps (one per kill-switch scope in OpsBot's use); more are dropped and counted.</summary>
    public const int MaxSamplesKept = 1_000;
    /// <summary>Longest line read (64 Ki characters); a longer one is skipped as malformed without being buffered.</summary>
    public const int MaxLineChars = 64 * 1024;

    private static readonly string[] FamilySuffixes = ["_bucket", "_sum", "_count", "_created"];
    private readonly HashSet<string>? _keep;

    /// <summary>Keeps every family (up to <see cref="MaxSamplesKept"/> samples): tests and tools reading a small page.</summary>
    public PrometheusTextParser() { }

    /// <summary>Keeps only the samples named <paramref name="keep"/> (a sample's own name or its family's name).</summary>
    public PrometheusTextParser(IEnumerable<string> keep) => _keep = new HashSet<string>(keep, StringComparer.Ordinal);

    /// <summary>What OpsBot reads from the platform's page: the kill-switch gauge (<c>KILL_SWITCH_METRIC</c>), nothing else.</summary>
    public static PrometheusTextParser ForKillSwitch(PlatformMetricsOptions options) => new([options.KillSwitchMetric]);

    public ParsedMetrics Parse(string text)
    {
        var session = Begin();
        session.Feed(text);
        return session.Complete();
    }

    /// <summary>Parses a page fed in pieces of any size (the scraper feeds decoded chunks of the response body).</summary>
    public Session Begin() => new(this);

    /// <summary>One parse: <see cref="Feed"/> text as it arrives, then <see cref="Complete"/>. Not thread-safe.</summary>
    public sealed class Session
    {
        private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>>? _keep;
        private readonly FamiliesBuilder _builder;
        private char[] _line = new char[256]; // grows to MaxLineChars
        private readonly List<string> _errors = [];
        private readonly List<(int Start, int Length)> _labelNames = [];
        private int _lineLength;
        private bool _lineTooLong;
        private int _lineNumber;
        private int _malformed;
        private long _samples;
        private long _dropped;
        private int _kept;

        internal Session(PrometheusTextParser parser)
        {
            if (parser._keep is { } keep) _keep = keep.GetAlternateLookup<ReadOnlySpan<char>>();
            _builder = new FamiliesBuilder(MaxSamplesKept);
        }

        public void Feed(ReadOnlySpan<char> text)
        {
            while (text.Length > 0)
            {
                var newline = text.IndexOf('\n');
                var part = newline < 0 ? text : text[..newline];
                if (!_lineTooLong)
                {
                    if (_lineLength + part.Length > MaxLineChars) _lineTooLong = true;
                    else
                    {
                        if (_lineLength + part.Length > _line.Length)
                            Array.Resize(ref _line, Math.Min(MaxLineChars, Math.Max(_line.Length * 2, _lineLength + part.Length)));
                        part.CopyTo(_line.AsSpan(_lineLength));
                        _lineLength += part.Length;
                    }
                }
                if (newline < 0) return;
                EndLine();
                text = text[(newline + 1)..];
            }
        }

        public ParsedMetrics Complete()
        {
            if (_lineLength > 0 || _lineTooLong) EndLine();
            return new ParsedMetrics(_builder.Build(), _malformed, _errors) { SampleCount = _samples, SamplesDropped = _dropped };
        }

        private void EndLine()
        {
            _lineNumber++;
            var error = _lineTooLong ? $"longer than {MaxLineChars} characters" : ParseLine(_line.AsSpan(0, _lineLength));
            _lineLength = 0;
            _lineTooLong = false;
            if (error is null) return;
            _malformed++;
            if (_errors.Count < MaxErrorsKept) _errors.Add($"line {_lineNumber}: {error}");
        }

        private string? ParseLine(ReadOnlySpan<char> line)
        {
            line = line.TrimEnd('\r');
            if (line.IsWhiteSpace()) return null;
            var trimmed = line.TrimStart();
            return trimmed[0] == '#' ? ParseComment(trimmed) : ParseSample(line);
        }

        private bool Keeps(ReadOnlySpan<char> name)
        {
            if (_keep is not { } keep) return true;
            if (keep.Contains(name)) return true;
            foreach (var suffix in FamilySuffixes)
                if (name.EndsWith(suffix, StringComparison.Ordinal) && keep.Contains(name[..^suffix.Length])) return true;
            return false;
        }

        private string? ParseComment(ReadOnlySpan<char> line)
        {
            var rest = line[1..].TrimStart(" \t");
            var isHelp = rest.StartsWith("HELP ", StringComparison.Ordinal) || rest.StartsWith("HELP\t", StringComparison.Ordinal);
            var isType = rest.StartsWith("TYPE ", StringComparison.Ordinal) || rest.StartsWith("TYPE\t", StringComparison.Ordinal);
            if (!isHelp && !isType) return null; // an ordinary comment

            rest = rest[5..].TrimStart(" \t");
            var nameEnd = 0;
            while (nameEnd < rest.Length && rest[nameEnd] is not (' ' or '\t')) nameEnd++;
            var name = rest[..nameEnd];
            if (!IsMetricName(name)) return $"{(isHelp ? "HELP" : "TYPE")} with an invalid metric name";
            var value = nameEnd < rest.Length ? rest[(nameEnd + 1)..] : [];
            var tracked = _keep is not { } keep || keep.Contains(name);

            if (isHelp)
            {
                if (!tracked) return HelpEscapesClose(value) ? null : "HELP with a bad escape";
                var help = UnescapeHelp(value);
                if (help is null) return "HELP with a bad escape";
                _builder.Help(name.ToString(), help);
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
            if (!tracked) return null;
            var familyName = name.ToString();
            return _builder.Type(familyName, type.Value) ? null : $"second TYPE line for {familyName}";
        }

        private string? ParseSample(ReadOnlySpan<char> line)
        {
            var i = 0;
            SkipBlanks(line, ref i);
            var nameStart = i;
            while (i < line.Length && IsNameChar(line[i], i == nameStart)) i++;
            var name = line[nameStart..i];
            if (name.Length == 0) return "no metric name";
            var wanted = Keeps(name);
            var collect = wanted && _kept < MaxSamplesKept; // over the bound: checked and counted, not kept

            Dictionary<string, string>? labels = collect ? new Dictionary<string, string>(StringComparer.Ordinal) : null;
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

            if (labels is null)
            {
                _samples++;
                if (wanted) _dropped++;
                return null;
            }
            var error = _builder.Add(new MetricSample(name.ToString(), labels, value, timestamp));
            if (error is not null) return error;
            _samples++;
            _kept++;
            return null;
        }

        /// <summary>Reads a label set; collects it into <paramref name="labels"/> when given, else only checks it (no allocation).</summary>
        private string? ParseLabels(ReadOnlySpan<char> line, ref int i, Dictionary<string, string>? labels)
        {
            _labelNames.Clear();
            StringBuilder? value = labels is null ? null : new StringBuilder();
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
                value?.Clear();
                var closed = false;
                while (i < line.Length)
                {
                    var c = line[i++];
                    if (c == '"') { closed = true; break; }
                    if (c != '\\') { value?.Append(c); continue; }
                    if (i >= line.Length) return "label value ends in a backslash";
                    var escaped = line[i++];
                    switch (escaped)
                    {
                        case '\\': value?.Append('\\'); break;
                        case '"': value?.Append('"'); break;
                        case 'n': value?.Append('\n'); break;
                        default: return $"label {labelName} has the unknown escape \\{escaped}";
                    }
                }
                if (!closed) return $"label {labelName} value is not closed";
                foreach (var (s, l) in _labelNames)
                    if (line.Slice(s, l).SequenceEqual(labelName)) return $"label {labelName} repeated";
                _labelNames.Add((start, labelName.Length));
                labels?.Add(labelName.ToString(), value!.ToString());

                SkipBlanks(line, ref i);
                if (i < line.Length && line[i] == ',') { i++; continue; }
                if (i < line.Length && line[i] == '}') { i++; return null; }
                return "labels not separated by ','";
            }
        }
    }

    public static bool TryParseValue(string text, out double value) => TryParseValue(text.AsSpan(), out value);

    public static bool TryParseValue(ReadOnlySpan<char> text, out double value)
    {
        if (text.Equals("nan", StringComparison.OrdinalIgnoreCase)) { value = double.NaN; return true; }
        if (text.Equals("+inf", StringComparison.OrdinalIgnoreCase) || text.Equals("inf", StringComparison.OrdinalIgnoreCase)
            || text.Equals("+infinity", StringComparison.OrdinalIgnoreCase) || text.Equals("infinity", StringComparison.OrdinalIgnoreCase))
        { value = double.PositiveInfinity; return true; }
        if (text.Equals("-inf", StringComparison.OrdinalIgnoreCase) || text.Equals("-infinity", StringComparison.OrdinalIgnoreCase))
        { value = double.NegativeInfinity; return true; }
        value = 0;
        return text.Length > 0 && !text.Contains('∞')
               && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>HELP keeps unknown escapes as written; only a lone trailing backslash is bad.</summary>
    private static bool HelpEscapesClose(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
            if (text[i] == '\\' && ++i >= text.Length) return false;
        return true;
    }

    private static string? UnescapeHelp(ReadOnlySpan<char> text)
    {
        if (!text.Contains('\\')) return text.ToString();
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

    private static bool IsMetricName(ReadOnlySpan<char> name)
    {
        if (name.Length == 0) return false;
        for (var i = 0; i < name.Length; i++)
            if (!IsNameChar(name[i], i == 0)) return false;
        return true;
    }

    private static bool IsNameChar(char c, bool first) => char.IsAsciiLetter(c) || c is '_' or ':' || (!first && char.IsAsciiDigit(c));

    private static void SkipBlanks(ReadOnlySpan<char> line, ref int i)
    {
        while (i < line.Length && line[i] is ' ' or '\t') i++;
    }

    private static string Shorten(ReadOnlySpan<char> text) => text.Length <= 40 ? text.ToString() : string.Concat(text[..40], "…");

    /// <summary>
    /// Groups samples into families by the TYPE and HELP lines seen so far. HELP and TYPE of more than
    /// <paramref name="maxFamilies"/> families are not remembered (a page of many families stays bounded).
    /// </summary>
    private sealed class FamiliesBuilder(int maxFamilies)
    {
        private readonly List<string> _order = [];
        private readonly Dictionary<string, (MetricType Type, bool Typed, string? Help, List<MetricSample> Samples)> _families = new(StringComparer.Ordinal);

        private bool Full(string name) => _families.Count >= maxFamilies && !_families.ContainsKey(name);

        public void Help(string name, string help)
        {
            if (Full(name)) return;
            var family = Get(name);
            _families[name] = family with { Help = help };
        }

        public bool Type(string name, MetricType type)
        {
            if (Full(name)) return true;
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
            foreach (var suffix in FamilySuffixes)
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
