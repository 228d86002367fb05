using OpsBot.ServiceDefaults;

namespace OpsBot.MarketFeed;

/// <summary>The market feed's setting names (the README's configuration table lists them).</summary>
public static class MarketFeedSettingNames
{
    /// <summary>The operations guide's switch: <c>false</c> = raw ClientWebSocket client, <c>true</c> = Websocket.Client library.</summary>
    public const string UseOfficialSdk = "USE_OFFICIAL_SDK";
    public const string ExchangeWsUrl = "EXCHANGE_WS_URL";
    public const string FeedProducts = "FEED_PRODUCTS";
    public const string FeedChannels = "FEED_CHANNELS";
    public const string FeedHeartbeatTimeoutSeconds = "FEED_HEARTBEAT_TIMEOUT_SECONDS";
    public const string FeedReconnectMinMs = "FEED_RECONNECT_MIN_MS";
    public const string FeedReconnectMaxMs = "FEED_RECONNECT_MAX_MS";
    public const string FeedBufferCapacity = "FEED_BUFFER_CAPACITY";
}

/// <summary>market-feed's settings, read once at start-up.</summary>
public sealed record MarketFeedOptions
{
    public const string DefaultUrl = "wss://advanced-trade-ws.coinbase.com";
    public const int MaxFrameBytes = 1024 * 1024;
    public static readonly string[] SupportedChannels = ["ticker", "user"];

    public required Uri Url { get; init; }
    public IReadOnlyList<string> Products { get; init; } = ["BTC-USD", "ETH-USD"];
    /// <summary>Data channels to subscribe to; <c>heartbeats</c> is always subscribed as well.</summary>
    public IReadOnlyList<string> Channels { get; init; } = SupportedChannels;
    public bool UseOfficialSdk { get; init; }
    /// <summary>No frame at all for this long (heartbeats arrive every second) and the connection is taken as dead.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan ReconnectMin { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan ReconnectMax { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>The raw client's reconnect pacing: the shared policy between <see cref="ReconnectMin"/> and <see cref="ReconnectMax"/>.</summary>
    public RetryBackoff ReconnectBackoff => new(ReconnectMin, ReconnectMax);
    public int BufferCapacity { get; init; } = 10_000;

    /// <summary>The client named by <c>USE_OFFICIAL_SDK</c>.</summary>
    public string ClientName => UseOfficialSdk ? FeedClientNames.Sdk : FeedClientNames.Raw;

    public static MarketFeedOptions From(Settings settings)
    {
        var url = settings.Url(MarketFeedSettingNames.ExchangeWsUrl, DefaultUrl);
        if (url.Scheme is not ("ws" or "wss"))
            throw new SettingsException($"{MarketFeedSettingNames.ExchangeWsUrl} must be a ws:// or wss:// URL.");
        var products = List(settings.String(MarketFeedSettingNames.FeedProducts, "BTC-USD,ETH-USD"));
        if (products.Count == 0 || products.Any(p => p.Length > 32 || !p.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')))
            throw new SettingsException($"{MarketFeedSettingNames.FeedProducts} must be a comma-separated list of product ids such as BTC-USD,ETH-USD.");
        var channels = List(settings.String(MarketFeedSettingNames.FeedChannels, "ticker,user")).Select(c => c.ToLowerInvariant()).ToArray();
        if (channels.Length == 0 || channels.Any(c => !SupportedChannels.Contains(c)))
            throw new SettingsException($"{MarketFeedSettingNames.FeedChannels} must list ticker and/or user.");
        var min = settings.Int(MarketFeedSettingNames.FeedReconnectMinMs, 250, 10, 600_000);
        var max = settings.Int(MarketFeedSettingNames.FeedReconnectMaxMs, 30_000, 10, 3_600_000);
        if (max < min) throw new SettingsException($"{MarketFeedSettingNames.FeedReconnectMaxMs} must not be below {MarketFeedSettingNames.FeedReconnectMinMs}.");
        return new MarketFeedOptions
        {
            Url = url,
            Products = products,
            Channels = channels,
            UseOfficialSdk = settings.Bool(MarketFeedSettingNames.UseOfficialSdk, false),
            HeartbeatTimeout = TimeSpan.FromSeconds(settings.Double(MarketFeedSettingNames.FeedHeartbeatTimeoutSeconds, 10, 0.2, 3600)),
            ReconnectMin = TimeSpan.FromMilliseconds(min),
            ReconnectMax = TimeSpan.FromMilliseconds(max),
            BufferCapacity = settings.Int(MarketFeedSettingNames.FeedBufferCapacity, 10_000, 1, 10_000_000),
        };
    }

    /// <summary>Never prints user info or a credential of <c>EXCHANGE_WS_URL</c> (<see cref="UrlRedaction"/>).</summary>
    public override string ToString() =>
        $"MarketFeedOptions {{ Url = {UrlRedaction.Redact(Url)}, Products = {string.Join(",", Products)}, Channels = {string.Join(",", Channels)}, UseOfficialSdk = {UseOfficialSdk}, HeartbeatTimeout = {HeartbeatTimeout}, ReconnectMin = {ReconnectMin}, ReconnectMax = {ReconnectMax}, BufferCapacity = {BufferCapacity} }}";

    private static List<string> List(string raw) =>
        raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
}

public static class FeedClientNames
{
    public const string Raw = "raw";
    public const string Sdk = "sdk";
}
