using System.Diagnostics;
using System.Net;
using System.Text;

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
/// GETs <c>METRICS_URL</c> with its own timeout and parses the body as it streams in (at most
/// <see cref="MaxBodyBytes"/>; the parser keeps only the kill-switch gauge, see <see cref="PrometheusTextParser"/>). A body without a single valid
/// sample (garbage, an HTML error page) is a failure; a body with some malformed lines is a success
/// whose malformed lines are counted.
/// </summary>
public sealed class MetricsScraper(HttpClient http, PlatformMetricsOptions options, PrometheusTextParser parser, TimeProvider time)
{
    public const int MaxBodyBytes = 16 * 1024 * 1024;
    private const int ChunkBytes = 16 * 1024;

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

            var metrics = await ParseLimitedAsync(response.Content, timeout.Token);
            if (metrics is null) return new ScrapeResult(at, null, ScrapeFailure.TooLarge, $"over {MaxBodyBytes} bytes", clock.Elapsed);
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

    /// <summary>
    /// Streams the body through the parser chunk by chunk, so neither the page nor its text is ever held whole;
    /// null when it goes over <see cref="MaxBodyBytes"/>.
    /// </summary>
    private async Task<ParsedMetrics?> ParseLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[ChunkBytes];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(ChunkBytes)];
        var session = parser.Begin();
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(bytes, cancellationToken)) > 0)
        {
            total += read;
            if (total > MaxBodyBytes) return null;
            var count = decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
            session.Feed(chars.AsSpan(0, count));
        }
        session.Feed(chars.AsSpan(0, decoder.GetChars(bytes, 0, 0, chars, 0, flush: true)));
        return session.Complete();
    }
}
