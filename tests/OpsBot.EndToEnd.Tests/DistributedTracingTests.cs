using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using OpsBot.FakeSlack;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace OpsBot.EndToEnd.Tests;

/// <summary>
/// Distributed tracing on real servers: pnl-ingest, risk-evaluator and notifier run as their own processes
/// (RabbitMQ between them, Redis in front, the Slack stand-in behind) with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// pointed at an in-test OTLP/HTTP collector. One PnL update that raises an alert must be one trace from the
/// Redis message to the Slack call, and its trace id must be in the services' JSON log lines.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class DistributedTracingTests(InfraFixture infra, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "xoxb-tracing-test-token";
    private readonly string _pnlChannel = $"pnl-trace-{Guid.NewGuid():N}";
    private readonly List<ServiceProcess> _services = [];
    private FakeSlackServer _slack = null!;
    private OtlpTraceReceiver _collector = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackServer.StartAsync(new FakeSlackOptions { ExpectedToken = Token });
        _collector = await OtlpTraceReceiver.StartAsync();
        var rabbit = await infra.CreateVirtualHostAsync();
        var env = new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = rabbit,
            ["REDIS_URL"] = infra.RedisUrl,
            ["RISK_REDIS_PREFIX"] = $"opsbot:risk-test:{Guid.NewGuid():N}:", // risk state of this test only (the Redis is shared)
            ["NOTIFIER_REDIS_PREFIX"] = $"trace:{Guid.NewGuid():N}:",
            ["PNL_CHANNEL"] = _pnlChannel,
            ["ALERT_PNL_THRESHOLD"] = "1000",
            ["SLACK_API_URL"] = _slack.ApiUrl.ToString(),
            ["SLACK_BOT_TOKEN"] = Token,
            ["SLACK_ALERT_CHANNEL"] = "C0TRACE",
            ["LOG_FORMAT"] = "json",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _collector.Endpoint.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200", // export every 200 ms instead of 5 s: the test waits less
        };
        _services.Add(ServiceProcess.Start("notifier", "services/notifier", "OpsBot.Notifier", env));
        _services.Add(ServiceProcess.Start("risk-evaluator", "services/risk-evaluator", "OpsBot.RiskEvaluator", env));
        _services.Add(ServiceProcess.Start("pnl-ingest", "services/pnl-ingest", "OpsBot.PnlIngest", env));
        await Task.WhenAll(_services.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(60))));
    }

    [Fact]
    public async Task One_pnl_update_is_one_trace_from_the_redis_message_through_pnl_ingest_risk_evaluator_and_notifier_to_the_slack_call()
    {
        // The first update pays for JIT and first connections; the second shows what a running system does. Both are checked.
        var cold = await TraceOfOneLosingUpdateAsync("momentum");
        PrintTrace("first update after start (cold)", cold);
        var warm = await TraceOfOneLosingUpdateAsync("carry");
        PrintTrace("second update (warm)", warm);
        Assert.NotEqual(cold[0].TraceId, warm[0].TraceId);
    }

    /// <summary>Publishes one losing PnL of <paramref name="strategy"/> on Redis and returns its whole trace, checked.</summary>
    private async Task<List<ReceivedSpan>> TraceOfOneLosingUpdateAsync(string strategy)
    {
        var correlationId = Guid.NewGuid();
        await infra.Redis.GetSubscriber().PublishAsync(RedisChannel.Literal(_pnlChannel), JsonSerializer.Serialize(new
        {
            account = "acct-1",
            strategy,
            realized = -800.0,
            unrealized = -450.5,
            currency = "USD",
            timestamp = DateTimeOffset.UtcNow.ToString("O"),
            correlation_id = correlationId.ToString(),
        }));
        var slackCall = await _slack.WaitForAsync(r => r.Text?.Contains(correlationId.ToString()) == true, TimeSpan.FromSeconds(60));
        Assert.Equal(200, slackCall.Status);

        // The trace starts where pnl-ingest took the message off Redis; find it by the correlation id.
        bool IsThisReceive(ReceivedSpan x) => IsReceive(x) && x.Attribute(OpsBotTracing.CorrelationIdTag) == correlationId.ToString();
        var spans = await _collector.WaitForAsync(s => s.Any(IsThisReceive), TimeSpan.FromSeconds(60), "pnl-ingest's receive span");
        var receive = spans.Single(IsThisReceive);
        var traceId = receive.TraceId;
        Assert.Equal("", receive.ParentSpanId); // the root: nothing before the Redis message

        var slackPort = _slack.ApiUrl.Port.ToString(CultureInfo.InvariantCulture);
        bool IsSlackCall(ReceivedSpan x) => x.Service == "notifier" && x.Kind == ReceivedSpan.KindClient && x.Attribute("server.port") == slackPort;
        bool IsRedisCommand(ReceivedSpan x) => x.Service == "notifier" && x.Scope.Contains("StackExchangeRedis", StringComparison.Ordinal);
        var trace = (await _collector.WaitForAsync(s =>
            {
                var t = s.Where(x => x.TraceId == traceId).ToList();
                var ids = t.Select(x => x.SpanId).ToHashSet();
                return t.Any(x => x.Service == "pnl-ingest" && x.Name == "pnl publish")
                    && t.Any(x => x.Service == "pnl-ingest" && x.Kind == ReceivedSpan.KindProducer && x.Scope == "MassTransit")
                    && t.Any(x => x.Service == "risk-evaluator" && x.Kind == ReceivedSpan.KindConsumer)
                    && t.Any(x => x.Service == "risk-evaluator" && x.Kind == ReceivedSpan.KindProducer)
                    && t.Any(x => x.Service == "notifier" && x.Kind == ReceivedSpan.KindConsumer)
                    && t.Any(x => x.Service == "notifier" && x.Name == "slack deliver")
                    && t.Any(IsSlackCall)
                    && t.Any(IsRedisCommand) // the dedup claim (SET NX), drained by the Redis instrumentation
                    && t.All(x => x.ParentSpanId == "" || ids.Contains(x.ParentSpanId)); // every span's parent arrived too
            }, TimeSpan.FromSeconds(90), $"the whole trace {traceId}"))
            .Where(x => x.TraceId == traceId).OrderBy(x => x.StartUnixNano).ToList();

        // One tree: a single root (the Redis message), and the Slack call descends from it through risk-evaluator.
        var byId = trace.ToDictionary(x => x.SpanId);
        Assert.Equal([receive], trace.Where(x => x.ParentSpanId == ""));
        var slack = trace.Single(IsSlackCall);
        var chain = Ancestors(slack, byId).ToList();
        Assert.Contains(receive, chain);
        Assert.Contains(chain, x => x.Service == "risk-evaluator");
        Assert.Contains(chain, x => x.Name == "slack deliver");
        // Outgoing HTTP spans name the host only: a Teams webhook or Slack response_url path is a credential.
        Assert.Equal(OpsBotTracing.RedactedUrl(_slack.ApiUrl), slack.Attribute("url.full"));
        // No credential in any span: neither the bot token nor the broker's user:password.
        Assert.DoesNotContain(_collector.Spans.SelectMany(x => x.Attributes.Values), v => v.Contains(Token, StringComparison.Ordinal));
        Assert.DoesNotContain(_collector.Spans.SelectMany(x => x.Attributes.Values), v => v.Contains(new Uri(infra.RabbitMqUrl).UserInfo + "@", StringComparison.Ordinal));

        // From a log line to the trace: risk-evaluator's "Raising … alert" and the notifier's "delivered" line carry the trace id.
        foreach (var (service, text) in new[] { ("risk-evaluator", "Raising"), ("notifier", "delivered to Slack") })
        {
            var line = _services.Single(s => s.Name == service).Output.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal) && l.Contains(traceId, StringComparison.Ordinal));
            Assert.True(line is not null, $"no JSON log line of {service} with '{text}' and trace id {traceId}");
            output.WriteLine($"{service} log line: {line}");
            Assert.Contains(traceId, ScopeValues(line!, "TraceId"));
            // The consumed message's scope: its correlation id as a value, and a readable scope message, not a type name.
            Assert.NotEmpty(ScopeValues(line!, "CorrelationId"));
            Assert.Contains("\"Message\":\"CorrelationId:", line, StringComparison.Ordinal);
            Assert.DoesNotContain("System.Collections.Generic", line, StringComparison.Ordinal);
        }
        return trace;
    }

    private static bool IsReceive(ReceivedSpan x) => x.Service == "pnl-ingest" && x.Scope == OpsBotTracing.SourceName && x.Name.EndsWith(" receive", StringComparison.Ordinal);

    private static IEnumerable<ReceivedSpan> Ancestors(ReceivedSpan span, Dictionary<string, ReceivedSpan> byId)
    {
        while (byId.TryGetValue(span.ParentSpanId, out var parent))
        {
            yield return parent;
            span = parent;
        }
    }

    /// <summary>The values of <paramref name="key"/> in the <c>Scopes</c> of one JSON console log line.</summary>
    private static List<string> ScopeValues(string line, string key)
    {
        using var json = JsonDocument.Parse(line);
        return json.RootElement.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty(key, out _)).Select(s => s.GetProperty(key).GetString() ?? "").ToList()
            : [];
    }

    /// <summary>The trace as a tree, in start order: offset from the first span, duration, service, span name, source.</summary>
    private void PrintTrace(string title, List<ReceivedSpan> trace)
    {
        var byId = trace.ToDictionary(x => x.SpanId);
        var t0 = trace.Min(x => x.StartUnixNano);
        var text = new StringBuilder($"{title}: trace {trace[0].TraceId}, {trace.Count} spans\n");
        text.AppendLine("   start ms  duration ms  service          span");
        void Write(ReceivedSpan span, int depth)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{(span.StartUnixNano - t0) / 1e6,11:F1}  {span.Duration.TotalMilliseconds,11:F1}  {span.Service,-15}  {new string(' ', depth * 2)}{span.Name}  [{span.Scope}]");
            foreach (var child in trace.Where(c => c.ParentSpanId == span.SpanId).OrderBy(c => c.StartUnixNano)) Write(child, depth + 1);
        }
        foreach (var root in trace.Where(x => !byId.ContainsKey(x.ParentSpanId)).OrderBy(x => x.StartUnixNano)) Write(root, 0);
        output.WriteLine(text.ToString());
    }

    public async Task DisposeAsync()
    {
        foreach (var service in _services) await service.DisposeAsync();
        await _collector.DisposeAsync();
        await _slack.DisposeAsync();
        Assert.DoesNotContain(_services.SelectMany(s => s.Output), l => l.Contains(Token, StringComparison.Ordinal));
    }
}
