namespace OpsBot.MarketFeed.Raw;

/// <summary>Exponential backoff with ±20 % jitter between <c>FEED_RECONNECT_MIN_MS</c> and <c>FEED_RECONNECT_MAX_MS</c>.</summary>
public sealed class ReconnectBackoff(TimeSpan min, TimeSpan max, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private int _failures;

    public void Reset() => _failures = 0;

    public TimeSpan Next()
    {
        var exponent = Math.Min(_failures++, 30);
        var raw = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, exponent));
        var jittered = raw * (0.8 + 0.4 * _random.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Clamp(jittered, min.TotalMilliseconds, max.TotalMilliseconds));
    }
}
