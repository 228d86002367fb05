using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using OpsBot.Contracts;
using OpsBot.Risk;
using OpsBot.RiskEvaluator;
using OpsBot.RiskEvaluator.State;
using OpsBot.ServiceDefaults;
using StackExchange.Redis;

// dotnet run -c Release --project bench/OpsBot.RiskStateCost -- REDIS_URL
// Per update: the rule alone, the rule + serialising the state, and the rule + the fenced write-through to Redis
// (one at a time, as one partition does; and 16 keys at once, as the 16 partitions do).
var redisUrl = args.Length > 0 ? args[0] : "localhost:6379";
using var redis = await ConnectionMultiplexer.ConnectAsync(RedisConnection.ParseUrl(redisUrl));
var stateOptions = new RiskStateOptions(redisUrl, $"opsbot:risk-bench:{Guid.NewGuid():N}:", TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(250), TimeSpan.Zero); // every update written: the cost measured
using var metrics = new RiskMetrics();
var store = new RiskStateStore(redis, stateOptions);
var persistence = new RiskStatePersistence(store, stateOptions, metrics, NullLogger<RiskStatePersistence>.Instance);
var keys = new RiskStateKeys(stateOptions.Prefix);
var t0 = DateTimeOffset.UtcNow;

static double Measure(int n, Action<int> step)
{
    for (var i = 0; i < Math.Min(n, 2000); i++) step(i); // warm-up
    var sw = Stopwatch.StartNew();
    for (var i = 0; i < n; i++) step(i);
    return sw.Elapsed.TotalNanoseconds / n;
}

static async Task<double> MeasureAsync(int n, Func<int, Task> step)
{
    for (var i = 0; i < Math.Min(n, 500); i++) await step(i);
    var sw = Stopwatch.StartNew();
    for (var i = 0; i < n; i++) await step(i);
    return sw.Elapsed.TotalNanoseconds / n;
}

// PnL: the pure strategy evaluation, its JSON, and the write-through.
var evaluator = new StrategyEvaluator(new PnlLossRule(1000m), 1000m);
var pnl = Enumerable.Range(0, 1024).Select(i => new PnlUpdated
{
    CorrelationId = Guid.NewGuid(), Timestamp = t0, Account = "acct", Strategy = "s", Realized = -500 + i % 50, Unrealized = 0, Currency = "USD", AsOf = t0.AddMilliseconds(i),
}).ToArray();
var strategy = StrategyState.Empty;
Console.WriteLine("what                                        ns/update");
Console.WriteLine($"pnl: evaluate                               {Measure(200_000, i => strategy = evaluator.Evaluate(strategy, pnl[i % 1024] with { AsOf = t0.AddTicks(i) }).Next),12:F0}");
Console.WriteLine($"pnl: evaluate + serialise                   {Measure(200_000, i => { strategy = evaluator.Evaluate(strategy, pnl[i % 1024] with { AsOf = t0.AddTicks(i) }).Next; RiskStateCodec.Serialize(strategy); }),12:F0}");
var strategyKey = keys.Strategy("acct", "s");
long n = 0;
Console.WriteLine($"pnl: evaluate + write-through (1 key)       {await MeasureAsync(5_000, async i =>
{
    strategy = evaluator.Evaluate(strategy, pnl[i % 1024] with { AsOf = t0.AddTicks(++n) }).Next;
    await persistence.SaveAsync(new StateRecord(strategyKey, RiskStateKind.Strategy, StateRecord.Micros(strategy.LastAsOf), strategy.Updates, RiskStateCodec.Serialize(strategy)));
}),12:F0}");

// Ticks: the band rule with each model, its state's JSON (the model snapshot included), and the write-through.
var bands = new PriceBandEvaluator(4);
foreach (var (name, create) in new (string, Func<IVolatilityModel>)[]
{
    ("ewma", () => new EwmaVolatility()),
    ("std(20)", () => new RollingStdVolatility(20)),
    ("atr(14)", () => new AtrVolatility(14)),
    ("garch fit window 500", () => new SelfFittingGarchVolatility(500)),
})
{
    var state = new SymbolState(create());
    var rng = new Random(5);
    var price = 100m;
    TickerReceived NextTick(long i)
    {
        price *= 1 + (decimal)((rng.NextDouble() - 0.5) * 0.002);
        return new TickerReceived { CorrelationId = Guid.Empty, Timestamp = t0, Symbol = "B", Price = price, Sequence = i, ExchangeTime = t0.AddTicks(i + 1), Client = "raw" };
    }
    long seq = 0;
    void Step()
    {
        var tick = NextTick(++seq);
        var d = bands.Evaluate(state, tick);
        PriceBandEvaluator.Apply(state, tick, d);
    }
    Console.WriteLine($"tick {name,-20}: evaluate + apply   {Measure(200_000, _ => Step()),12:F0}");
    Console.WriteLine($"tick {name,-20}: + serialise        {Measure(50_000, _ => { Step(); RiskStateCodec.Serialize(state); }),12:F0}");
    var key = keys.Symbol(name);
    Console.WriteLine($"tick {name,-20}: + write-through    {await MeasureAsync(3_000, async _ =>
    {
        Step();
        await persistence.SaveAsync(new StateRecord(key, RiskStateKind.Symbol, StateRecord.Micros(state.LastExchangeTime), state.Updates, RiskStateCodec.Serialize(state)));
    }),12:F0}");
}

// 16 keys written at once (the consumers' 16 partitions): throughput rather than latency.
var parallel = Enumerable.Range(0, 16).Select(p => (Key: keys.Strategy("acct", $"p{p}"), State: StrategyState.Empty)).ToArray();
var sw16 = Stopwatch.StartNew();
const int PerKey = 1_000;
await Task.WhenAll(parallel.Select(async (slot, p) =>
{
    var s = slot.State;
    for (var i = 0; i < PerKey; i++)
    {
        s = evaluator.Evaluate(s, pnl[i % 1024] with { Strategy = $"p{p}", AsOf = t0.AddTicks(i + 1) }).Next;
        await persistence.SaveAsync(new StateRecord(slot.Key, RiskStateKind.Strategy, StateRecord.Micros(s.LastAsOf), s.Updates, RiskStateCodec.Serialize(s)));
    }
}));
Console.WriteLine($"pnl: write-through, 16 keys at once          {sw16.Elapsed.TotalNanoseconds / (16 * PerKey),12:F0}  ({16 * PerKey / sw16.Elapsed.TotalSeconds:F0} updates/s)");
Console.WriteLine($"write failures counted: dirty keys now {persistence.DirtyCount}");
