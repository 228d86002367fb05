using System.Text;
using Microsoft.Extensions.Time.Testing;
using OpsBot.PnlIngest;

namespace OpsBot.PnlIngest.Tests;

/// <summary>Bad input tried here: invalid JSON, NaN/Infinity, missing fields, wrong types, absurd and negative timestamps, over-64-KiB payloads.</summary>
public sealed class PnlMessageParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly PnlMessageParser _parser = new(new FakeTimeProvider(Now));

    private PnlParseResult Parse(string json) => _parser.Parse(Encoding.UTF8.GetBytes(json));

    private const string Valid = """{"account":"acct-1","strategy":"momentum","realized":-800.25,"unrealized":-200,"currency":"usd","timestamp":"2026-11-27T11:59:00Z"}""";

    [Fact]
    public void Accepts_a_valid_report_and_normalises_currency()
    {
        var result = Parse(Valid);
        Assert.True(result.IsValid, result.Detail);
        var report = result.Report!;
        Assert.Equal("acct-1", report.Account);
        Assert.Equal("momentum", report.Strategy);
        Assert.Equal(-800.25m, report.Realized);
        Assert.Equal(-200m, report.Unrealized);
        Assert.Equal("USD", report.Currency);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 11, 59, 0, TimeSpan.Zero), report.AsOf);
        Assert.Null(report.CorrelationId);
    }

    [Fact]
    public void Accepts_unix_seconds_an_offset_timestamp_a_correlation_id_and_ignores_unknown_fields()
    {
        var id = Guid.NewGuid();
        var seconds = Now.AddSeconds(-30).ToUnixTimeMilliseconds() / 1000.0;
        var result = Parse($$"""{"account":"a","strategy":"s","realized":1,"unrealized":2,"currency":"EUR","timestamp":{{seconds}},"correlation_id":"{{id}}","venue":"x"}""");
        Assert.True(result.IsValid, result.Detail);
        Assert.Equal(Now.AddSeconds(-30), result.Report!.AsOf);
        Assert.Equal(id, result.Report.CorrelationId);

        var offset = Parse(Valid.Replace("2026-11-27T11:59:00Z", "2026-11-27T12:59:00+01:00"));
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 11, 59, 0, TimeSpan.Zero), offset.Report!.AsOf);
    }

    [Theory]
    [InlineData("{\"account\":", PnlRejectReason.InvalidJson)]
    [InlineData("not json at all", PnlRejectReason.InvalidJson)]
    [InlineData("", PnlRejectReason.InvalidJson)]
    [InlineData("[1,2,3]", PnlRejectReason.NotAnObject)]
    [InlineData("\"text\"", PnlRejectReason.NotAnObject)]
    public void Rejects_what_is_not_a_json_object(string payload, PnlRejectReason reason) =>
        Assert.Equal(reason, Parse(payload).Reason);

    [Theory]
    [InlineData("\"realized\":-800.25", "\"realized\":NaN", PnlRejectReason.InvalidJson)]
    [InlineData("\"realized\":-800.25", "\"realized\":Infinity", PnlRejectReason.InvalidJson)]
    [InlineData("\"realized\":-800.25", "\"realized\":-1e400", PnlRejectReason.OutOfRange)]
    [InlineData("\"realized\":-800.25", "\"realized\":2e15", PnlRejectReason.OutOfRange)]
    [InlineData("\"realized\":-800.25", "\"realized\":\"NaN\"", PnlRejectReason.WrongType)]
    [InlineData("\"realized\":-800.25", "\"realized\":null", PnlRejectReason.WrongType)]
    [InlineData("\"realized\":-800.25,", "", PnlRejectReason.MissingField)]
    [InlineData("\"account\":\"acct-1\",", "", PnlRejectReason.MissingField)]
    [InlineData("\"account\":\"acct-1\"", "\"account\":42", PnlRejectReason.WrongType)]
    [InlineData("\"account\":\"acct-1\"", "\"account\":\"  \"", PnlRejectReason.OutOfRange)]
    [InlineData("\"currency\":\"usd\"", "\"currency\":\"dollars\"", PnlRejectReason.BadCurrency)]
    [InlineData("\"currency\":\"usd\"", "\"currency\":\"U1D\"", PnlRejectReason.BadCurrency)]
    [InlineData("\"timestamp\":\"2026-11-27T11:59:00Z\"", "\"timestamp\":-5", PnlRejectReason.BadTimestamp)]
    [InlineData("\"timestamp\":\"2026-11-27T11:59:00Z\"", "\"timestamp\":1e300", PnlRejectReason.BadTimestamp)]
    [InlineData("\"timestamp\":\"2026-11-27T11:59:00Z\"", "\"timestamp\":\"1970-01-01T00:00:00Z\"", PnlRejectReason.BadTimestamp)]
    [InlineData("\"timestamp\":\"2026-11-27T11:59:00Z\"", "\"timestamp\":\"2026-11-27T12:06:00Z\"", PnlRejectReason.BadTimestamp)]
    [InlineData("\"timestamp\":\"2026-11-27T11:59:00Z\"", "\"timestamp\":\"yesterday\"", PnlRejectReason.BadTimestamp)]
    [InlineData("\"timestamp\":\"2026-11-27T11:59:00Z\"", "\"timestamp\":true", PnlRejectReason.WrongType)]
    public void Rejects_each_bad_field_with_its_reason(string from, string to, PnlRejectReason reason)
    {
        var payload = Valid.Replace(from, to);
        Assert.NotEqual(Valid, payload);
        var result = Parse(payload);
        Assert.False(result.IsValid);
        Assert.Equal(reason, result.Reason);
        Assert.False(string.IsNullOrWhiteSpace(result.Detail));
    }

    [Fact]
    public void Rejects_a_bad_correlation_id() =>
        Assert.Equal(PnlRejectReason.BadCorrelationId, Parse(Valid.Replace("}", ",\"correlation_id\":\"nope\"}")).Reason);

    [Fact]
    public void Rejects_payloads_over_64_KiB_before_parsing_them()
    {
        var big = Valid.Replace("}", $",\"pad\":\"{new string('x', 64 * 1024)}\"}}");
        var result = Parse(big);
        Assert.Equal(PnlRejectReason.TooLarge, result.Reason);

        var justUnder = Valid.Replace("}", $",\"pad\":\"{new string('x', 60 * 1024)}\"}}");
        Assert.True(Parse(justUnder).IsValid);
    }
}
