using System.Text.Json.Nodes;
using OpsBot.FakeSlack;

namespace OpsBot.Slack.Tests;

/// <summary>The demo's Slack stand-in prints an incident's life the way Slack shows it: one message, edited in place, with replies in its thread.</summary>
public sealed class SlackMessagePrinterTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_message_an_edit_and_a_thread_reply_are_told_apart()
    {
        var post = SlackMessagePrinter.Format(new SlackRequest(At, "/api/chat.postMessage", null,
            new JsonObject { ["channel"] = "C1", ["text"] = "🟠 WARNING: PnL loss: momentum" }, 200, null));
        var edit = SlackMessagePrinter.Format(new SlackRequest(At.AddMinutes(1), "/api/chat.update", null,
            new JsonObject { ["channel"] = "C1", ["ts"] = "1700000000.000100", ["text"] = "✅ RESOLVED: PnL loss: momentum" }, 200, null));
        var reply = SlackMessagePrinter.Format(new SlackRequest(At.AddMinutes(2), "/api/chat.postMessage", null,
            new JsonObject { ["channel"] = "C1", ["thread_ts"] = "1700000000.000100", ["text"] = "Escalated to critical" }, 200, null));

        Assert.StartsWith("──── Slack /api/chat.postMessage → #C1 at 03:00:00 (answered 200)", post);
        Assert.Contains("WARNING: PnL loss: momentum", post);
        Assert.StartsWith("──── Slack ✎ the message 1700000000.000100 in #C1 edited at 03:01:00 (answered 200); it now reads:", edit);
        Assert.Contains("RESOLVED: PnL loss: momentum", edit);
        Assert.StartsWith("──── Slack ↳ reply in the thread of 1700000000.000100 in #C1 at 03:02:00 (answered 200)", reply);
        Assert.Contains("Escalated to critical", reply);
    }
}
