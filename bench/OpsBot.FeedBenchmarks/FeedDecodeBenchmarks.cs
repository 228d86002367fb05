using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using OpsBot.MarketFeed;
using OpsBot.MarketFeed.Raw;
using OpsBot.MarketFeed.Sdk;

namespace OpsBot.FeedBenchmarks;

/// <summary>
/// Per frame (mean = time for one frame; frames/s = 1 / mean), single-threaded: each client's decoder
/// alone, and each client's whole receive path after the socket — decode, sequence check, counters and
/// hand-off of the events to the bus sink's bounded queue (<see cref="BusFeedSink"/>), drained here.
/// </summary>
[MemoryDiagnoser]
public class FeedDecodeBenchmarks
{
    private byte[][] _bytes = null!;
    private string[] _text = null!;
    private RawFrameDecoder _rawDecoder = null!;
    private DomFrameDecoder _sdkDecoder = null!;
    private RawWebSocketFeedClient _raw = null!;
    private WebsocketClientFeedClient _sdk = null!;
    private BusFeedSink _sink = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_bytes, _text) = FeedFrames.Create();
        _rawDecoder = new RawFrameDecoder(TimeProvider.System);
        _sdkDecoder = new DomFrameDecoder(TimeProvider.System);
        var options = new MarketFeedOptions { Url = new Uri("ws://127.0.0.1:1/"), BufferCapacity = FeedFrames.Count * 2 };
        _sink = new BusFeedSink(options, NullLogger<BusFeedSink>.Instance);
        _raw = new RawWebSocketFeedClient(options, _sink, TimeProvider.System, NullLogger<RawWebSocketFeedClient>.Instance);
        _sdk = new WebsocketClientFeedClient(options, _sink, TimeProvider.System, NullLoggerFactory.Instance);
    }

    [Benchmark(OperationsPerInvoke = FeedFrames.Count, Description = "raw: decode (Utf8JsonReader)")]
    public int RawDecode()
    {
        var events = 0;
        foreach (var frame in _bytes)
        {
            var result = _rawDecoder.Decode(frame);
            events += result.Frame!.Tickers.Count + result.Frame.UserUpdates.Count;
        }
        return events;
    }

    [Benchmark(OperationsPerInvoke = FeedFrames.Count, Description = "sdk: decode (JsonNode)")]
    public int SdkDecode()
    {
        var events = 0;
        foreach (var frame in _text)
        {
            var result = _sdkDecoder.Decode(frame);
            events += result.Frame!.Tickers.Count + result.Frame.UserUpdates.Count;
        }
        return events;
    }

    [Benchmark(OperationsPerInvoke = FeedFrames.Count, Description = "raw: decode + route + publish to sink")]
    public int RawHandleAndPublish()
    {
        _raw.StartConnection();
        foreach (var frame in _bytes) _raw.HandleFrame(frame);
        return Drain();
    }

    [Benchmark(OperationsPerInvoke = FeedFrames.Count, Description = "sdk: decode + route + publish to sink")]
    public int SdkHandleAndPublish()
    {
        _sdk.StartConnection();
        foreach (var frame in _text) _sdk.HandleText(frame);
        return Drain();
    }

    private int Drain()
    {
        var n = 0;
        while (_sink.Reader.TryRead(out _)) n++;
        if (n != FeedFrames.Count) throw new InvalidOperationException($"expected {FeedFrames.Count} events, got {n}");
        return n;
    }
}
