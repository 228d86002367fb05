using OpsBot.DemoFeed;
using StackExchange.Redis;

// Demo PnL feed: REDIS_URL, PNL_CHANNEL (default pnl), DEMO_INTERVAL_MS (default 1000).
var redisUrl = Environment.GetEnvironmentVariable("REDIS_URL") ?? "localhost:6379";
var channel = RedisChannel.Literal(Environment.GetEnvironmentVariable("PNL_CHANNEL") ?? "pnl");
var interval = TimeSpan.FromMilliseconds(int.TryParse(Environment.GetEnvironmentVariable("DEMO_INTERVAL_MS"), out var ms) ? ms : 1000);

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
await using var redis = await ConnectionMultiplexer.ConnectAsync(redisUrl + ",abortConnect=false");
var script = new DemoPnlScript();
Console.WriteLine($"demo feed: publishing PnL on Redis channel '{channel}' every {interval.TotalMilliseconds} ms");
for (var tick = 0; !stop.IsCancellationRequested; tick++)
{
    var messages = script.MessagesFor(tick, DateTimeOffset.UtcNow).ToList();
    foreach (var message in messages)
    {
        try { await redis.GetSubscriber().PublishAsync(channel, message); }
        catch (RedisException e) { Console.Error.WriteLine($"demo feed: Redis unavailable ({e.GetType().Name}); retrying"); }
    }
    if (tick % 5 == 0) Console.WriteLine($"demo feed: tick {tick}, {messages[0]}");
    try { await Task.Delay(interval, stop.Token); } catch (OperationCanceledException) { }
}
