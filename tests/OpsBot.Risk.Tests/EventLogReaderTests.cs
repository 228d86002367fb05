namespace OpsBot.Risk.Tests;

public class EventLogReaderTests
{
    private static EventLog Read(string text) => EventLogReader.Read(new StringReader(text), "input");

    private static string Error(string text) => Assert.Throws<EventLogFormatException>(() => Read(text)).Message;

    [Fact]
    public void Csv_with_header_and_one_column()
    {
        var log = Read("DEM2GBP\n0.125\n-0.03\r\n\n1e-3\n");
        Assert.Equal(EventLogFormat.Csv, log.Format);
        var s = Assert.Single(log.Series);
        Assert.Equal("DEM2GBP", s.Name);
        Assert.Equal([0.125, -0.03, 0.001], s.Returns);
    }

    [Fact]
    public void Ticker_events_become_simple_returns_per_symbol_in_file_order()
    {
        var log = Read("""
            {"symbol":"BTC-USD","price":100,"time":"2024-05-01T12:00:00Z"}
            {"symbol":"ETH-USD","price":"10.0","time":"2024-05-01T12:00:00Z"}
            {"symbol":"BTC-USD","price":101,"time":"2024-05-01T12:00:01Z"}

            {"Symbol":"ETH-USD","Price":9.5,"time":"2024-05-01T12:00:01Z"}
            {"symbol":"BTC-USD","price":99.99,"time":"2024-05-01T12:00:02Z"}
            """);
        Assert.Equal(EventLogFormat.TickerJsonLines, log.Format);
        Assert.Equal(["BTC-USD", "ETH-USD"], log.Series.Select(s => s.Name));
        Assert.Equal([101.0 / 100 - 1, 99.99 / 101 - 1], log.Series[0].Returns);
        Assert.Equal([9.5 / 10 - 1], log.Series[1].Returns);
    }

    [Fact]
    public void Return_events_are_grouped_per_symbol()
    {
        var log = Read("{\"symbol\":\"A\",\"return\":0.01}\n{\"symbol\":\"B\",\"return\":-0.02}\n{\"symbol\":\"A\",\"return\":0.03}");
        Assert.Equal(EventLogFormat.ReturnJsonLines, log.Format);
        Assert.Equal([0.01, 0.03], log.Series[0].Returns);
        Assert.Equal([-0.02], log.Series[1].Returns);
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("\n  \n", "the file is empty")]
    [InlineData("DEM2GBP\n", "no data rows after the header")]
    [InlineData("x\n0.1\n0.2\nabc\n", "line 4: 'abc' is not a finite number")]
    [InlineData("x\n0.1\nNaN\n", "line 3: 'NaN' is not a finite number")]
    [InlineData("0.12\n0.2\n", "line 1: expected a header line")]
    [InlineData("a,b\n1,2\n", "one column of returns; the header has 2 columns")]
    [InlineData("x\n1\n1,2\n", "line 3: expected one value, found 2 columns")]
    [InlineData("[{\"symbol\":\"A\",\"price\":1}]", "JSON array is not supported")]
    [InlineData("{\"symbol\":\"A\",\"price\":1}\n{\"symbol\":\"A\",\"price\":", "line 2: not valid JSON")]
    [InlineData("{\"symbol\":\"A\",\"bid\":1}", "line 1: unknown event format")]
    [InlineData("{\"price\":1}", "line 1: missing a string \"symbol\"")]
    [InlineData("{\"symbol\":\"A\",\"price\":1}\n{\"symbol\":\"A\",\"return\":0.1}", "line 2: a return event in a log of ticker events")]
    [InlineData("{\"symbol\":\"A\",\"price\":\"n/a\"}", "line 1: \"price\" is not a finite number")]
    [InlineData("{\"symbol\":\"A\",\"price\":-3}", "line 1: \"price\" must be positive")]
    public void Bad_input_gets_one_specific_message(string text, string expected)
    {
        string message = Error(text);
        Assert.Contains(expected, message);
        Assert.StartsWith("input:", message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var ex = Assert.Throws<EventLogFormatException>(() => EventLogReader.Read("/nonexistent/ticks.jsonl"));
        Assert.Contains("/nonexistent/ticks.jsonl: file not found", ex.Message);
    }
}
