using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpsBot.EndToEnd.Tests;

/// <summary>
/// A minimal OTLP/HTTP trace collector for tests: <c>POST /v1/traces</c> with <c>application/x-protobuf</c>
/// (what the services send with <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>). No served package ships the
/// OTLP message types, and the .NET exporter has no JSON encoding, so the request is read field by field with
/// Google.Protobuf's wire reader, following opentelemetry/proto/trace/v1/trace.proto (only the fields the
/// tests look at; everything else is skipped).
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();

    private OtlpTraceReceiver(WebApplication app) => _app = app;

    /// <summary>Base URL to give the services as <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (the exporter adds <c>/v1/traces</c>).</summary>
    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<ReceivedSpan> Spans => _spans.ToArray();

    private int _requests;

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<OtlpTraceReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpTraceReceiver(app);
        app.MapPost("/v1/traces", receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Endpoint = new Uri(address);
        return receiver;
    }

    /// <summary>Waits until the spans received so far satisfy <paramref name="done"/>.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForAsync(Func<IReadOnlyList<ReceivedSpan>, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var spans = Spans;
            if (done(spans)) return spans;
            await Task.Delay(100);
        }
        var names = string.Join("\n", Spans.Select(s => $"  {s.Service} {s.Name} trace {s.TraceId}"));
        throw new TimeoutException($"not received within {timeout.TotalSeconds:F0} s: {what}; {Requests} export requests, spans:\n{names}");
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body);
        foreach (var span in Decode(body.ToArray())) _spans.Enqueue(span);
        Interlocked.Increment(ref _requests);
        // An empty ExportTraceServiceResponse: full success.
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/x-protobuf";
    }

    /// <summary>ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }</summary>
    public static List<ReceivedSpan> Decode(byte[] request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1) continue;
            // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
            var service = "";
            var scopes = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f == 1) service = Attributes(value, attributeField: 1).GetValueOrDefault("service.name", "");
                else if (f == 2) scopes.Add(value);
            }
            foreach (var scopeSpans in scopes)
            {
                // ScopeSpans { InstrumentationScope scope = 1 { string name = 1; }; repeated Span spans = 2; }
                var scope = "";
                foreach (var (f, value) in Fields(scopeSpans))
                {
                    if (f == 1) scope = Fields(value).Where(x => x.Field == 1).Select(x => Text(x.Value)).FirstOrDefault() ?? "";
                    else if (f == 2) spans.Add(Span(service, scope, value));
                }
            }
        }
        return spans;
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6;
    //        fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
    //        repeated Link links = 13 { bytes trace_id = 1; bytes span_id = 2; }; Status status = 15 { StatusCode code = 3; } }
    private static ReceivedSpan Span(string service, string scope, byte[] span)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        int kind = 0, status = 0;
        ulong start = 0, end = 0;
        var links = new List<(string, string)>();
        var input = new CodedInputStream(span);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: traceId = Hex(input.ReadBytes()); break;
                case 2: spanId = Hex(input.ReadBytes()); break;
                case 4: parent = Hex(input.ReadBytes()); break;
                case 5: name = input.ReadString(); break;
                case 6: kind = input.ReadEnum(); break;
                case 7: start = input.ReadFixed64(); break;
                case 8: end = input.ReadFixed64(); break;
                case 13:
                    var link = Fields(input.ReadBytes().ToByteArray()).ToList();
                    links.Add((Hex(link.First(l => l.Field == 1).Value), Hex(link.First(l => l.Field == 2).Value)));
                    break;
                case 15:
                    var code = new CodedInputStream(input.ReadBytes().ToByteArray());
                    uint t;
                    while ((t = code.ReadTag()) != 0)
                    {
                        if (WireFormat.GetTagFieldNumber(t) == 3) status = code.ReadEnum();
                        else code.SkipLastField();
                    }
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return new ReceivedSpan(service, scope, name, kind, traceId, spanId, parent, start, end, status, Attributes(span, attributeField: 9), links);
    }

    /// <summary>The KeyValue attributes (field <paramref name="attributeField"/>) of a message, values as text.</summary>
    private static Dictionary<string, string> Attributes(byte[] message, int attributeField)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var (f, keyValue) in Fields(message))
        {
            if (f != attributeField) continue;
            // KeyValue { string key = 1; AnyValue value = 2; }
            string key = "", value = "";
            foreach (var (kf, kv) in Fields(keyValue))
            {
                if (kf == 1) key = Text(kv);
                else if (kf == 2) value = AnyValue(kv);
            }
            attributes[key] = value;
        }
        return attributes;
    }

    // AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ... }
    private static string AnyValue(byte[] any)
    {
        var input = new CodedInputStream(any);
        var tag = input.ReadTag();
        return WireFormat.GetTagFieldNumber(tag) switch
        {
            1 => input.ReadString(),
            2 => input.ReadBool() ? "true" : "false",
            3 => input.ReadInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            4 => input.ReadDouble().ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "",
        };
    }

    /// <summary>The length-delimited fields of a message (numbers and raw bytes); other wire types are skipped.</summary>
    private static IEnumerable<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var result = new List<(int, byte[])>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                result.Add((WireFormat.GetTagFieldNumber(tag), input.ReadBytes().ToByteArray()));
            else
                input.SkipLastField();
        }
        return result;
    }

    private static string Text(byte[] utf8) => System.Text.Encoding.UTF8.GetString(utf8);

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
