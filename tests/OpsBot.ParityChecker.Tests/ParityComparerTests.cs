using OpsBot.Contracts;
using OpsBot.ParityChecker;

namespace OpsBot.ParityChecker.Tests;

public sealed class ParityComparerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 0, TimeSpan.Zero);

    internal static TickerReceived Tick(string client, decimal price, long sequence = 1, decimal? high = 110m) => new()
    {
        CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, Symbol = "BTC-USD", Price = price, High24h = high, Low24h = 90m,
        Sequence = sequence, ExchangeTime = T0.AddMilliseconds(sequence), Client = client,
    };

    internal static UserUpdateReceived Order(string client, string status, long sequence = 2) => new()
    {
        CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, OrderId = "o-1", Symbol = "BTC-USD", Side = "BUY", Status = status,
        FilledSize = 1m, Sequence = sequence, ExchangeTime = T0.AddMilliseconds(sequence), Client = client,
    };

    private static ParityWindow Window(params object[] events)
    {
        var window = new ParityWindow(T0, T0.AddMinutes(1));
        foreach (var e in events)
        {
            if (e is TickerReceived t) window.Add(t);
            if (e is UserUpdateReceived u) window.Add(u);
        }
        return window;
    }

    [Fact]
    public void The_same_events_from_both_clients_pass_whatever_their_correlation_ids_and_order()
    {
        var outcome = new ParityComparer().Compare(Window(
            Tick("raw", 100m, 1), Tick("raw", 101m, 2), Order("raw", "OPEN", 3),
            Order("sdk", "OPEN", 3), Tick("sdk", 101m, 2), Tick("sdk", 100m, 1)));

        Assert.True(outcome.Passed, string.Join("\n", outcome.Differences));
        Assert.Equal("PASS", outcome.Status);
        Assert.Equal(2, outcome.Count("raw", "ticker"));
        Assert.Equal(2, outcome.Count("sdk", "ticker"));
        Assert.Equal(1, outcome.Count("sdk", "user_update"));
    }

    [Fact]
    public void A_dropped_event_fails_on_the_count_and_names_the_event()
    {
        var outcome = new ParityComparer().Compare(Window(Tick("raw", 100m, 1), Tick("raw", 101m, 2), Tick("sdk", 100m, 1)));

        Assert.Equal("FAIL", outcome.Status);
        Assert.Contains("ticker: raw 2, sdk 1", outcome.Differences);
        Assert.Contains(outcome.Differences, d => d.StartsWith("ticker only in raw (x1): Symbol=\"BTC-USD\" Price=101", StringComparison.Ordinal));
    }

    [Fact]
    public void An_altered_event_fails_on_the_content_even_with_equal_counts()
    {
        var outcome = new ParityComparer().Compare(Window(Order("raw", "OPEN"), Order("sdk", "FILLED")));

        Assert.False(outcome.Passed);
        Assert.DoesNotContain(outcome.Differences, d => d.StartsWith("user_update: raw", StringComparison.Ordinal));
        Assert.Contains(outcome.Differences, d => d.Contains("only in raw", StringComparison.Ordinal) && d.Contains("Status=\"OPEN\"", StringComparison.Ordinal));
        Assert.Contains(outcome.Differences, d => d.Contains("only in sdk", StringComparison.Ordinal) && d.Contains("Status=\"FILLED\"", StringComparison.Ordinal));
    }

    [Fact]
    public void A_field_one_client_never_fills_fails_on_the_schema()
    {
        var outcome = new ParityComparer().Compare(Window(Tick("raw", 100m), Tick("sdk", 100m, high: null)));

        Assert.Contains("ticker schema: fields only raw fills: High24h", outcome.Differences);
    }

    [Fact]
    public void A_silent_client_fails()
    {
        var outcome = new ParityComparer().Compare(Window(Tick("raw", 100m)));

        Assert.Contains("sdk: no events in this window", outcome.Differences);
        Assert.Equal(0, outcome.Count("sdk", "ticker"));
    }

    [Fact]
    public void Non_strict_mode_ignores_the_connection_local_sequence_and_time()
    {
        var raw = Tick("raw", 100m, 1);
        var sdk = Tick("sdk", 100m, 77);
        Assert.False(new ParityComparer().Compare(Window(raw, sdk)).Passed);
        Assert.True(new ParityComparer(new ParityComparerOptions { Strict = false }).Compare(Window(raw, sdk)).Passed);
    }
}
