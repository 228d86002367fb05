using System.Diagnostics;
using System.Net;

namespace OpsBot.PlatformMetrics;

/// <summary>Why a scrape gave no usable metrics; a closed set, used as a metric label.</summary>
public enum ScrapeFailure
{
    Unreachable,
    Timeout,
    HttpStatus,
    TooLarge,
    NoSamples,
}

/// <summary>One scrape: the parsed metrics, or why there are none.</summary>
public sealed record ScrapeResult(DateTimeOffset At, ParsedMetrics? Metrics, ScrapeFailure? Failure, string Detail, TimeSpan Duration)
{
    public bool Succeeded => Metrics is not null;

    public static string Label(ScrapeFailure? failure) => failure switch
    {
        null => "ok",
        ScrapeFailure.Unreachable => "unreachable",
        ScrapeFailure.Timeout => "timeout",
        ScrapeFailure.HttpStatus => "http-status",
        ScrapeFailure.TooLarge => "too-large",
        ScrapeFailure.NoSamples => "no-samples",
        _ => "unknown",
    };
}

/// <summary>
/// GETs <c>METRICS_URL</c> with its own timeout and parses the body. A body without a single valid
/// sample (garbage, an HTML error page) is a failure; a body with some malformed lines is a success
/// whose malformed lines are counted.
/// </summary>
public sealed class MetricsScraper(HttpClient http, PlatformMetricsOptions options, PrometheusTextParser parser, TimeProvider time)
{
    public const int MaxBodyBytes = 16 * 1024 * 1024;

    public async Task<ScrapeResult> ScrapeAsync(CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        if (options.MetricsUrl is not { } url) return new ScrapeResult(at, null, ScrapeFailure.Unreachable, "METRICS_URL is not set", TimeSpan.Zero);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("text/plain;version=0.0.4");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK)
                return new ScrapeResult(at, null, ScrapeFailure.HttpStatus, $"HTTP {(int)response.StatusCode}", clock.Elapsed);
            if (response.Content.Headers.ContentLength > MaxBodyBytes)
                return new ScrapeResult(at, null, ScrapeFailure.TooLarge, $"{response.Content.Headers.ContentLength} bytes", clock.Elapsed);

            var body = await ReadLimitedAsync(response.Content, timeout.Token);
            if (body is null) return new ScrapeResult(at, null, ScrapeFailure.TooLarge, $"over {MaxBodyBytes} bytes", clock.Elapsed);

            var metrics = parser.Parse(body);
            if (metrics.SampleCount == 0)
                return new ScrapeResult(at, null, ScrapeFailure.NoSamples, $"no valid sample ({metrics.MalformedLines} malformed lines)", clock.Elapsed);
            return new ScrapeResult(at, metrics, null, $"{metrics.SampleCount} samples, {metrics.MalformedLines} malformed lines", clock.Elapsed);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ScrapeResult(at, null, ScrapeFailure.Timeout, $"no answer within {options.Timeout.TotalSeconds:0.###} s", clock.Elapsed);
        }
        catch (HttpRequestException e)
        {
            return new ScrapeResult(at, null, ScrapeFailure.Unreachable, e.HttpRequestError.ToString(), clock.Elapsed);
        }
    }

    private static async Task<string?> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
