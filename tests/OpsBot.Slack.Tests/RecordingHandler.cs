using System.Net;
using System.Text;

namespace OpsBot.Slack.Tests;

/// <summary>One request as it left the client: verb, URL, Authorization header, content type and body.</summary>
public sealed record SentRequest(HttpMethod Method, Uri Url, string? Authorization, string? ContentType, string? Body);

/// <summary>Stands in for Slack at the HTTP handler: records every request and answers it with <see cref="Answer"/>.</summary>
public sealed class RecordingHandler : HttpMessageHandler
{
    public List<SentRequest> Sent { get; } = [];

    /// <summary>The answer to give; by default Slack's <c>{"ok":true,...}</c> with a channel and a ts.</summary>
    public Func<HttpRequestMessage, HttpResponseMessage> Answer { get; set; } = _ => Json("""{"ok":true,"channel":"C1","ts":"1700000000.000100"}""");

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Sent) Sent.Add(new SentRequest(request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(), request.Content?.Headers.ContentType?.MediaType, body));
        return Answer(request);
    }
}
