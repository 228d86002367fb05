using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpsBot.Contracts;
using OpsBot.ParityChecker;

namespace OpsBot.ParityChecker.Tests;

/// <summary>The parity-checker's consumers and evaluator on MassTransit's in-memory test harness, with a fake clock.</summary>
public sealed class ParityCheckerBusTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 0, TimeSpan.Zero); // the test events' exchange time

    private static async Task<(ServiceProvider Provider, ITestHarness Harness, FakeTimeProvider Time)> StartAsync()
    {
        var time = new FakeTimeProvider(Start);
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddSingleton(new ParityCheckerOptions(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), new ParityComparerOptions()))
            .AddSingleton(sp => new ParityComparer(sp.GetRequiredService<ParityCheckerOptions>().Comparer))
            .AddSingleton<ParityMetrics>()
            .AddSingleton<ParityWindowStore>()
            .AddSingleton<ParityReportFactory>()
            .AddSingleton<ParityIncident>()
            .AddSingleton<ParityWindowEvaluator>()
            .AddMassTransitTestHarness(x => x.AddParityConsumers())
            .BuildServiceProvider(true);
        var harness = services.GetRequiredService<ITestHarness>();
        await harness.Start();
        return (services, harness, time);
    }

    private static async Task PublishBothAsync(ITestHarness harness, Func<string, object[]> events)
    {
        foreach (var client in new[] { "raw", "sdk" })
            foreach (var e in events(client))
                await harness.Bus.Publish(e, e.GetType());
    }

    private static async Task ConsumedAsync(ITestHarness harness, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (harness.Consumed.Select<TickerReceived>().Count() < count && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(count, harness.Consumed.Select<TickerReceived>().Count());
    }

    private static async Task<T> PublishedAsync<T>(ITestHarness harness) where T : class
    {
        Assert.True(await harness.Published.Any<T>(), $"no {typeof(T).Name} published");
        return harness.Published.Select<T>().First().Context.Message;
    }

    [Fact]
    public async Task Agreeing_clients_give_a_PASS_report_for_the_window_and_no_alert()
    {
        var (provider, harness, time) = await StartAsync();
        await using var _ = provider;
        await PublishBothAsync(harness, c => [ParityComparerTests.Tick(c, 100m, 1), ParityComparerTests.Order(c, "OPEN", 2)]);
        await ConsumedAsync(harness, 2);

        var evaluator = provider.GetRequiredService<ParityWindowEvaluator>();
        await evaluator.EvaluateDueAsync(CancellationToken.None);
        Assert.False(await harness.Published.Any<ParityReport>()); // the window is not due before its end plus grace

        time.Advance(TimeSpan.FromMinutes(1));
        await evaluator.EvaluateDueAsync(CancellationToken.None);

        var report = await PublishedAsync<ParityReport>(harness);
        Assert.Equal("PASS", report.Status);
        Assert.Empty(report.Differences);
        Assert.Equal(1, report.Counts["raw"]["ticker"]);
        Assert.Equal(1, report.Counts["sdk"]["user_update"]);
        Assert.Equal(TimeSpan.FromSeconds(10), report.WindowEnd - report.WindowStart);
        Assert.False(await harness.Published.Any<AlertRaised>());
    }

    [Fact]
    public async Task Disagreeing_clients_give_a_FAIL_report_and_an_alert_with_a_stable_dedup_key()
    {
        var (provider, harness, time) = await StartAsync();
        await using var _ = provider;
        await PublishBothAsync(harness, c => c == "raw"
            ? [ParityComparerTests.Tick(c, 100m, 1), ParityComparerTests.Tick(c, 101m, 2)]
            : [ParityComparerTests.Tick(c, 100m, 1)]);
        await ConsumedAsync(harness, 3);

        time.Advance(TimeSpan.FromMinutes(1));
        await provider.GetRequiredService<ParityWindowEvaluator>().EvaluateDueAsync(CancellationToken.None);

        var report = await PublishedAsync<ParityReport>(harness);
        Assert.Equal("FAIL", report.Status);
        Assert.Contains("ticker: raw 2, sdk 1", report.Differences);
        var alert = await PublishedAsync<AlertRaised>(harness);
        Assert.Equal(("parity:market-feed", "parity-checker", AlertSeverity.Warning), (alert.DedupKey, alert.Source, alert.Severity));
        Assert.Equal(report.CorrelationId, alert.CorrelationId);
        Assert.Contains("ticker: raw 2, sdk 1", alert.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_for_a_window_already_compared_is_counted_late_and_ignored()
    {
        var (provider, harness, time) = await StartAsync();
        await using var _ = provider;
        await PublishBothAsync(harness, c => [ParityComparerTests.Tick(c, 100m, 1)]);
        await ConsumedAsync(harness, 2);
        time.Advance(TimeSpan.FromMinutes(1));
        await provider.GetRequiredService<ParityWindowEvaluator>().EvaluateDueAsync(CancellationToken.None);

        var store = provider.GetRequiredService<ParityWindowStore>();
        Assert.False(store.Add(ParityComparerTests.Tick("sdk", 100m, 1)));
        Assert.Equal(1, provider.GetRequiredService<ParityMetrics>().LateTotal);
        Assert.Equal(0, store.OpenWindows);
    }

    [Fact]
    public async Task Parity_a_PASS_window_after_a_FAIL_resolves_the_incident_once()
    {
        var (provider, harness, time) = await StartAsync();
        await using var _ = provider;
        var evaluator = provider.GetRequiredService<ParityWindowEvaluator>();
        var consumed = 0;
        // Window 1 FAIL, windows 2 and 3 PASS (each 10 s of exchange time, judged after its end plus the 5 s grace).
        for (var w = 0; w < 3; w++)
        {
            var at = Start.AddSeconds(10 * w);
            var fail = w == 0;
            await PublishBothAsync(harness, c => fail && c == "raw"
                ? [ParityComparerTests.Tick(c, 100m, 1) with { ExchangeTime = at }, ParityComparerTests.Tick(c, 101m, 2) with { ExchangeTime = at }]
                : [ParityComparerTests.Tick(c, 100m, 1) with { ExchangeTime = at }]);
            consumed += fail ? 3 : 2;
            await ConsumedAsync(harness, consumed);
            time.Advance(TimeSpan.FromSeconds(10));
            if (w == 0) time.Advance(TimeSpan.FromSeconds(5));
            await evaluator.EvaluateDueAsync(CancellationToken.None);
        }

        var reports = harness.Published.Select<ParityReport>().Select(m => m.Context.Message).ToList();
        Assert.Equal(["FAIL", "PASS", "PASS"], reports.Select(r => r.Status));
        var resolved = Assert.Single(harness.Published.Select<AlertResolved>()).Context.Message; // every window is judged: nothing more can come
        Assert.Equal(("parity:market-feed", "parity-checker"), (resolved.DedupKey, resolved.Source));
        Assert.Equal(reports[1].CorrelationId, resolved.CorrelationId);
        Assert.Contains("after a FAIL", resolved.Reason);
        Assert.Equal("0", resolved.Labels["differences"]);
        Assert.False(resolved.Labels.ContainsKey("after_restart"));
    }

    [Fact]
    public async Task Parity_the_first_PASS_after_a_start_resolves_once_marked_after_restart_because_a_FAIL_before_it_may_be_open()
    {
        var (provider, harness, time) = await StartAsync();
        await using var _ = provider;
        var evaluator = provider.GetRequiredService<ParityWindowEvaluator>();
        for (var w = 0; w < 2; w++)
        {
            var at = Start.AddSeconds(10 * w);
            await PublishBothAsync(harness, c => [ParityComparerTests.Tick(c, 100m, 1) with { ExchangeTime = at }]);
            await ConsumedAsync(harness, 2 * (w + 1));
            time.Advance(TimeSpan.FromSeconds(w == 0 ? 15 : 10));
            await evaluator.EvaluateDueAsync(CancellationToken.None);
        }
        Assert.Equal(2, harness.Published.Select<ParityReport>().Count());
        var resolved = Assert.Single(harness.Published.Select<AlertResolved>()).Context.Message;
        Assert.Equal("true", resolved.Labels["after_restart"]);
        Assert.Contains("since parity-checker started", resolved.Reason);
    }
}
