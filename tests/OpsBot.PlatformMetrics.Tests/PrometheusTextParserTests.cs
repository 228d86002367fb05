using OpsBot.PlatformMetrics;

namespace OpsBot.PlatformMetrics.Tests;

public sealed class PrometheusTextParserTests
{
    private readonly PrometheusTextParser _parser = new();

    [Fact]
    public void Reads_counters_gauges_histograms_and_summaries_into_families()
    {
        var metrics = _parser.Parse("""
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000
            # TYPE temperature gauge
            temperature -12.5
            # A histogram, which has a pretty complex representation in the text format:
            # HELP http_request_duration_seconds A histogram of the request duration.
            # TYPE http_request_duration_seconds histogram
            http_request_duration_seconds_bucket{le="0.05"} 24054
            http_request_duration_seconds_bucket{le="0.1"} 33444
            http_request_duration_seconds_bucket{le="+Inf"} 144320
            http_request_duration_seconds_sum 53423
            http_request_duration_seconds_count 144320
            # TYPE rpc_duration_seconds summary
            rpc_duration_seconds{quantile="0.01"} 3102
            rpc_duration_seconds{quantile="0.99"} 76656
            rpc_duration_seconds_sum 1.7560473e+07
            rpc_duration_seconds_count 2693
            untyped_thing 1
            """);

        Assert.Equal(0, metrics.MalformedLines);
        Assert.Equal(["http_requests_total", "temperature", "http_request_duration_seconds", "rpc_duration_seconds", "untyped_thing"], metrics.Families.Select(f => f.Name));
        var counter = metrics.Family("http_requests_total")!;
        Assert.Equal(MetricType.Counter, counter.Type);
        Assert.Equal("The total number of HTTP requests.", counter.Help);
        Assert.Equal(2, counter.Samples.Count);
        Assert.Equal(1395066363000, counter.Samples[0].TimestampMs);
        Assert.Equal("400", counter.Samples[1].Label("code"));
        Assert.Equal(-12.5, metrics.Family("temperature")!.Samples.Single().Value);
        var histogram = metrics.Family("http_request_duration_seconds")!;
        Assert.Equal(MetricType.Histogram, histogram.Type);
        Assert.Equal(5, histogram.Samples.Count);
        Assert.Equal(double.PositiveInfinity, double.Parse("Infinity", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("+Inf", histogram.Samples[2].Label("le"));
        var summary = metrics.Family("rpc_duration_seconds")!;
        Assert.Equal(MetricType.Summary, summary.Type);
        Assert.Equal(4, summary.Samples.Count);
        Assert.Equal(1.7560473e+07, summary.Samples[2].Value);
        Assert.Equal(MetricType.Untyped, metrics.Family("untyped_thing")!.Type);
    }

    [Fact]
    public void Reads_escaped_label_values_NaN_infinities_and_negative_timestamps()
    {
        var metrics = _parser.Parse(
            "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} 1.458255915e9\n" +
            "a NaN\nb +Inf\nc -Inf\nd Inf -1000\n" +
            "# HELP e Escaped \\\\ and \\n in help\n# TYPE e gauge\ne{x=\"1\",} 2\n");

        Assert.Equal(0, metrics.MalformedLines);
        var file = metrics.Family("msdos_file_access_time_seconds")!.Samples.Single();
        Assert.Equal(@"C:\DIR\FILE.TXT", file.Label("path"));
        Assert.Equal("Cannot find file:\n\"FILE.TXT\"", file.Label("error"));
        Assert.True(double.IsNaN(metrics.Family("a")!.Samples[0].Value));
        Assert.Equal(double.PositiveInfinity, metrics.Family("b")!.Samples[0].Value);
        Assert.Equal(double.NegativeInfinity, metrics.Family("c")!.Samples[0].Value);
        Assert.Equal(-1000, metrics.Family("d")!.Samples[0].TimestampMs);
        Assert.Equal("Escaped \\ and \n in help", metrics.Family("e")!.Help);
        Assert.Equal("1", metrics.Family("e")!.Samples[0].Label("x"));
    }

    [Theory]
    [InlineData("metric_without_value")]
    [InlineData("m{a=\"unterminated} 1")]
    [InlineData("m{a=\"x\"} not-a-number")]
    [InlineData("m 1 12.5")]
    [InlineData("m 1 2 3")]
    [InlineData("m{a=\"bad \\q escape\"} 1")]
    [InlineData("m{a=\"x\" b=\"y\"} 1")]
    [InlineData("9starts_with_digit 1")]
    [InlineData("# TYPE m unknowntype")]
    [InlineData("m{a=\"1\",a=\"2\"} 1")]
    public void Skips_and_counts_a_malformed_line_and_keeps_the_rest(string bad)
    {
        var metrics = _parser.Parse($"good_before 1\n{bad}\ngood_after 2\n");

        Assert.Equal(1, metrics.MalformedLines);
        Assert.Single(metrics.Errors);
        Assert.StartsWith("line 2:", metrics.Errors[0]);
        Assert.Equal(1, metrics.Family("good_before")!.Samples[0].Value);
        Assert.Equal(2, metrics.Family("good_after")!.Samples[0].Value);
    }

    [Fact]
    public void Garbage_gives_no_samples_and_counts_every_line()
    {
        var metrics = _parser.Parse("<html>\n<body>502 Bad Gateway</body>\n</html>\n");
        Assert.Equal(0, metrics.SampleCount);
        Assert.Equal(3, metrics.MalformedLines);
    }

    [Fact]
    public void Comments_blank_lines_and_CRLF_are_fine()
    {
        var metrics = _parser.Parse("# just a comment\r\n\r\n#\r\nx 1\r\n   \r\n");
        Assert.Equal(0, metrics.MalformedLines);
        Assert.Equal(1, metrics.SampleCount);
    }

    [Fact]
    public void Keeps_only_the_named_families_but_reads_and_checks_every_line()
    {
        var metrics = new PrometheusTextParser(["trading_kill_switch_engaged", "latency"]).Parse("""
            # TYPE other_total counter
            other_total{a="1"} 5
            trading_kill_switch_engaged{scope="global"} 0
            other_gauge{bad="\q"} 1
            # TYPE latency histogram
            latency_bucket{le="0.1"} 3
            latency_bucket{le="+Inf"} 4
            latency_sum 0.2
            latency_count 4
            unrelated 7
            """);

        Assert.Equal(["trading_kill_switch_engaged", "latency"], metrics.Families.Select(f => f.Name));
        Assert.Equal(MetricType.Histogram, metrics.Family("latency")!.Type);
        Assert.Equal(4, metrics.Family("latency")!.Samples.Count);
        Assert.Equal(7, metrics.SampleCount);    // valid samples of the whole page, kept or not
        Assert.Equal(5, metrics.SamplesKept);
        Assert.Equal(1, metrics.MalformedLines); // the bad escape of a family not kept is still found
        Assert.Empty(metrics.SamplesNamed("unrelated"));
    }

    [Fact]
    public void Keeps_at_most_the_bound_and_counts_the_samples_dropped()
    {
        var text = string.Concat(Enumerable.Range(0, PrometheusTextParser.MaxSamplesKept + 25).Select(i => $"k{{scope=\"s{i}\"}} 1\n"));
        var metrics = new PrometheusTextParser(["k"]).Parse(text);

        Assert.Equal(PrometheusTextParser.MaxSamplesKept, metrics.SamplesKept);
        Assert.Equal(25, metrics.SamplesDropped);
        Assert.Equal(PrometheusTextParser.MaxSamplesKept + 25, metrics.SampleCount);
    }
}
